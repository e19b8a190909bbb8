"""Starting the service: the data folder, the database, the signing key, the
clock thread and uvicorn. Every start-up problem is a RoofError, so `roof
serve` exits with code 2 and one clear line before anything is served.

One server per data folder and per database: `Store.lock` holds an
exclusive lock on `roof.lock` in the folder, and on PostgreSQL a session
advisory lock on the database, for the server's life. The folder is made 0700 and its
files 0600. uvicorn runs with limits against slow or idle clients (see
`uvicorn_config`)."""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import resource
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario
from securityroof.ops.checkpoints import LogSigner
from securityroof.ops.db import connect, database_url, migrate
from securityroof.ops.service import RoofService

if TYPE_CHECKING:
    import uvicorn

KEY_FILE = "audit-signing-key.pem"
LOCK_FILE = "roof.lock"
# PostgreSQL advisory lock of a serving server: a fixed positive 64-bit
# number, the first 8 bytes of SHA-256("securityroof serve") shifted right by one.
ADVISORY_LOCK_KEY = 0x4B8F_819A_5E44_6CFA
CLOCK_PERIOD_S = 0.25
# uvicorn's limits. A request's headers must arrive within HEADER_TIMEOUT_S of
# the connection (or of the previous reply), an idle kept-alive connection is
# closed after KEEP_ALIVE_S, headers are at most MAX_HEADER_BYTES (the page
# sends under 2 KiB). Connections: at most MAX_CONNECTIONS_PER_ADDRESS from
# one address, and in all what the open-file limit allows less a reserve for
# the database and the log (at most MAX_CONNECTIONS); uvicorn's
# limit_concurrency is that same number (it counts open connections, slow
# ones included, so a lower one would turn a slow-header flood into 503s).
HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5
MAX_HEADER_BYTES = 16 * 1024
MAX_CONNECTIONS_PER_ADDRESS = 256
MAX_CONNECTIONS = 4096
FILE_RESERVE = 128
log = logging.getLogger("securityroof.ops")


@dataclass(frozen=True)
class Store:
    """Where the service keeps its state."""

    data_dir: Path
    db: str | None = None  # None: SQLite in data_dir

    def prepare(self) -> tuple[str, LogSigner]:
        try:
            with _private_files():
                self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise RoofError(
                f"cannot create the data folder ({exc.strerror}).",
                where=str(self.data_dir),
                fix="Choose a writable --data-dir.",
            ) from None
        url = database_url(self.db, self.data_dir)
        try:
            with _private_files():
                signer = LogSigner.load_or_create(self.data_dir / KEY_FILE)
            _tighten(self.data_dir / KEY_FILE)
        except (OSError, ValueError) as exc:
            raise RoofError(
                f"cannot read or create the audit signing key ({exc}).",
                where=str(self.data_dir / KEY_FILE),
            ) from None
        return url, signer

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the data folder for one server; a second one is refused at once."""
        try:
            with _private_files():
                self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise RoofError(
                f"cannot create the lock file ({exc.strerror}).",
                where=str(self.data_dir / LOCK_FILE),
                fix="Choose a writable --data-dir.",
            ) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RoofError(
                    "another `roof serve` is using this data folder.",
                    where=str(self.data_dir),
                    fix="Stop the other server, or give this one its own --data-dir.",
                ) from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            with self._database_lock():
                yield
        finally:
            os.close(fd)  # closing the file releases the lock

    @contextmanager
    def _database_lock(self) -> Iterator[None]:
        """On PostgreSQL, also hold a session advisory lock on the database:
        two servers with different data folders must not share one database."""
        url = database_url(self.db, self.data_dir)
        if not url.startswith("postgresql"):
            yield  # SQLite lives in the data folder, which the file lock holds
            return
        engine = connect(url)
        try:
            with engine.connect() as connection:
                held = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                ).scalar()
                connection.commit()
                if not held:
                    raise RoofError(
                        "another `roof serve` is using this database.",
                        where="--db",
                        fix="Stop the other server, or give this one its own database.",
                    )
                try:
                    yield
                finally:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                    connection.commit()
        finally:
            engine.dispose()

    def open(self, scenario: Scenario | None) -> RoofService:
        url, signer = self.prepare()
        engine = connect(url)
        migrate(engine)
        return RoofService(scenario, engine, signer)


def check_port(host: str, port: int) -> None:
    """Fail early and clearly when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise RoofError(f"unknown host {host!r}.", where="--host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise RoofError(
                    f"port {port} on {host} is in use.",
                    where="--port",
                    fix="Stop the other server or choose another --port.",
                ) from None
            raise RoofError(f"cannot listen on {host}:{port} ({exc.strerror}).") from None


@contextmanager
def _private_files() -> Iterator[None]:
    """New files and folders readable by the owner only (start-up runs in one thread)."""
    before = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(before)


def _tighten(path: Path) -> None:
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)


def raise_open_file_limit(wanted: int = MAX_CONNECTIONS + FILE_RESERVE) -> int:
    """Raise the soft limit on open files towards `wanted` (never past the hard
    limit) and return the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return int(soft) if soft != resource.RLIM_INFINITY else wanted


def guarded_h11(
    header_timeout_s: float, max_connections: int, per_address: int
) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol with a deadline for each request's headers and
    caps on connections (in all and per address): a connection past a cap is
    closed at once, before it can hold a file descriptor for long."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    per_host: Counter[str] = Counter()

    class GuardedH11(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _host: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._host = self.client[0] if self.client else None
            if self._host is not None:
                per_host[self._host] += 1
            if len(self.connections) > max_connections or (
                self._host is not None and per_host[self._host] > per_address
            ):
                transport.abort()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._host is not None:
                per_host[self._host] -= 1
                if per_host[self._host] <= 0:
                    del per_host[self._host]
                self._host = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            before = self.cycle
            super().data_received(data)
            if self.cycle is not before:  # a request's headers are in
                self._disarm()

        def on_response_complete(self) -> None:
            before = self.cycle
            super().on_response_complete()
            if self.cycle is before and not self.transport.is_closing():
                self._arm()  # the next request's headers have a deadline too

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(header_timeout_s, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self.transport.close()

    return GuardedH11


def uvicorn_config(
    app: Any, host: str, port: int, header_timeout_s: float = HEADER_TIMEOUT_S
) -> uvicorn.Config:
    """uvicorn's settings for the service, with its limits."""
    import uvicorn

    files = raise_open_file_limit()
    max_connections = max(16, min(MAX_CONNECTIONS, files - FILE_RESERVE))
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=guarded_h11(header_timeout_s, max_connections, MAX_CONNECTIONS_PER_ADDRESS),
        ws="none",
        timeout_keep_alive=KEEP_ALIVE_S,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=max_connections,
        backlog=min(2048, max_connections),
    )


def run_clock(service: RoofService, stop: threading.Event) -> None:
    """Advance the clocked exercises until `stop` is set."""
    while not stop.wait(CLOCK_PERIOD_S):
        try:
            service.tick()
        except Exception:  # the clock must outlive one bad step; the error is logged
            log.exception("the exercise clock failed a step")


def serve(service: RoofService, host: str, port: int) -> None:
    import uvicorn

    from securityroof.ops.api import create_app

    check_port(host, port)
    stop = threading.Event()
    clock = threading.Thread(target=run_clock, args=(service, stop), daemon=True)
    clock.start()
    try:
        uvicorn.Server(uvicorn_config(create_app(service), host, port)).run()
    finally:
        stop.set()
        clock.join(timeout=5)
        service.flush_refusals(everything=True)
        service.store_checkpoint()  # the head at shutdown, for the next verify
