"""The progress of long commands: log lines when not in a terminal, a bar in one."""

from __future__ import annotations

import io
import re

from rich.console import Console

from securityroof.cli.progress import StepProgress


def _run(console: Console) -> None:
    with StepProgress(console, then=("writing the report",)) as progress:
        progress.planned(["engagements", "footprint \x1b[2Jx", "reference raid"])
        for name in ("engagements", "footprint \x1b[2Jx"):
            progress.started(name)
            progress.finished(name, 1234.56)
        progress.finished("reference raid", None)  # skipped: no battery can engage
        with progress.step("writing the report"):
            pass


def test_not_in_a_terminal_each_step_is_one_line_with_its_duration() -> None:
    file = io.StringIO()
    _run(Console(file=file, force_terminal=False))
    lines = file.getvalue().splitlines()
    assert lines[:3] == [
        "roof: [1/4] engagements: 1,234.6 s",
        "roof: [2/4] footprint \\x1b[2Jx: 1,234.6 s",  # a name's escape codes shown, not sent
        "roof: [3/4] reference raid: skipped",
    ]
    assert re.fullmatch(r"roof: \[4/4\] writing the report: \d+\.\d s", lines[3])
    assert len(lines) == 4


def test_in_a_terminal_a_bar_and_no_log_lines() -> None:
    file = io.StringIO()
    _run(Console(file=file, force_terminal=True, width=100))
    assert "roof: [" not in file.getvalue()  # the bar, transient, redrawn in place
