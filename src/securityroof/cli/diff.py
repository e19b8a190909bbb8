"""`roof diff`: compare two assessment reports, outcomes first, then inputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from securityroof.cli._app import AsJson, app, stdout, titled_table, user_errors


def _number(value: Any, scale: float = 1.0, digits: int = 1) -> str:
    if value is None:
        return "not run"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value / scale:,.{digits}f}"
    return str(value)


def _change(pair: dict[str, Any], scale: float = 1.0, digits: int = 1) -> str:
    a, b = pair["a"], pair["b"]
    if not pair["changed"]:
        return "same"
    if isinstance(a, int | float) and isinstance(b, int | float):
        return f"{(b - a) / scale:+,.{digits}f}"
    return "changed"


def _listed(title: str, lines: list[str], limit: int) -> None:
    stdout.print(f"[bold]{title}[/] ({len(lines)}):" if lines else f"{title}: none")
    for line in lines[:limit]:
        stdout.print(f"  {line}", highlight=False, soft_wrap=True)
    if len(lines) > limit:
        stdout.print(f"  ... and {len(lines) - limit} more (--json lists every one)")


def print_diff(record: dict[str, Any]) -> None:
    """The comparison as text and tables; A and B are the two folders."""
    from securityroof.report.diff import MAX_LISTED

    outcome, inputs = record["outcome"], record["inputs"]
    stdout.print(f"A: {record['a']}", highlight=False)
    stdout.print(f"B: {record['b']}", highlight=False)
    verdict = outcome["verdict"]
    stdout.print(
        f"stability verdict: {_number(verdict['a'])} in A, {_number(verdict['b'])} in B"
        + (" [bold](changed)[/]" if verdict["changed"] else "")
    )
    outcomes = titled_table("outcomes (A, B and B minus A)", ("quantity", "A", "B", "change"))
    for label, pair in outcome["population_defended"].items():
        outcomes.add_row(
            f"population defended, {label} (million)",
            _number(pair["a"], 1e6),
            _number(pair["b"], 1e6),
            _change(pair, 1e6),
        )
    for party, pair in outcome["shapley"].items():
        outcomes.add_row(
            f"Shapley value, {party} (people; targets where no city matched)",
            _number(pair["a"], digits=0),
            _number(pair["b"], digits=0),
            _change(pair, digits=0),
        )
    raid = outcome["raid_expected_leakers"]
    outcomes.add_row(
        "reference raid, expected leakers",
        _number(raid["a"], digits=2),
        _number(raid["b"], digits=2),
        _change(raid, digits=2),
    )
    stdout.print(outcomes)
    stdout.print("'not run': the part was not run in that report (roof assess --only).")
    _listed("results that differ", outcome["results_changed"], MAX_LISTED)
    scenario = inputs["scenario"]
    if not scenario["sha256"]["changed"]:
        stdout.print(f"scenario: the same file (SHA-256 {str(scenario['sha256']['a'])[:16]}…)")
    else:
        text = scenario["text_diff"]
        stdout.print(
            "[bold]scenario: changed[/]"
            + (
                f", {text['lines_added']} lines added and {text['lines_removed']} removed:"
                if text
                else " (a report without the scenario text: only the hashes differ)"
            )
        )
        for line in text["diff"] if text else []:
            stdout.print(f"  {line}", highlight=False, soft_wrap=True, markup=False)
        if text and text["diff_lines_left_out"]:
            stdout.print(f"  ... and {text['diff_lines_left_out']} more lines")
    catalog = inputs["catalog"]
    if catalog["values_changed"] is None:
        stdout.print("catalog values: not recorded in one of the reports")
    else:
        _listed("catalog values that differ", catalog["values_changed"], MAX_LISTED)
    files = catalog["files_changed"]
    stdout.print(f"catalog files that differ: {', '.join(files) if files else 'none'}")
    version = inputs["version"]
    stdout.print(
        f"code version: {version['a']} in A, {version['b']} in B"
        + (" [bold](changed)[/]" if version["changed"] else "")
    )
    _listed("options that differ", inputs["options_changed"], MAX_LISTED)


@app.command()
def diff(
    report_a: Annotated[Path, typer.Argument(help="A report folder (roof assess --out).")],
    report_b: Annotated[Path, typer.Argument(help="Another report folder, compared with A.")],
    as_json: AsJson = False,
) -> None:
    """Compare two assessment reports: verdict, defended population, shares, and what
    changed in the inputs (scenario, catalog values, code version, options).

    Exits 0 when nothing differs, 1 when something does (as diff does).
    """
    from securityroof.report.diff import any_change, diff_reports

    with user_errors():
        record = diff_reports(report_a, report_b)
        if as_json:
            sys.stdout.write(json.dumps(record) + "\n")
        else:
            print_diff(record)
    if any_change(record):
        raise typer.Exit(1)
