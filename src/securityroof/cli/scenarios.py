"""`roof catalog`, `roof check` and `roof engage`: the catalog and scenarios."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from securityroof.cli._app import AsJson, app, stdout, titled_table, user_errors
from securityroof.records.engagement import engagement_record
from securityroof.report.catalog_kinds import KINDS

# The catalog, the scenario models and the physics are imported by the commands
# that use them, so that `roof --help` starts without loading them.


@app.command()
def catalog(
    kind: Annotated[str, typer.Argument(help=f"What to list: {' | '.join(KINDS)}.")] = "missiles",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List catalog entries with the source of every number."""
    from securityroof.model.catalog import load_catalog, unknown_name_error
    from securityroof.report.listing import catalog_records

    with user_errors():
        if kind not in KINDS:
            raise unknown_name_error("catalog kind", kind, KINDS, "roof catalog")
        records = catalog_records(load_catalog(), kind)
        if as_json:
            sys.stdout.write(json.dumps(records) + "\n")
            return
        table = titled_table(f"catalog: {kind}", ("id", "name", "sources cited"))
        for record in records:
            cited = sorted(set(record["sources"].values()))
            table.add_row(record["id"], str(record.get("name", "")), str(len(cited)))
        stdout.print(table)
        stdout.print("Use --json for every value with its citation.")


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    as_json: AsJson = False,
) -> None:
    """Validate a scenario file and print what it contains."""
    from securityroof.model.scenario import load_scenario
    from securityroof.report.listing import scenario_record

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
        sites = titled_table(
            "sites", ("id", "party", "lat (deg)", "lon (deg)", "sensors", "interceptors")
        )
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
        threats = titled_table("threats", ("threat", "missile", "to", "shape"))
        for threat in record["threats"]:
            threats.add_row(threat["name"], threat["missile"], threat["to"], threat["shape"])
        stdout.print(threats)


def _track(source: str | None, time_s: float | None) -> str:
    """'site at 224 s', or empty."""
    if source is None or time_s is None:
        return ""
    return f"{source} at {time_s:.0f} s"


@app.command()
def engage(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array of records.")] = False,
) -> None:
    """Engagement windows of every threat against every interceptor site."""
    from securityroof.analysis.engagement import run_engagements
    from securityroof.model.scenario import load_scenario

    with user_errors():
        result = run_engagements(load_scenario(scenario))
        records = [engagement_record(r) for r in result.records]
        if as_json:
            sys.stdout.write(json.dumps(records) + "\n")
            return
        table = titled_table(
            f"engagements: {result.scenario.name}",
            (
                "threat",
                "site",
                "interceptor",
                "window (s after launch)",
                "altitude (km)",
                "shots",
                "launch track",
                "guided by",
                "why not",
            ),
        )
        for r in records:
            window = (
                f"{r['first_intercept_s']:.0f}-{r['last_intercept_s']:.0f}"
                if r["engageable"]
                else ""
            )
            low_high = r["intercept_altitude"]
            altitude = (
                f"{low_high['min_km']:.0f}-{low_high['max_km']:.0f}" if r["engageable"] else ""
            )
            table.add_row(
                r["threat"],
                r["site"],
                r["interceptor"],
                window,
                altitude,
                str(r["shots"]),
                _track(r["track_source"], r["launch_track_s"]),
                _track(r["guidance_source"], r["guidance_track_s"]),
                r["reason"],
            )
        stdout.print(table)
