"""`roof fly`: one missile flight, in the units of the command line."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from securityroof.cli._app import AsJson, app, shown, stdout, user_errors
from securityroof.errors import RoofError
from securityroof.model.shapes import SHAPES
from securityroof.records.flight import flight_record

# The flight physics (numba kernels), the catalog and the sample writer are
# imported by the functions that use them, so that `roof --help` starts without loading them.

DEFAULT_BURNOUT_BODY = "generic-icbm"


def parse_latlon(text: str, option: str) -> tuple[float, float]:
    """'LAT,LON' in degrees -> (lat_deg, lon_deg), checked."""
    from securityroof.analysis.flight import check_latlon

    parts = text.replace(" ", "").split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat_deg, lon_deg = float(parts[0]), float(parts[1])
    except ValueError:
        raise RoofError(
            f"{text!r} is not LAT,LON.",
            where=option,
            fix="Write two numbers in degrees, e.g. 35.2,53.9.",
        ) from None
    check_latlon(lat_deg, lon_deg, option)
    return lat_deg, lon_deg


def _finite(value: float | None, option: str) -> None:
    if value is not None and not math.isfinite(value):
        raise RoofError(f"{value} is not a finite number.", where=option)


def _print_table(record: dict[str, Any]) -> None:
    if record["mode"] == "aim":
        target = record["target"]
        title = f"{record['missile']} to {target['lat_deg']:.2f}, {target['lon_deg']:.2f}"
    elif record["mode"] == "max-range":
        title = f"{record['missile']}: maximum range"
    else:
        title = "free flight from a burnout state"
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("range (km)", f"{record['range_km']:,.1f}"),
        ("flight time (s)", f"{record['flight_time_s']:,.1f}"),
        ("apogee (km)", f"{record['apogee_km']:,.1f}"),
        ("burnout time (s)", f"{record['burnout']['time_s']:,.1f}"),
        ("burnout speed, Earth-relative (m/s)", f"{record['burnout']['speed_m_s']:,.1f}"),
        ("burnout flight-path angle (deg)", f"{record['burnout']['angle_deg']:.2f}"),
        ("burnout altitude (km)", f"{record['burnout']['altitude_km']:,.1f}"),
        ("impact latitude (deg)", f"{record['impact']['lat_deg']:.4f}"),
        ("impact longitude (deg)", f"{record['impact']['lon_deg']:.4f}"),
        ("impact speed (m/s)", f"{record['impact']['speed_m_s']:,.0f}"),
    ]
    if "miss_distance_m" in record:
        rows.append(("miss distance (m)", f"{record['miss_distance_m']:.2f}"))
        rows.append(("trajectory shape", str(record["shape"])))
    if "guidance" in record:
        g = record["guidance"]
        rows.append(("launch azimuth (deg)", f"{g['azimuth_deg']:.3f}"))
        rows.append(("pitch-over kick (deg)", f"{g['kick_deg']:.3f}"))
        rows.append(
            ("thrust cutoff (s)", "burn-out" if g["cutoff_s"] is None else f"{g['cutoff_s']:.2f}")
        )
    earth = record["earth"]
    rows.append(
        (
            "Earth model",
            f"{earth['model']}, {'rotating' if earth['rotating'] else 'not rotating'}, "
            f"{'J2' if earth['j2'] else 'no J2'}, {'drag' if earth['drag'] else 'no drag'}",
        )
    )
    for name, value in rows:
        table.add_row(name, value)
    stdout.print(table)


@app.command()
def fly(
    missile: Annotated[str | None, typer.Option(help="Catalog missile id, e.g. shahab-3.")] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Launch point LAT,LON in degrees (the burnout point in burnout-state mode).",
        ),
    ] = None,
    to: Annotated[str | None, typer.Option(help="Aim point LAT,LON in degrees.")] = None,
    shape: Annotated[
        str, typer.Option(help=f"Trajectory shape: {' | '.join(SHAPES)}.")
    ] = "minimum-energy",
    apogee_km: Annotated[
        float | None, typer.Option(help="Requested apogee (km) with --to.")
    ] = None,
    azimuth: Annotated[
        float | None, typer.Option(help="Launch azimuth, degrees clockwise from north.")
    ] = None,
    max_range: Annotated[
        bool, typer.Option("--max-range", help="Fly to the greatest range toward --azimuth.")
    ] = False,
    burnout_speed: Annotated[
        float | None, typer.Option(help="Burnout speed relative to the rotating Earth (m/s).")
    ] = None,
    burnout_angle: Annotated[
        float | None,
        typer.Option(help="Burnout flight-path angle above the local horizontal (deg)."),
    ] = None,
    burnout_altitude_km: Annotated[float, typer.Option(help="Burnout altitude (km).")] = 0.0,
    ballistic_coefficient: Annotated[
        float | None,
        typer.Option(
            help="Burnout-state mode: m/(Cd A) of the body (kg/m^2); "
            f"default the {DEFAULT_BURNOUT_BODY} reentry vehicle."
        ),
    ] = None,
    earth: Annotated[
        str, typer.Option(help="Earth model: wgs84 or sphere (radius 6,371.0 km).")
    ] = "wgs84",
    no_rotation: Annotated[
        bool, typer.Option("--no-rotation", help="A non-rotating Earth.")
    ] = False,
    no_drag: Annotated[bool, typer.Option("--no-drag", help="No atmosphere.")] = False,
    no_j2: Annotated[bool, typer.Option("--no-j2", help="Point-mass gravity, no J2.")] = False,
    case: Annotated[
        str,
        typer.Option(
            help="Capability case: low, nominal or high (a missile's low/high cases "
            "fly its published range band)."
        ),
    ] = "nominal",
    samples: Annotated[
        Path | None,
        typer.Option(
            help="Write the flight's time series to FILE.csv or FILE.parquet (time_s, lat_deg, "
            "lon_deg, altitude_km, speed_m_s, x_m, y_m, z_m)."
        ),
    ] = None,
    sample_interval_s: Annotated[
        float, typer.Option(help="Seconds between the samples of --samples.")
    ] = 1.0,
    as_json: AsJson = False,
) -> None:
    """Fly a missile: to an aim point, from a burnout state, or to its maximum range."""
    from securityroof.analysis.flight import (
        EarthOptions,
        check_burnout_state,
        check_sample_interval,
        fly_from_burnout,
        fly_max_range,
        fly_to_target,
    )
    from securityroof.model.catalog import load_missiles
    from securityroof.report.flight_export import check_samples_path, write_flight_samples

    with user_errors():
        if samples is not None:
            check_samples_path(samples)  # before any work: nothing to lose if it is wrong
            check_sample_interval(sample_interval_s)
        interval_s = sample_interval_s if samples is not None else None
        options = EarthOptions(
            shape=earth, rotating=not no_rotation, j2=not no_j2, drag=not no_drag
        )
        options.planet()  # validates --earth before any work
        if case not in ("low", "nominal", "high"):
            raise RoofError(
                f"unknown case {case!r}.", where="--case", fix="Use low, nominal or high."
            )
        for value, option in (
            (apogee_km, "--apogee-km"),
            (azimuth, "--azimuth"),
            (burnout_speed, "--burnout-speed"),
            (burnout_angle, "--burnout-angle"),
            (burnout_altitude_km, "--burnout-altitude-km"),
            (ballistic_coefficient, "--ballistic-coefficient"),
        ):
            _finite(value, option)
        if from_ is None:
            raise RoofError(
                "a launch point is needed.", where="roof fly", fix="Add --from LAT,LON."
            )
        lat_deg, lon_deg = parse_latlon(from_, "--from")
        lat, lon = math.radians(lat_deg), math.radians(lon_deg)
        burnout_mode = burnout_speed is not None or burnout_angle is not None
        if burnout_mode:
            if burnout_speed is None or burnout_angle is None or azimuth is None:
                raise RoofError(
                    "burnout-state mode needs --burnout-speed, --burnout-angle and --azimuth.",
                    where="roof fly",
                )
            if to is not None or max_range:
                raise RoofError(
                    "--to and --max-range do not apply to a burnout state.", where="roof fly"
                )
            check_burnout_state(
                burnout_speed,
                math.radians(burnout_angle),
                burnout_altitude_km * 1e3,
                math.radians(azimuth),
            )
            beta = math.inf
            if not no_drag:
                if ballistic_coefficient is not None:
                    beta = ballistic_coefficient
                else:
                    catalog = load_missiles()
                    body = catalog.missile(missile or DEFAULT_BURNOUT_BODY, parameter="missile")
                    beta = body.ballistic_coefficient_kg_m2.value(case)  # type: ignore[arg-type]
            result = fly_from_burnout(
                lat,
                lon,
                math.radians(azimuth),
                burnout_speed,
                math.radians(burnout_angle),
                altitude_m=burnout_altitude_km * 1e3,
                ballistic_coefficient_kg_m2=beta,
                earth=options,
                sample_interval_s=interval_s,
            )
        else:
            if missile is None:
                raise RoofError(
                    "which missile?", where="roof fly", fix="Add --missile NAME (see the catalog)."
                )
            catalog = load_missiles()
            if max_range:
                if azimuth is None or to is not None:
                    raise RoofError("--max-range needs --azimuth and no --to.", where="roof fly")
                result = fly_max_range(
                    catalog,
                    missile,
                    lat,
                    lon,
                    math.radians(azimuth),
                    earth=options,
                    case=case,  # type: ignore[arg-type]
                    sample_interval_s=interval_s,
                )
            else:
                if to is None:
                    raise RoofError(
                        "give an aim point (--to LAT,LON) or --azimuth with --max-range.",
                        where="roof fly",
                    )
                target_lat_deg, target_lon_deg = parse_latlon(to, "--to")
                result = fly_to_target(
                    catalog,
                    missile,
                    lat,
                    lon,
                    math.radians(target_lat_deg),
                    math.radians(target_lon_deg),
                    shape=shape,
                    apogee_m=None if apogee_km is None else apogee_km * 1e3,
                    earth=options,
                    case=case,  # type: ignore[arg-type]
                    sample_interval_s=interval_s,
                )
        record = flight_record(result)
        if samples is not None and result.samples is not None:
            write_flight_samples(result.samples, samples)
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
        else:
            _print_table(record)
            if samples is not None:
                stdout.print(f"samples written to {shown(str(samples))}")
