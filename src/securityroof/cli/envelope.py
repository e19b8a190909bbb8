"""`roof envelope`: the verifiable limits that keep a roof non-strategic, signed and rerun."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from securityroof.cli._app import AsJson, Cluster, app, stdout, titled_table, user_errors
from securityroof.errors import RoofError


def _region(text: str) -> tuple[float, float, float, float]:
    """ "lat_min,lat_max,lon_min,lon_max" in degrees."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        raise RoofError(
            f"the region {text!r} is not four numbers.",
            where="--region",
            fix="Give lat_min,lat_max,lon_min,lon_max in degrees, e.g. 25,75,-30,70.",
        )
    return values


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def print_envelope(record: dict[str, Any]) -> None:
    """The envelope as tables (units in the headers)."""
    now = record["strategic_now"]
    stdout.print(f"[bold]{record['scenario']}[/]")
    stdout.print(
        f"Protecting the strategic forces of {', '.join(record['protected_parties'])}; "
        f"limits sure in {record['probability']:.0%} of "
        + (f"{record['draws']} draws (seed {record['seed']})" if record["draws"] else "the cases")
        + f". The roof as declared engages some: p = {now['p']:.2f}."
    )
    regional = record["regional"]
    stdout.print(
        f"Regional defence measured on {regional['threats']} regional threats worth "
        f"{regional['population_total'] / 1e6:,.1f} million ({regional['basis']})."
    )
    speeds = titled_table(
        "burnout-speed limits, per battery",
        (
            "battery",
            "catalogued (m/s)",
            "limit (m/s)",
            "margin (m/s)",
            "regional threats kept",
            "population kept (million)",
        ),
    )
    for s in record["speed_limits"]:
        limit = {
            "above the sweep": f"none up to {s['limit_m_s']:,.0f}",
            "below the sweep": "engages at any speed",
        }.get(s["bound"], f"{s['limit_m_s']:,.0f}" if s["limit_m_s"] is not None else "")
        speeds.add_row(
            f"{s['interceptor']} at {s['site']}",
            f"{s['catalogued_m_s']:,.0f}",
            limit,
            "" if s["margin_m_s"] is None else f"{s['margin_m_s']:+,.0f}",
            f"{s['regional_at_limit']} of {s['regional_catalogued']}",
            f"{s['population_at_limit'] / 1e6:,.1f} of {s['population_catalogued'] / 1e6:,.1f}",
        )
    stdout.print(speeds)
    if record["links"]:
        links = titled_table(
            "data links: earliest track time each may pass",
            (
                "link",
                "now",
                "limit",
                "earliest (s after launch)",
                "first tracks (median s)",
                "regional threats without / with",
            ),
        )
        for link in record["links"]:
            links.add_row(
                f"{link['sensor_party']} sensors to {link['battery_party']} interceptors",
                "passed" if link["in_scenario"] else "not passed",
                link["status"],
                _seconds(link["earliest_s"]),
                _seconds(link["attainable_s"]),
                f"{link['regional_without']} / {link['regional_with']}",
            )
        stdout.print(links)
    if record["site_maps"]:
        maps = titled_table(
            "where a battery may stand: kept-out share of the map",
            ("interceptor", "own radar", "cells", "land kept out", "sea kept out"),
        )
        for m in record["site_maps"]:
            maps.add_row(
                m["interceptor"],
                m["own_radar"] or "none",
                f"{m['shape'][0] * m['shape'][1]:,} at {m['resolution_deg']:g} deg",
                f"{m['keep_out_share_of_land']:.1%}",
                f"{m['keep_out_share_of_sea']:.1%}",
            )
        stdout.print(maps)
    if record["patrol_areas"]:
        patrols = titled_table(
            "declared patrol areas",
            ("area", "interceptor", "verdict", "best margin (s)", "places judged"),
        )
        for p in record["patrol_areas"]:
            patrols.add_row(
                p["area"],
                p["interceptor"],
                p["verdict"],
                _seconds(p["best_margin_s"]),
                str(p["points"]),
            )
        stdout.print(patrols)
    for t in record["tradeoffs"]:
        strongest = t["strongest_cap_m_s"]
        stdout.print(
            f"Trade-off, {t['architecture']}: "
            + (
                "no common speed limit in the sweep keeps it non-strategic"
                if strongest is None
                else f"non-strategic at its catalogued speeds (fastest {strongest:,.0f} m/s): "
                "no speed limit is needed"
                if not t["limit_needed"]
                else f"the strongest common speed limit that keeps it non-strategic is "
                f"{strongest:,.0f} m/s, defending {t['population_at_strongest'] / 1e6:,.1f} "
                f"of {t['population_uncapped'] / 1e6:,.1f} million"
            )
            + "."
        )
    regime = titled_table(
        "the regime: verifiable parameters",
        ("parameter", "subject", "declared", "limit", "margin", "unit", "note"),
    )
    for r in record["regime"]:
        regime.add_row(
            r["parameter"],
            r["subject"],
            "" if r["declared"] is None else f"{r['declared']:,.6g}",
            "" if r["limit"] is None else f"{r['limit']:,.6g}",
            "" if r["margin"] is None else f"{r['margin']:+,.6g}",
            r["unit"],
            r["note"],
        )
    stdout.print(regime)


