"""Progress of long commands, on stderr (stdout stays clean for --json).

In a terminal: a bar with the steps done, the time elapsed and an estimate
of the time left (from the steps done so far). Elsewhere (a pipe, a log
file, CI): one plain line per step as it ends, with its duration, so a
silent minute never looks like a hang:

    roof: [3/12] footprint epaa-phase-1: 4.2 s
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from securityroof.cli._app import stderr, visible


class StepProgress:
    """Reports named steps (a `StepReporter` of the assessment): a bar in a
    terminal, log lines elsewhere. Use as a context manager."""

    def __init__(self, console: Console | None = None, *, then: tuple[str, ...] = ()) -> None:
        """`then`: steps the caller runs itself after the planned ones (with `step`)."""
        self.console = console or stderr
        self.then = then
        self.steps: list[str] = list(then)
        self.done = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._started = time.perf_counter()

    def __enter__(self) -> StepProgress:
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def planned(self, steps: list[str]) -> None:
        self.steps = [*steps, *self.then]
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=len(self.steps) or None, completed=0)

    def started(self, name: str) -> None:
        self._started = time.perf_counter()
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=visible(name))

    def finished(self, name: str, seconds: float | None) -> None:
        self.done += 1
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done)
            return
        total = max(len(self.steps), self.done)
        took = "skipped" if seconds is None else f"{seconds:,.1f} s"
        self._line(f"roof: [{self.done}/{total}] {visible(name)}: {took}")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """A step the caller runs itself (writing the report): announced and timed."""
        if name not in self.steps:
            self.steps.append(name)
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, total=len(self.steps))
        self.started(name)
        yield
        self.finished(name, time.perf_counter() - self._started)

    def _line(self, text: str) -> None:
        file = self.console.file
        file.write(text + "\n")
        file.flush()
