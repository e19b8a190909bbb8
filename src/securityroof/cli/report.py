"""`roof assess`: one command, a complete assessment report with maps."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from securityroof.cli._app import app, stdout, user_errors
from securityroof.model.scenario import default_scenario_path, load_scenario

DEFAULT_OUT = Path("securityroof-report")


def default_scenario() -> Path:
    """The built-in assessment: the joint NATO-Russia roof."""
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
    open_report: Annotated[
        bool, typer.Option("--open", help="Open the report in a browser when done.")
    ] = False,
) -> None:
    """Assess an architecture: verdict, footprints, shares, raid; an HTML report with maps."""
    from securityroof.report.files import prepare_report_target

    with user_errors():
        path = scenario or default_scenario()
        # --out is checked first, before the heavy imports and any physics.
        prepare_report_target(out, force=force, scenario=path)
        # Imported here: the whole analysis stack is heavy, and other commands need not wait.
        from securityroof.analysis.assess import assess as run_assessment
        from securityroof.analysis.engagement import require_batteries
        from securityroof.report.footprint_export import footprint_summary
        from securityroof.report.html import write_report

        loaded = load_scenario(path)  # a scenario error stops before any output
        require_batteries(loaded)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=stdout,
            transient=True,
        ) as progress:
            task = progress.add_task("starting", total=None)

            def step(name: str) -> None:
                progress.update(task, description=name)

            result = run_assessment(loaded, resolution_deg=resolution_deg, step=step)
            step("writing the report")
            index = write_report(result, out, force=force, scenario=path)
        table = Table(title=f"assessment: {loaded.name}", header_style="bold")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        verdict = result.stability.verdict if result.stability else "no strategic threats"
        table.add_row("stability verdict", verdict)
        summary = footprint_summary(result.footprint)
        table.add_row(
            "population defended (million)",
            f"{summary['population_defended'] / 1e6:,.1f} of "
            f"{summary['population_threatened'] / 1e6:,.1f}",
        )
        shares = result.sharing.cooperation.cost_shares
        assert shares is not None
        for i, party in enumerate(result.sharing.parties):
            table.add_row(f"cost share by Shapley: {party}", f"{shares.by_shapley[i]:.1%}")
        if result.raid is not None:
            r = result.raid.result
            table.add_row(
                f"leakers, raid of {result.raid.size}", f"{r.expected_leakers:.2f} (seed {r.seed})"
            )
        stdout.print(table)
        stdout.print(f"report: {index}")
        if open_report:
            webbrowser.open(index.resolve().as_uri())
