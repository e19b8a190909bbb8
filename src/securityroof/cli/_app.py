"""The `roof` application: one typer app, its consoles and its error handling.

User errors (RoofError) print one or two lines on stderr and exit with code 2,
never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from securityroof import __version__
from securityroof.errors import RoofError

# Options several commands share.
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]
Cluster = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (default: local cores)."),
]

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
        stderr.print(
            f"[bold red]error:[/] {escape(exc.message())}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(2) from None


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


def titled_table(title: str, columns: Iterable[str]) -> Table:
    """A table with bold headers whose cells wrap rather than truncate in a narrow terminal."""
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table
