"""The `roof` application: one typer app, its consoles and its error handling.

User errors (RoofError) print one or two lines on stderr and exit with code 2,
never a traceback; Ctrl-C prints "interrupted" and exits with code 130. Text
from the user (scenario names, paths) is printed as it is: rich markup in it
is not interpreted and control characters are shown as escapes, never sent
to the terminal.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from securityroof._version import __version__
from securityroof.errors import RoofError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _can_write_in(folder: Path) -> bool:
    """Whether this process can write in `folder`, or create it."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def _private_temp_dir() -> Path:
    """A folder in the temporary directory that only this user can write.

    The same one on every run (so compiled kernels are cached between runs),
    unless someone else could have planted it: then a fresh one.
    """
    getuid = getattr(os, "getuid", None)
    uid = getuid() if getuid is not None else 0
    folder = Path(tempfile.gettempdir()) / f"securityroof-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return Path(tempfile.mkdtemp(prefix="securityroof-"))
    private = (
        stat.S_ISDIR(info.st_mode)
        and (getuid is None or info.st_uid == uid)
        and not info.st_mode & 0o022
    )
    return folder if private else Path(tempfile.mkdtemp(prefix="securityroof-"))


def use_temp_caches_without_home(environ: MutableMapping[str, str], package: Path) -> None:
    """Point numba's and matplotlib's caches at a temporary folder where the
    home folder cannot hold them (no HOME, a read-only one, HOME=/dev/null).

    Numba refuses to decorate a cached kernel at import when it finds nowhere
    to write (next to the package, or in the user's cache folder), so without
    this any command, even `roof --version`, would fail. Settings the user
    made (NUMBA_CACHE_DIR, MPLCONFIGDIR) are kept.
    """
    home = environ.get("HOME", "")
    if home:
        cache = Path(environ.get("XDG_CACHE_HOME") or Path(home) / ".cache")
        config = Path(environ.get("XDG_CONFIG_HOME") or Path(home) / ".config")
        home_ok = _can_write_in(cache) and _can_write_in(config)
    else:
        home_ok = False
    if home_ok:
        return
    fallback: Path | None = None
    if "NUMBA_CACHE_DIR" not in environ and not _can_write_in(package / "core" / "__pycache__"):
        fallback = _private_temp_dir()
        environ["NUMBA_CACHE_DIR"] = str(fallback / "numba")
    if "MPLCONFIGDIR" not in environ:
        fallback = fallback or _private_temp_dir()
        environ["MPLCONFIGDIR"] = str(fallback / "matplotlib")


# Before anything imports numba or matplotlib (the commands import them).
use_temp_caches_without_home(os.environ, Path(__file__).resolve().parents[1])

# The markup this application's own messages use; any other bracket is text.
# (User text holding exactly one of these tags may restyle a line, no more.)
_OWN_MARKUP = re.compile(r"(\[(?:/|bold|bold red|red)\])")
_BIDI = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def visible(text: str) -> str:
    """`text` with control characters (escape codes, carriage returns, NUL) and
    bidirectional overrides written as escapes; newlines and tabs kept."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char not in "\n\t" and (
            category == "Cc" or (category == "Cf" and unicodedata.bidirectional(char) in _BIDI)
        ):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def shown(text: str) -> str:
    """User text made safe to put into a rich markup string."""
    return escape(visible(text))


class SafeConsole(Console):
    """A console that never lets printed text run markup or control the terminal.

    Strings are rendered with the application's own few style tags; every
    other bracket (a scenario called "[/draft]") is printed as written, and
    control characters are shown as escapes. Tables made by `titled_table`
    hold their cells as plain text; other tables' string cells come here.
    """

    def render_str(self, text: str, *, markup: bool | None = None, **kwargs: Any) -> Text:
        use_markup = self._markup if markup is None else markup
        if not use_markup:
            return super().render_str(visible(text), markup=False, **kwargs)
        parts = _OWN_MARKUP.split(text)
        safe = "".join(part if i % 2 else shown(part) for i, part in enumerate(parts))
        try:
            return super().render_str(safe, markup=True, **kwargs)
        except MarkupError:  # a "[/]" in a name, with no tag open: plain text
            plain = _OWN_MARKUP.sub("", text)
            return super().render_str(visible(plain), markup=False, **kwargs)


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
stdout = SafeConsole(emoji=False)
stderr = SafeConsole(stderr=True, emoji=False)


# The Python parameters (of the API and the analyses) whose command-line option
# is not simply the name with dashes.
_OPTION_OF_PARAMETER = {
    "from_deg": "--from",
    "to_deg": "--to",
    "azimuth_deg": "--azimuth",
    "burnout_speed_m_s": "--burnout-speed",
    "burnout_angle_deg": "--burnout-angle",
    "ballistic_coefficient_kg_m2": "--ballistic-coefficient",
    "region_deg": "--region",
}


def option_of(parameter: str) -> str:
    """The command-line option that sets a Python parameter (resolution_deg -> --resolution-deg)."""
    return _OPTION_OF_PARAMETER.get(parameter, "--" + parameter.replace("_", "-"))


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a RoofError (or running out of memory) into a short message and exit code 2."""
    try:
        yield
    except RoofError as exc:
        stderr.print(
            f"[bold red]error:[/] {exc.message(option_of)}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(EXIT_USER_ERROR) from None
    except MemoryError as exc:
        # A request too large for this machine that no bound caught first.
        detail = f" ({exc})" if str(exc) else ""
        stderr.print(
            f"[bold red]error:[/] the request needs more memory than this machine has{detail}. "
            "Ask for less: a coarser --resolution-deg, a smaller --size or --trials, "
            "a larger sample_interval_s.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_USER_ERROR) from None


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


class Interrupted(BaseException):
    """Ctrl-C. Not a KeyboardInterrupt, which click would turn into "Aborted!"."""


_interrupts: list[int] = []  # the Ctrl-Cs received, so that none is lost


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _interrupts.append(signum)
    if len(_interrupts) > 1:  # the first was swallowed somewhere: stop now
        _say_interrupted()
        os._exit(EXIT_INTERRUPTED)
    raise Interrupted


def _say_interrupted() -> None:
    try:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def main() -> None:
    """Run the command line; Ctrl-C ends it with one line and exit code 130.

    The interrupt may surface as another exception (a compiled kernel turns
    it into a SystemError) or be caught on its way; whatever `app()` ends
    with, a Ctrl-C received meanwhile decides the outcome.
    """
    signal.signal(signal.SIGINT, _interrupt)
    try:
        app()
    except BaseException:
        if not _interrupts:
            raise
    if _interrupts:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _say_interrupted()
        sys.exit(EXIT_INTERRUPTED)


class PlainTable(Table):
    """A table whose string cells are text as written: no markup, control
    characters shown as escapes (cells hold names from scenario files)."""

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        cells = [Text(visible(c)) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)


def titled_table(title: str, columns: Iterable[str]) -> Table:
    """A table with bold headers whose cells wrap rather than truncate in a narrow terminal."""
    table = PlainTable(title=Text(visible(title), style="table.title"), header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table
