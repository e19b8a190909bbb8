"""The service's database: tables, engines and schema migrations.

Two back ends: an embedded SQLite file (the default, in the data folder) and
PostgreSQL (`postgresql://...`, through psycopg 3). SQLite runs in WAL mode
with `synchronous=FULL`, so a transaction the service has acknowledged is on
disk before the reply leaves, even if the process is killed right after.
The schema is created and upgraded by Alembic (`ops/migrations`) on both.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from securityroof.errors import RoofError

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    pass


class Party(Base):
    __tablename__ = "parties"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), nullable=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | commander | operator | observer
    created_at: Mapped[float] = mapped_column(Float)  # Unix time, s


class Token(Base):
    __tablename__ = "tokens"
    # Only a SHA-256 of the token is kept: a copy of the database opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[float] = mapped_column(Float)  # Unix time, s
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Exercise(Base):
    __tablename__ = "exercises"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scenario_digest: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(Integer)  # the director's seed, if one was given
    # The seed of the exercise's random streams (hex; secret until the exercise ends) and the
    # salt of the commitment to it published when it started. None in exercises made before.
    stream_seed: Mapped[str | None] = mapped_column(String(64), nullable=True)
    seed_salt: Mapped[str | None] = mapped_column(String(32), nullable=True)
    speed: Mapped[float] = mapped_column(Float)  # simulated s per wall s; 0: stepped by hand
    status: Mapped[str] = mapped_column(String(16))  # running | paused | finished | archived
    sim_time_s: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[float] = mapped_column(Float)


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("exercise_id", "threat", "battery"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    threat: Mapped[int] = mapped_column(Integer)
    battery: Mapped[int] = mapped_column(Integer)
    site: Mapped[str] = mapped_column(String(64))
    party: Mapped[str] = mapped_column(String(64))
    host: Mapped[str | None] = mapped_column(String(64), nullable=True)
    interceptor: Mapped[str] = mapped_column(String(64))
    track_id: Mapped[str] = mapped_column(String(32))
    window_start_s: Mapped[float] = mapped_column(Float)
    window_end_s: Mapped[float] = mapped_column(Float)
    shots: Mapped[int] = mapped_column(Integer)
    created_at_s: Mapped[float] = mapped_column(Float)
    deadline_s: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | refused | moot
    outcome_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("proposal_id", "party"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    party: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(8))  # approve | refuse
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at_s: Mapped[float] = mapped_column(Float)
    by_default: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditRow(Base):
    __tablename__ = "audit_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[str] = mapped_column(String(40))
    exercise_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    payload_json: Mapped[str] = mapped_column(Text)
    salt: Mapped[str] = mapped_column(String(32))
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    readers_json: Mapped[str] = mapped_column(Text)  # parties that may read the payload, or ["*"]


class CheckpointRow(Base):
    __tablename__ = "checkpoints"
    tree_size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))


def database_url(db: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL for `--db` (None: SQLite in the data folder)."""
    if db is None:
        return f"sqlite:///{(data_dir / 'roof.sqlite3').resolve()}"
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if db.startswith(("sqlite:///", "postgresql+psycopg://")):
        return db
    raise RoofError(
        f"database URL {db!r} is neither sqlite:///PATH nor postgresql://...",
        where="--db",
        fix="Give postgresql://USER@HOST:PORT/NAME, sqlite:///PATH, or leave it out.",
    )


PRIVATE_MODE = 0o600  # the database holds every party's payloads and password hashes


def make_private(database: Path) -> None:
    """Create the SQLite file readable by its owner only, and tighten it and its
    -wal and -shm files if they exist (SQLite gives those the database's mode)."""
    fd = os.open(database, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    os.close(fd)
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                path.chmod(PRIVATE_MODE)
        except FileNotFoundError:
            pass


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def connect(url: str) -> Engine:
    """An engine for `url`, checked to be reachable; a RoofError names what failed."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise RoofError(f"{url!r} is not a database URL.", where="--db") from None
    safe = parsed.render_as_string(hide_password=True)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database or ".").parent
        if not folder.is_dir():
            raise RoofError(
                f"the database folder {folder} does not exist.", where="--db", fix="Create it."
            )
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        if parsed.database and parsed.database != ":memory:":
            try:
                make_private(Path(parsed.database))
            except OSError as exc:
                raise RoofError(
                    f"cannot create the database file ({exc.strerror}).",
                    where=parsed.database,
                    fix="Choose a writable --data-dir.",
                ) from None
    else:
        kwargs["connect_args"] = {"connect_timeout": 5}
        kwargs["pool_pre_ping"] = True
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        engine.dispose()
        raise RoofError(
            f"cannot reach the database {safe} ({reason}).",
            where="--db",
            fix="Check that the server runs and the URL, user and password are right.",
        ) from None
    return engine


def connect_readonly(url: str) -> Engine:
    """An engine that can only read `url`: nothing is created, written or upgraded.

    SQLite is opened with the `mode=ro` URI (a missing file is an error, not a new empty
    database); PostgreSQL sessions start with `default_transaction_read_only`. A RoofError
    names a database that cannot be reached or read."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise RoofError(f"{url!r} is not a database URL.", where="--db") from None
    safe = parsed.render_as_string(hide_password=True)
    # SQLite reads nothing of the file before the first query that needs the schema.
    probe = (
        "SELECT count(*) FROM sqlite_master"
        if parsed.get_backend_name() == "sqlite"
        else "SELECT 1"
    )
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not path.is_file():
            raise RoofError(
                "there is no database file here.",
                where=str(path),
                fix="Give the --data-dir (or --db) the server uses.",
            )
        # A WAL database that no one has open has no -wal and -shm files, and even a read-only
        # connection would create them: such a file is opened as immutable, so nothing is made.
        wal = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        flags = "mode=ro" if any(p.exists() for p in wal) else "mode=ro&immutable=1"
        engine = create_engine(
            f"sqlite:///file:{quote(str(path.resolve()))}?{flags}&uri=true",
            future=True,
            connect_args={"check_same_thread": False, "timeout": 10},
        )
        event.listen(engine, "connect", _sqlite_read_only)
    else:
        engine = create_engine(
            parsed,
            future=True,
            connect_args={"connect_timeout": 5, "options": "-c default_transaction_read_only=on"},
        )
    try:
        with engine.connect() as connection:
            connection.execute(text(probe))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        engine.dispose()
        raise RoofError(f"cannot open the database {safe} ({reason}).", where="--db") from None
    except DatabaseError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        engine.dispose()
        raise RoofError(
            f"the database {safe} is damaged or not a database ({reason}).",
            fix="Restore it from a backup; each party's kept checkpoints still hold its history.",
        ) from None
    return engine


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)
