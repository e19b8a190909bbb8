"""Starting the service: the data folder, the database, the signing key, the
clock thread and uvicorn. Every start-up problem is a RoofError, so `roof
serve` exits with code 2 and one clear line before anything is served."""

from __future__ import annotations

import errno
import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario
from securityroof.ops.audit import LogSigner
from securityroof.ops.db import connect, database_url, migrate
from securityroof.ops.service import RoofService

KEY_FILE = "audit-signing-key.pem"
CLOCK_PERIOD_S = 0.25
log = logging.getLogger("securityroof.ops")


@dataclass(frozen=True)
class Store:
    """Where the service keeps its state."""

    data_dir: Path
    db: str | None = None  # None: SQLite in data_dir

    def prepare(self) -> tuple[str, LogSigner]:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RoofError(
                f"cannot create the data folder ({exc.strerror}).",
                where=str(self.data_dir),
                fix="Choose a writable --data-dir.",
            ) from None
        url = database_url(self.db, self.data_dir)
        try:
            signer = LogSigner.load_or_create(self.data_dir / KEY_FILE)
        except (OSError, ValueError) as exc:
            raise RoofError(
                f"cannot read or create the audit signing key ({exc}).",
                where=str(self.data_dir / KEY_FILE),
            ) from None
        return url, signer

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
        uvicorn.run(create_app(service), host=host, port=port, log_level="warning")
    finally:
        stop.set()
