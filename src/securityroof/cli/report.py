"""`roof assess`: one command, a complete assessment report with maps."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from securityroof.cli._app import app, stdout, titled_table, user_errors
from securityroof.errors import RoofError

if TYPE_CHECKING:
    from securityroof.analysis.assess import Assessment
    from securityroof.model.scenario import Scenario

DEFAULT_OUT = Path("securityroof-report")


def default_scenario() -> Path:
    """The built-in assessment: the joint NATO-Russia roof."""
    from securityroof.model.scenario import default_scenario_path

    return default_scenario_path()


@app.command()
def assess(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario file (default: the joint NATO-Russia roof).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Report folder to write.")] = DEFAULT_OUT,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing report folder (only a report).")
    ] = False,
    resolution_deg: Annotated[float, typer.Option(help="Footprint grid (degrees).")] = 1.0,
    single_file: Annotated[
        bool,
        typer.Option(
            "--single-file",
            help="Inline the figures into index.html: one file that opens alone, offline "
            "(the exports stay beside it).",
        ),
    ] = False,
    open_report: Annotated[
        bool, typer.Option("--open", help="Open the report in a browser when done.")
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(
            help="Run only these parts, comma-separated: engagements, footprint, stability, "
            "envelope, validation, sharing, raid (the raid runs the engagements too).",
        ),
    ] = None,
    compare: Annotated[
        str,
        typer.Option(
            help="Catalog architectures drawn beside the scenario's, comma-separated, or 'none'.",
        ),
    ] = "epaa-phase-1,epaa-phase-2,epaa-phase-3,epaa-phase-4",
    cueing_study: Annotated[
        bool,
        typer.Option(
            "--cueing-study/--no-cueing-study",
            help="Also draw the footprints of the cueing variants (each side's sensors alone).",
        ),
    ] = True,
) -> None:
    """Assess an architecture: verdict, footprints, shares, raid; an HTML report with maps."""
    from securityroof.report.files import prepare_report_target

    with user_errors():
        # Imported here: the whole analysis stack is heavy, and other commands need not wait.
        from securityroof.analysis.assess import PARTS, check_parts

        parts = PARTS if only is None else check_parts(_listed(only))
        path = scenario or default_scenario()
        # --out is checked before any physics.
        prepare_report_target(out, force=force, scenario=path)
        from securityroof.analysis.assess import assess as run_assessment
        from securityroof.analysis.engagement import require_batteries
        from securityroof.cli.progress import StepProgress
        from securityroof.model.scenario import load_scenario
        from securityroof.report.html import write_report

        loaded = load_scenario(path)  # a scenario error stops before any output
        require_batteries(loaded)
        architectures = _compared(compare, loaded)
        with StepProgress(then=("writing the report",)) as progress:
            result = run_assessment(
                loaded,
                resolution_deg=resolution_deg,
                parts=parts,
                compare=architectures,
                cueing_study=cueing_study,
                reporter=progress,
            )
            with progress.step("writing the report"):
                index = write_report(
                    result, out, force=force, scenario=path, single_file=single_file
                )
        table = titled_table(f"assessment: {loaded.name}", ("quantity", "value"))
        for quantity, value in summary_rows(result):
            table.add_row(quantity, value)
        stdout.print(table)
        stdout.print(f"report: {index}")
        if open_report:
            webbrowser.open(index.resolve().as_uri())


def _listed(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _compared(text: str, scenario: Scenario) -> tuple[str, ...]:
    """The architectures of --compare, each checked against the catalog."""
    from securityroof.model.catalog import unknown_name_error

    if text.strip() == "none":
        return ()
    names = _listed(text)
    for name in names:
        if name not in scenario.catalog.architectures:
            raise unknown_name_error(
                "architecture", name, scenario.catalog.architectures, "--compare"
            )
    if not names:
        raise RoofError(
            "no architecture named.", where="--compare", fix="Name catalog architectures or 'none'."
        )
    return tuple(names)


def summary_rows(result: Assessment) -> list[tuple[str, str]]:
    """The terminal summary of an assessment: (quantity, value) rows, parts not
    run said so."""
    from securityroof.records.footprint import footprint_summary

    skipped = "not run (--only)"
    rows: list[tuple[str, str]] = []
    if result.stability is not None:
        rows.append(("stability verdict", result.stability.verdict))
    elif result.ran("stability"):
        rows.append(("stability verdict", "none: no other party's strategic forces in the set"))
    else:
        rows.append(("stability verdict", skipped))
    if result.footprint is not None:
        summary = footprint_summary(result.footprint)
        defended = (
            f"{summary['population_defended'] / 1e6:,.1f} of "
            f"{summary['population_threatened'] / 1e6:,.1f}"
        )
    else:
        defended = skipped
    rows.append(("population defended (million)", defended))
    if result.sharing is not None:
        shares = result.sharing.cooperation.cost_shares
        assert shares is not None
        for i, party in enumerate(result.sharing.parties):
            rows.append((f"cost share by Shapley value: {party}", f"{shares.by_shapley[i]:.1%}"))
    else:
        rows.append(("cost shares", skipped))
    if result.raid is not None:
        r = result.raid.result
        rows.append(
            (
                f"expected leakers, raid of {result.raid.size}",
                f"{r.expected_leakers:.2f} (seed {r.seed})",
            )
        )
    else:
        rows.append(
            ("reference raid", "none: no battery can engage" if result.ran("raid") else skipped)
        )
    return rows
