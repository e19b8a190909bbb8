"""A real PostgreSQL server for the tests, started and stopped by the tests themselves.

Debian's binaries (`/usr/lib/postgresql/VERSION/bin`, the newest version) initialise a
throw-away cluster in a temporary folder (trust authentication, superuser `roof`) and
serve it on a free TCP port of 127.0.0.1, its unix socket in that folder, fsync on (the
default). PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as Debian's
`postgres` user through runuser, in a folder under /tmp it owns. Where the binaries are
missing or the server does not start, the tests that need it are skipped with the
reason; they never pass silently.

Expose the session fixture in a conftest with
`from tests.ops.postgres import postgres_url  # noqa: F401`.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

import pytest

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SYSTEM_USER = "postgres"
SUPERUSER = "roof"
DATABASE = "roof"
HOW_TO_GET_IT = "make test installs Debian's postgresql package"
START_TIMEOUT_S = 60
SOCKET_DIR_MAX = 80  # a unix socket path (DIR/.s.PGSQL.PORT) must stay under 108 bytes


class ServerUnavailableError(Exception):
    """Why the server cannot be had here."""


def _skip(reason: str) -> NoReturn:
    pytest.skip(f"PostgreSQL server not available: {reason} ({HOW_TO_GET_IT})")


def find_binaries() -> Path:
    """The bin folder of the newest installed PostgreSQL that has initdb and pg_ctl."""
    found = []
    for initdb in Path("/").glob(BIN_GLOB.lstrip("/") + "/initdb"):
        folder = initdb.parent
        version = folder.parent.name
        if (folder / "pg_ctl").is_file() and re.fullmatch(r"\d+(\.\d+)?", version):
            found.append((tuple(int(p) for p in version.split(".")), folder))
    if not found:
        raise ServerUnavailableError(f"no initdb and pg_ctl under {BIN_GLOB}")
    return max(found)[1]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(argv: Sequence[str]) -> list[str]:
    """argv run as the postgres system user when we are root, else as ourselves."""
    if os.geteuid() != 0:
        return list(argv)
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServerUnavailableError("running as root and runuser is missing")
    return [runuser, "-u", SYSTEM_USER, "--", *argv]


def _run(argv: Sequence[str], cwd: Path, what: str, timeout_s: float = 120) -> None:
    try:
        done = subprocess.run(
            _as_server_user(argv),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServerUnavailableError(f"{what} failed ({exc})") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        last = lines[-1] if lines else ""
        raise ServerUnavailableError(f"{what} exited with {done.returncode}: {last}")


def _log_tail(log: Path) -> str:
    with suppress(OSError):
        lines = log.read_text(errors="replace").strip().splitlines()
        telling = [line for line in lines if "FATAL" in line or "ERROR" in line] or lines
        if telling:
            return f"; server log: {telling[-1]}"
    return ""


def _work_folder(tmp_path_factory: pytest.TempPathFactory | None) -> tuple[Path, bool]:
    """The cluster's folder, and whether we must remove it ourselves.

    Under pytest's own temporary folder when we are not root (kept for a look afterwards);
    as root a fresh folder under /tmp (its parents are world-searchable, pytest's are
    not) chowned to the postgres user. Either way short enough for the unix socket.
    """
    if os.geteuid() != 0 and tmp_path_factory is not None:
        base = tmp_path_factory.mktemp("postgres")
        if len(str(base)) <= SOCKET_DIR_MAX:
            return base, False
    base = Path(tempfile.mkdtemp(prefix="roof-pg-", dir="/tmp"))
    base.chmod(0o755)
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            reason = f"running as root and there is no {SYSTEM_USER!r} user"
            raise ServerUnavailableError(reason) from None
        os.chown(base, owner.pw_uid, owner.pw_gid)
    return base, True


def server_url(port: int, database: str) -> str:
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"


def create_database(url: str, name: str | None = None, *, copy_of: str | None = None) -> str:
    """A new database on the server of `url` (any of its databases); its URL.

    Empty, or a copy of the database `copy_of` (which nobody may be connected to then).
    """
    import psycopg

    name = name or f"roof_{uuid.uuid4().hex[:12]}"
    for identifier in (name, copy_of or name):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", identifier):
            raise ValueError(f"{identifier!r} is not a plain database name")
    template = f" TEMPLATE {copy_of}" if copy_of else ""
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(f"CREATE DATABASE {name}{template}")  # checked identifiers
    return url.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def postgres_server(tmp_path_factory: pytest.TempPathFactory | None = None) -> Iterator[str]:
    """Start a throw-away server; yield `postgresql://roof@127.0.0.1:PORT/roof`; stop it.

    Skips the caller (pytest.skip, with the reason) when no server can be had.
    """
    try:
        binaries = find_binaries()
        base, remove = _work_folder(tmp_path_factory)
    except ServerUnavailableError as exc:
        _skip(str(exc))
    data, log = base / "data", base / "server.log"
    pg_ctl = str(binaries / "pg_ctl")
    started = False
    try:
        try:
            _run(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                base,
                "initdb",
            )
            for attempt in range(3):  # the free port may be taken before the server binds it
                port = free_port()
                options = f"-k {base} -p {port} -h 127.0.0.1"
                argv = [pg_ctl, "-D", str(data), "-l", str(log), "-o", options]
                started = True  # from here on, always try to stop it
                try:
                    _run(
                        [*argv, "-w", "-t", str(START_TIMEOUT_S), "start"],
                        base,
                        "pg_ctl start",
                        timeout_s=START_TIMEOUT_S + 30,
                    )
                    break
                except ServerUnavailableError as exc:
                    if attempt == 2:
                        raise ServerUnavailableError(f"{exc}{_log_tail(log)}") from None
            url = server_url(port, DATABASE)
            try:
                create_database(server_url(port, "postgres"), DATABASE)
            except Exception as exc:
                raise ServerUnavailableError(f"cannot create the database ({exc})") from None
        except ServerUnavailableError as exc:
            _skip(str(exc))
        yield url
    finally:
        if started:
            with suppress(ServerUnavailableError):
                _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], base, "stop")
        if remove:
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One PostgreSQL server for the whole run: the URL of its `roof` database."""
    with postgres_server(tmp_path_factory) as url:
        yield url