def _verify(path: Path, cluster: str | None, as_json: bool) -> None:
    from securityroof.ops.manifest import load_manifest, verify_manifest

    found = verify_manifest(load_manifest(path), cluster=cluster)
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "agrees": found.agrees,
                    "signature_valid": found.signature_valid,
                    "key_id": found.key_id,
                    "scenario_sha256_matches": found.scenario_sha256_matches,
                    "catalog_differences": found.catalog_differences,
                    "result_differences": found.result_differences,
                    "software_then": found.software_then,
                    "software_now": found.software_now,
                }
            )
            + "\n"
        )
    else:
        stdout.print(
            f"signature by key {found.key_id}: "
            + (
                "valid"
                if found.signature_valid
                else "[bold red]does not verify[/] (changed after signing, or not signed by "
                "the key it names): not rerun"
            )
        )
        stdout.print(f"software: {found.software_then} then, {found.software_now} now")
        for title, items in (
            ("catalog values that differ", found.catalog_differences),
            ("results that differ", found.result_differences),
        ):
            if items:
                stdout.print(f"[bold]{title}[/] ({len(items)}):")
                for line in items[:50]:
                    stdout.print(f"  {line}", highlight=False)
                if len(items) > 50:
                    stdout.print(f"  ... and {len(items) - 50} more")
        stdout.print("[bold]agree[/]" if found.agrees else "[bold red]differ[/]")
    if not found.agrees:
        raise typer.Exit(1)


@app.command()
def envelope(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario file (TOML); not with --verify.")
    ] = None,
    party: Annotated[
        str | None,
        typer.Option(help="Protect only this party's strategic forces (default: every party's)."),
    ] = None,
    probability: Annotated[
        float, typer.Option(help="Share of the uncertainty draws the limits must hold in.")
    ] = 0.95,
    draws: Annotated[
        int, typer.Option(help="Monte Carlo draws over the uncertain values (0: the cases).")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo sample.")] = 0,
    resolution_deg: Annotated[float, typer.Option(help="Site-map cell size (degrees).")] = 1.0,
    region: Annotated[
        str, typer.Option(help="Site-map box: lat_min,lat_max,lon_min,lon_max (degrees).")
    ] = "25,75,-30,70",
    maps: Annotated[
        bool, typer.Option("--maps/--no-maps", help="Site maps and patrol-area verdicts.")
    ] = True,
    compare: Annotated[
        str, typer.Option(help="Other catalog architectures for the trade-off, comma-separated.")
    ] = "",
    geojson: Annotated[
        Path | None, typer.Option(help="Write keep-out zones, patrol areas and sites (GeoJSON).")
    ] = None,
    manifest: Annotated[
        Path | None, typer.Option(help="Write a signed manifest another party can rerun.")
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(help="Ed25519 signing key (PEM) for --manifest; created if missing."),
    ] = None,
    verify: Annotated[
        Path | None, typer.Option(help="Rerun a manifest and say agree or differ (exit 0 / 1).")
    ] = None,
    cluster: Cluster = None,
    as_json: AsJson = False,
) -> None:
    """The transparency envelope: speed limits, where sites may stand, when links may pass
    tracks, the regime's verifiable parameters and the regional-defence trade-off."""
    from securityroof.model.scenario import load_scenario
    from securityroof.ops.manifest import EnvelopeOptions, build_manifest, run_envelope
    from securityroof.records.envelope import envelope_record
    from securityroof.report.envelope_export import envelope_geojson
    from securityroof.report.files import write_text_atomically

    with user_errors():
        if verify is not None:
            if scenario is not None:
                raise RoofError(
                    "--verify reruns the scenario the manifest holds: give no scenario file.",
                    where="--verify",
                )
            _verify(verify, cluster, as_json)
            return
        if scenario is None:
            raise RoofError(
                "give a scenario file, or --verify MANIFEST.",
                fix="For example: roof envelope examples/epaa-phase-3.toml",
            )
        if manifest is not None and key is None:
            raise RoofError(
                "--manifest needs --key: the Ed25519 key that signs it (created if missing).",
                where="--manifest",
                fix="Add --key my-party.pem",
            )
        for target in (geojson, manifest):
            if target is not None and not target.parent.is_dir():
                raise RoofError("its folder does not exist.", where=str(target))
        options = EnvelopeOptions(
            party=party,
            probability=probability,
            draws=draws,
            seed=seed,
            region=_region(region),
            resolution_deg=resolution_deg,
            maps=maps,
            compare=tuple(a.strip() for a in compare.split(",") if a.strip()),
        )
        loaded = load_scenario(scenario)
        for name in options.compare:
            if name not in loaded.catalog.architectures:
                from securityroof.model.catalog import unknown_name_error

                raise unknown_name_error(
                    "architecture", name, loaded.catalog.architectures, "--compare"
                )
        result = run_envelope(loaded, options, cluster=cluster)
        record = envelope_record(result)
        signed = None
        if manifest is not None and key is not None:
            from securityroof.ops.checkpoints import LogSigner

            try:
                signer = LogSigner.load_or_create(key)
            except (OSError, ValueError) as exc:
                raise RoofError(f"cannot use the signing key ({exc}).", where=str(key)) from None
            signed = build_manifest(loaded, options, result, signer)
        if geojson is not None:
            write_text_atomically(geojson, json.dumps(envelope_geojson(result)))
        if manifest is not None and signed is not None:
            write_text_atomically(manifest, json.dumps(signed, indent=1))
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
        else:
            print_envelope(record)
