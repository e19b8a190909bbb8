"""The `roof` command: parses, converts units at the edge, calls the analyses, prints.

User errors (RoofError) print one or two lines on stderr and exit with code 2,
never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from securityroof import __version__
from securityroof.analysis.engagement import EngagementRecord, run_engagements
from securityroof.analysis.flight import (
    SHAPES,
    EarthOptions,
    FlightResult,
    check_burnout_state,
    check_latlon,
    fly_from_burnout,
    fly_max_range,
    fly_to_target,
)
from securityroof.analysis.footprint import DEFAULT_REGION, analyse_footprint, cueing_variants
from securityroof.analysis.raid import run_raid
from securityroof.analysis.sharing import analyse_sharing
from securityroof.analysis.stability import (
    NEW_START_DEPLOYED_WARHEADS,
    SPEED_SWEEP_M_S,
    StabilityResult,
    analyse_stability,
)
from securityroof.errors import RoofError
from securityroof.model.catalog import load_catalog, load_missiles, unknown_name_error
from securityroof.model.scenario import Scenario, load_scenario
from securityroof.report.footprint_export import (
    footprint_cells,
    footprint_summary,
    write_geojson,
)
from securityroof.report.listing import KINDS, catalog_records, scenario_record

DEFAULT_BURNOUT_BODY = "generic-icbm"

app = typer.Typer(
    help="Security Roof: open physics of a jointly run missile defence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stdout = Console()
stderr = Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a RoofError into a short message and exit code 2."""
    try:
        yield
    except RoofError as exc:
        stderr.print(f"[bold red]error:[/] {exc.message()}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def parse_latlon(text: str, option: str) -> tuple[float, float]:
    """'LAT,LON' in degrees -> (lat_deg, lon_deg), checked."""
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


def flight_record(result: FlightResult) -> dict[str, Any]:
    """The JSON form of a flight (km, degrees, seconds, as documented in the README)."""
    record: dict[str, Any] = {
        "mode": result.mode,
        "missile": result.missile_id,
        "earth": {
            "model": result.earth.shape,
            "rotating": result.earth.rotating,
            "j2": result.earth.j2,
            "drag": result.earth.drag,
        },
        "launch": {
            "lat_deg": math.degrees(result.launch_lat),
            "lon_deg": math.degrees(result.launch_lon),
        },
        "range_km": result.range_m / 1e3,
        "flight_time_s": result.flight_time_s,
        "apogee_km": result.apogee_m / 1e3,
        "burnout": {
            "speed_m_s": result.burnout.speed_m_s,
            "angle_deg": math.degrees(result.burnout.angle),
            "altitude_km": result.burnout.altitude_m / 1e3,
            "time_s": result.burnout.time_s,
        },
        "impact": {
            "lat_deg": math.degrees(result.impact_lat),
            "lon_deg": math.degrees(result.impact_lon),
            "speed_m_s": result.impact_speed_m_s,
        },
        "parameter_case": result.case,
    }
    if result.ballistic_coefficient_kg_m2 is not None and math.isfinite(
        result.ballistic_coefficient_kg_m2
    ):
        record["ballistic_coefficient_kg_m2"] = result.ballistic_coefficient_kg_m2
    if result.guidance is not None:
        cutoff = result.guidance.cutoff_s
        record["guidance"] = {
            "azimuth_deg": math.degrees(result.guidance.azimuth) % 360.0,
            "kick_deg": math.degrees(result.guidance.kick),
            "cutoff_s": cutoff if math.isfinite(cutoff) else None,
        }
    if result.target_lat is not None and result.target_lon is not None:
        record["shape"] = result.shape
        record["target"] = {
            "lat_deg": math.degrees(result.target_lat),
            "lon_deg": math.degrees(result.target_lon),
        }
        record["miss_distance_m"] = result.miss_distance_m
    return record


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
        str, typer.Option(help="Catalog values to use: low, nominal or high.")
    ] = "nominal",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Fly a missile: to an aim point, from a burnout state, or to its maximum range."""
    with user_errors():
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
                    body = catalog.missile(missile or DEFAULT_BURNOUT_BODY, where="--missile")
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
                )
        record = flight_record(result)
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
        else:
            _print_table(record)


@app.command()
def catalog(
    kind: Annotated[str, typer.Argument(help=f"What to list: {' | '.join(KINDS)}.")] = "missiles",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List catalog entries with the source of every number."""
    with user_errors():
        if kind not in KINDS:
            raise unknown_name_error("catalog kind", kind, KINDS, "roof catalog")
        records = catalog_records(load_catalog(), kind)
        if as_json:
            sys.stdout.write(json.dumps(records) + "\n")
            return
        table = Table(title=f"catalog: {kind}", show_lines=False, header_style="bold")
        for column in ("id", "name", "sources cited"):
            table.add_column(column)
        for record in records:
            cited = sorted(set(record["sources"].values()))
            table.add_row(record["id"], str(record.get("name", "")), str(len(cited)))
        stdout.print(table)
        stdout.print("Use --json for every value with its citation.")


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Validate a scenario file and print what it contains."""
    with user_errors():
        record = scenario_record(load_scenario(scenario))
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        stdout.print(f"[bold]{record['name']}[/]  ({record['file']}, case {record['case']})")
        stdout.print(
            f"parties: {', '.join(record['parties'])}; cueing: {record['cueing']}"
            + (f", extra rules {record['cueing_rules']}" if record["cueing_rules"] else "")
        )
        sites = Table(title="sites", header_style="bold")
        for column in ("id", "party", "lat (deg)", "lon (deg)", "sensors", "interceptors"):
            sites.add_column(column)
        for site in record["sites"]:
            sites.add_row(
                site["id"],
                site["party"],
                f"{site['lat_deg']:.2f}",
                f"{site['lon_deg']:.2f}",
                ", ".join(site["sensors"]),
                ", ".join(f"{n} x {t}" for t, n in site["interceptors"].items()),
            )
        stdout.print(sites)
        threats = Table(title="threats", header_style="bold")
        for column in ("threat", "missile", "to", "shape"):
            threats.add_column(column)
        for threat in record["threats"]:
            threats.add_row(threat["name"], threat["missile"], threat["to"], threat["shape"])
        stdout.print(threats)


def engagement_record(record: EngagementRecord) -> dict[str, Any]:
    """The JSON form of one threat-site pair (km, seconds)."""
    altitude = record.intercept_altitude_m
    ground = record.intercept_ground_range_m
    return {
        "threat": record.threat,
        "site": record.site,
        "interceptor": record.interceptor,
        "engageable": record.engageable,
        "first_intercept_s": record.first_intercept_s,
        "last_intercept_s": record.last_intercept_s,
        "intercept_altitude_km": None if altitude is None else [a / 1e3 for a in altitude],
        "intercept_ground_range_km": None if ground is None else ground / 1e3,
        "closing_speed_m_s": record.closing_speed_m_s,
        "shots": record.shots,
        "reason": record.reason,
        "fire_control_s": record.fire_control_s,
        "track_source": record.track_source,
    }


@app.command()
def engage(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array of records.")] = False,
) -> None:
    """Engagement windows of every threat against every interceptor site."""
    with user_errors():
        result = run_engagements(load_scenario(scenario))
        records = [engagement_record(r) for r in result.records]
        if as_json:
            sys.stdout.write(json.dumps(records) + "\n")
            return
        table = Table(title=f"engagements: {result.scenario.name}", header_style="bold")
        for column in (
            "threat",
            "site",
            "interceptor",
            "window (s after launch)",
            "altitude (km)",
            "shots",
            "track from",
            "why not",
        ):
            table.add_column(column)
        for r in records:
            window = (
                f"{r['first_intercept_s']:.0f}-{r['last_intercept_s']:.0f}"
                if r["engageable"]
                else ""
            )
            altitude = (
                "{:.0f}-{:.0f}".format(*r["intercept_altitude_km"]) if r["engageable"] else ""
            )
            table.add_row(
                r["threat"],
                r["site"],
                r["interceptor"],
                window,
                altitude,
                str(r["shots"]),
                r["track_source"] or "",
                r["reason"],
            )
        stdout.print(table)


def stability_record(result: StabilityResult) -> dict[str, Any]:
    """The JSON form of the stability analysis (km/s as m/s, seconds)."""
    return {
        "scenario": result.scenario.name,
        "sha256": result.scenario.digest,
        "verdict": result.verdict,
        "verdict_by_interceptor": result.verdict_by_interceptor,
        "strategic_threats": result.strategic_threats,
        "engageable_strategic": [
            {
                "launch_area": e.launch_area,
                "target": e.target,
                "threat": e.threat,
                "site": e.site,
                "interceptor": e.interceptor,
                "window_s": list(e.window_s),
                "shots": e.shots,
            }
            for e in result.engageable
        ],
        "min_burnout_speed_m_s": result.min_burnout_speed_m_s,
        "min_burnout_speed_tracks_at_launch_m_s": result.min_burnout_speed_tracks_at_launch_m_s,
        "sensitivity": [
            {
                "threat": s.threat,
                "launch_area": s.launch_area,
                "engageable_by_case": s.engageable_by_case,
                "engageable_with_tracks_shared": s.engageable_with_tracks_shared,
                "engageable_with_tracks_at_launch": s.engageable_with_tracks_at_launch,
                "min_burnout_speed_m_s": s.min_burnout_speed_m_s,
                "min_burnout_speed_tracks_at_launch_m_s": s.min_burnout_speed_tracks_at_launch_m_s,
                "max_extra_launch_delay_s": s.max_extra_delay_s,
            }
            for s in result.sensitivity
        ],
        "demarcation": {
            d.interceptor: {
                "speed_m_s": d.speed_m_s,
                "speed_is_demonstrated": d.speed_is_demonstrated,
                "agreed_statement": d.agreed_statement,
                "test_targets": d.test_targets,
                "must_declare_plans": d.must_declare_plans,
                "note": d.note,
            }
            for d in result.demarcation
        },
        "new_start": {
            "deployed_warhead_limit": NEW_START_DEPLOYED_WARHEADS,
            "interceptors_able_to_engage": result.interceptors_able,
            "warheads_engageable_upper_bound": result.warheads_engageable_upper_bound,
            "share_of_limit": result.warheads_engageable_upper_bound / NEW_START_DEPLOYED_WARHEADS,
        },
    }


@app.command()
def stability(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML) with strategic threats.")],
    cluster: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (default: local cores)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Can the architecture engage strategic forces? The verdict and its evidence."""
    with user_errors():
        record = stability_record(analyse_stability(load_scenario(scenario), cluster=cluster))
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        n = len(record["engageable_strategic"])
        stdout.print(
            f"[bold]{record['scenario']}[/]: verdict [bold]{record['verdict']}[/] "
            f"({n} engageable pairs among {record['strategic_threats']} strategic trajectories)"
        )
        table = Table(title="what you would need to believe", header_style="bold")
        for column in (
            "threat",
            "engageable low/nominal/high",
            "with tracks shared",
            "with tracks at launch",
            "min burnout speed (m/s)",
            "min speed, tracks at launch (m/s)",
        ):
            table.add_column(column)
        for s in record["sensitivity"]:
            cases = "/".join(
                "n/a" if v is None else ("yes" if v else "no")
                for v in s["engageable_by_case"].values()
            )

            def speed(value: float | None) -> str:
                return (
                    f"none up to {SPEED_SWEEP_M_S[1] / 1e3:g} km/s"
                    if value is None
                    else f"{value:,.0f}"
                )

            table.add_row(
                s["threat"],
                cases,
                "yes" if s["engageable_with_tracks_shared"] else "no",
                "yes" if s["engageable_with_tracks_at_launch"] else "no",
                speed(s["min_burnout_speed_m_s"]),
                speed(s["min_burnout_speed_tracks_at_launch_m_s"]),
            )
        stdout.print(table)
        demarcation = Table(title="1997 demarcation agreements", header_style="bold")
        for column in ("interceptor", "speed (m/s)", "statement", "test targets", "note"):
            demarcation.add_column(column)
        for name, d in record["demarcation"].items():
            demarcation.add_row(
                name, f"{d['speed_m_s']:,.0f}", d["agreed_statement"], d["test_targets"], d["note"]
            )
        stdout.print(demarcation)
        ns = record["new_start"]
        stdout.print(
            f"New START: at most {ns['warheads_engageable_upper_bound']:,.0f} of "
            f"{ns['deployed_warhead_limit']:,} deployed warheads engageable "
            f"({ns['interceptors_able_to_engage']} interceptors able)."
        )


@app.command()
def raid(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    size: Annotated[int, typer.Option("--size", help="Missiles in the raid.")],
    trials: Annotated[int, typer.Option(help="Monte Carlo trials.")] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Seed (recorded in the output).")] = None,
    doctrine: Annotated[str, typer.Option(help="shoot-look-shoot or shoot-shoot.")] = (
        "shoot-look-shoot"
    ),
    saturate: Annotated[
        bool, typer.Option("--saturate", help="Allow a raid bigger than the inventory.")
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (default: local cores)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Monte Carlo raid: expected leakers, chance of no leaker, interceptors used."""
    with user_errors():
        analysis = run_raid(
            load_scenario(scenario),
            size,
            trials=trials,
            seed=seed,
            doctrine=doctrine,
            saturate=saturate,
            cluster=cluster,
        )
        r = analysis.result
        record: dict[str, Any] = {
            "scenario": analysis.scenario.name,
            "sha256": analysis.scenario.digest,
            "size": analysis.size,
            "trials": r.trials,
            "seed": r.seed,
            "doctrine": r.doctrine,
            "salvo_size": r.salvo_size,
            "site_order": r.site_order,
            "expected_leakers": r.expected_leakers,
            "expected_leakers_ci95": [float(v) for v in r.expected_leakers_ci],
            "p_no_leaker": r.p_no_leaker,
            "p_no_leaker_ci95": [float(v) for v in r.p_no_leaker_ci],
            "interceptors_used": [
                {
                    "site": b.site,
                    "interceptor": b.interceptor,
                    "inventory": b.count,
                    "mean": float(r.interceptors_used_mean[i]),
                    "ci95": [float(v) for v in r.interceptors_used_ci[i]],
                    "pk_range": [float(r.pk_low[i]), float(r.pk_high[i])],
                }
                for i, b in enumerate(analysis.batteries)
            ],
        }
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        low, high = r.expected_leakers_ci
        p_low, p_high = r.p_no_leaker_ci
        stdout.print(
            f"[bold]{record['scenario']}[/]: raid of {size}, {r.trials:,} trials, seed {r.seed}, "
            f"{r.doctrine}"
        )
        stdout.print(
            f"expected leakers {r.expected_leakers:.2f} (95% {low:.2f}-{high:.2f}); "
            f"no leaker {r.p_no_leaker:.1%} (95% {p_low:.1%}-{p_high:.1%})"
        )
        table = Table(title="interceptors used", header_style="bold")
        for column in ("site", "interceptor", "inventory", "mean used", "95% interval"):
            table.add_column(column)
        for i, battery in enumerate(analysis.batteries):
            ci_low, ci_high = r.interceptors_used_ci[i]
            table.add_row(
                battery.site,
                battery.interceptor,
                str(battery.count),
                f"{r.interceptors_used_mean[i]:.2f}",
                f"{ci_low:.2f}-{ci_high:.2f}",
            )
        stdout.print(table)


@app.command()
def share(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    seed: Annotated[
        int, typer.Option(help="Seed for sampled Shapley values (over 20 parties).")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Who contributes what: Shapley values, benefits and cost shares of the parties."""
    with user_errors():
        result = analyse_sharing(load_scenario(scenario), seed=seed)
        c = result.cooperation
        shares = c.cost_shares
        assert shares is not None
        rows = [
            {
                "party": party,
                "shapley": float(c.shapley[i]),
                "standard_error": float(c.standard_error[i]),
                "benefit_alone": float(c.benefit_alone[i]),
                "benefit_joint": float(c.benefit_grand[i]),
                "gain_from_joint_roof": float(c.benefit_gain[i]),
                "cost_share_by_shapley": float(shares.by_shapley[i]),
                "cost_share_by_benefit": float(shares.by_benefit[i]),
            }
            for i, party in enumerate(result.parties)
        ]
        record = {
            "scenario": result.scenario.name,
            "sha256": result.scenario.digest,
            "value_basis": result.value_basis,
            "method": c.method,
            "seed": c.seed,
            "grand_value": c.grand_value,
            "target_values": result.target_values,
            "parties": rows,
        }
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        unit = "people" if result.value_basis == "population" else "targets"
        stdout.print(
            f"[bold]{result.scenario.name}[/]: joint roof defends {c.grand_value:,.0f} {unit} "
            f"({c.method} Shapley values)"
        )
        table = Table(title="contributions and fair shares", header_style="bold")
        for column in (
            "party",
            f"Shapley ({unit})",
            f"alone ({unit})",
            f"joint ({unit})",
            "share by Shapley",
            "share by benefit",
        ):
            table.add_column(column)
        for i, party in enumerate(result.parties):
            table.add_row(
                party,
                f"{c.shapley[i]:,.0f}",
                f"{c.benefit_alone[i]:,.0f}",
                f"{c.benefit_grand[i]:,.0f}",
                f"{shares.by_shapley[i]:.1%}",
                f"{shares.by_benefit[i]:.1%}",
            )
        stdout.print(table)


@app.command()
def footprint(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    resolution_deg: Annotated[float, typer.Option(help="Grid resolution (degrees).")] = 1.0,
    region: Annotated[
        str | None,
        typer.Option(
            help="LAT_MIN,LAT_MAX,LON_MIN,LON_MAX in degrees (default: Europe and European Russia)."
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="Comma-separated catalog architectures to compare on the same threats."),
    ] = None,
    geojson: Annotated[
        Path | None, typer.Option(help="Write the threatened cells and cities as GeoJSON.")
    ] = None,
    cueing_study: Annotated[
        bool,
        typer.Option(
            "--cueing-study",
            help="Compare cueing across the NATO/Russia line (what each side's sensors add).",
        ),
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (default: local cores)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Defended footprint: which aim points the architecture defends, against what."""
    with user_errors():
        box: tuple[float, ...] = DEFAULT_REGION
        if region is not None:
            try:
                values = tuple(float(v) for v in region.split(","))
            except ValueError:
                values = ()
            if len(values) != 4:
                raise RoofError(
                    f"{region!r} is not LAT_MIN,LAT_MAX,LON_MIN,LON_MAX.", where="--region"
                )
            box = values
        base = load_scenario(scenario)
        variants = [base]
        labels = [_architecture_of(base)]
        if compare:
            for architecture in compare.split(","):
                variant = load_scenario(scenario, architecture=architecture.strip())
                variants.append(variant)
                labels.append(_architecture_of(variant))
        if cueing_study:
            for label, variant in cueing_variants(base):
                variants.append(variant)
                labels.append(f"{_architecture_of(base)}: {label}")
        results = [
            analyse_footprint(
                v,
                resolution_deg=resolution_deg,
                region=box,  # type: ignore[arg-type]
                cluster=cluster,
            )
            for v in variants
        ]
        if geojson is not None:
            write_geojson(results[0], geojson)
        summaries = []
        for label, result in zip(labels, results, strict=True):
            summary = footprint_summary(result)
            summary["architecture"] = label
            summaries.append(summary)
        record = {**summaries[0], "cells_detail": footprint_cells(results[0])}
        if compare or cueing_study:
            record["comparison"] = summaries
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
            return
        table = Table(title=f"defended footprint: {base.name}", header_style="bold")
        for column in (
            "architecture",
            "cells threatened",
            "cells defended",
            "population threatened",
            "population defended",
        ):
            table.add_column(column)
        for summary in summaries:
            table.add_row(
                str(summary["architecture"]),
                f"{summary['cells_threatened']:,}",
                f"{summary['cells_defended']:,}",
                f"{summary['population_threatened']:,.0f}",
                f"{summary['population_defended']:,.0f}",
            )
        stdout.print(table)
        if geojson is not None:
            stdout.print(f"GeoJSON written to {geojson}")


def _architecture_of(scenario: Scenario) -> str:
    return scenario.architecture or "(scenario sites)"


def _print_version(value: bool) -> None:
    if value:
        stdout.print(f"securityroof {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Security Roof: open physics of a jointly run missile defence."""


def main() -> None:
    app()
