"""`roof serve`, `roof admin` and `roof audit`: the joint operations service."""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from securityroof.cli._app import app, stdout, user_errors
from securityroof.errors import RoofError

# The service's modules (SQLAlchemy, FastAPI, the physics) are imported by the
# commands that need them, so that every other `roof` command starts quickly.
if TYPE_CHECKING:
    from securityroof.ops.audit import Finding
    from securityroof.ops.auth import Principal
    from securityroof.ops.checkpoints import Checkpoint
    from securityroof.ops.server import Store

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder of the SQLite database and the signing key (default: roof-data; "
        "required with --db, for the key that belongs to that database).",
    ),
]
Db = Annotated[
    str | None,
    typer.Option("--db", help="postgresql://USER@HOST:PORT/NAME (default: SQLite in --data-dir)."),
]
DEFAULT_DATA = Path("roof-data")
PASSWORD_ENV = "ROOF_PASSWORD"
CLI_USER = "cli"  # whoever may open the database runs the admin commands

admin_app = typer.Typer(
    help="Parties and accounts of the operations service.", no_args_is_help=True
)
audit_app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
app.add_typer(audit_app, name="audit")


def builtin_exercise() -> Path:
    from importlib import resources

    return Path(str(resources.files("securityroof.scenarios").joinpath("exercise.toml")))


@app.command()
def serve(
    scenario: Annotated[
        Path | None,
        typer.Argument(help="Scenario file (TOML); default: the built-in joint exercise."),
    ] = None,
    db: Db = None,
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the joint operations service and its live web page."""
    from securityroof.model.scenario import load_scenario
    from securityroof.ops.server import check_port
    from securityroof.ops.server import serve as run_server

    with user_errors(), ExitStack() as held:
        folder = _data_dir(data_dir, db)
        loaded = load_scenario(scenario or builtin_exercise())
        store = _store(folder, db)
        held.enter_context(store.lock())  # one server per data folder
        check_port(host, port)  # before replaying the unfinished exercises, which takes time
        service = store.open(loaded)
        stdout.print(
            f"Security Roof operations: {loaded.name}\n"
            f"  http://{host}:{port}/   (data in {folder}; stop with Ctrl-C)"
        )
        if not service.has_accounts():
            stdout.print(
                "  No accounts yet: create the director with "
                f"`roof admin init --admin NAME --data-dir {folder}`, then parties and people "
                "with `roof admin add-party` and `roof admin add-user`."
            )
        run_server(service, host, port)


def _data_dir(data_dir: Path | None, db: str | None) -> Path:
    """The folder of the signing key (and of the SQLite database without --db).

    With --db the key must be named: it belongs to that database, not to whatever folder the
    command happens to run in (checked before anything is opened or created)."""
    if data_dir is not None:
        return data_dir
    if db is not None:
        raise RoofError(
            "with --db, the folder of the audit signing key must be given too.",
            where="--data-dir",
            fix="Add --data-dir FOLDER, the same folder for every command on this database "
            "(the key signs its audit log; a different folder would mean a different key).",
        )
    return DEFAULT_DATA


def _store(data_dir: Path | None, db: str | None) -> Store:
    from securityroof.ops.server import Store

    return Store(_data_dir(data_dir, db), db)


def _existing_store(data_dir: Path | None, db: str | None) -> Store:
    """The store of a data folder `roof admin init` made: a mistyped folder is
    refused, never given a new database and signing key."""
    from securityroof.ops.server import KEY_FILE

    store = _store(data_dir, db)
    folder = store.data_dir
    needed = [folder / KEY_FILE] + ([folder / "roof.sqlite3"] if db is None else [])
    for path in needed:
        if not path.is_file():
            raise RoofError(
                "there is no audit log here (no database or signing key).",
                where=str(path),
                fix="Give the --data-dir (and --db) the server uses, or run `roof admin init`.",
            )
    return store


def _cli_admin() -> Principal:
    from securityroof.ops.auth import Principal

    return Principal(0, CLI_USER, None, "admin")


def _password(prompt: str) -> str:
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise RoofError(
            "no password given.",
            fix=f"Set {PASSWORD_ENV} or run the command in a terminal to be asked.",
        )
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@admin_app.command("init")
def admin_init(
    username: Annotated[str, typer.Option("--admin", help="The administrator's user name.")],
    db: Db = None,
    data_dir: DataDir = None,
) -> None:
    """Create the first administrator (password from $ROOF_PASSWORD or a prompt)."""
    with user_errors():
        password = _password("administrator password")
        service = _store(data_dir, db).open(None)
        service.bootstrap([], (username, password))
        stdout.print(f"administrator {username!r} created")


@admin_app.command("add-party")
def admin_add_party(
    party_id: Annotated[str, typer.Argument(help="Party id as the scenario names it, e.g. usa.")],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    db: Db = None,
    data_dir: DataDir = None,
) -> None:
    """Add a party."""
    with user_errors():
        store = _existing_store(data_dir, db)
        store.open(None).create_party(_cli_admin(), party_id, name or party_id)
        stdout.print(f"party {party_id!r} added")


@admin_app.command("add-user")
def admin_add_user(
    username: Annotated[str, typer.Argument(help="User name.")],
    party: Annotated[str, typer.Option(help="The user's party.")],
    role: Annotated[str, typer.Option(help="commander | operator | observer")] = "observer",
    db: Db = None,
    data_dir: DataDir = None,
) -> None:
    """Add a person to a party (password from $ROOF_PASSWORD or a prompt)."""
    with user_errors():
        if role not in ("commander", "operator", "observer"):
            raise RoofError(
                f"unknown role {role!r}.",
                where="--role",
                fix="Use commander, operator or observer.",
            )
        store = _existing_store(data_dir, db)  # before the prompt: a typo asks nothing
        password = _password(f"password for {username}")
        store.open(None).create_user(_cli_admin(), username, password, role, party)
        stdout.print(f"{role} {username!r} of {party} added")


def _read_checkpoint(path: Path) -> Checkpoint:
    from securityroof.ops.checkpoints import Checkpoint

    try:
        return Checkpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise RoofError("file not found.", where=str(path)) from None
    except (json.JSONDecodeError, ValueError, TypeError) as exc:
        raise RoofError(
            f"not a checkpoint ({exc}).",
            where=str(path),
            fix="Use a file saved from GET /api/audit/checkpoint or `roof audit checkpoint`.",
        ) from None


@audit_app.command("verify")
def audit_verify(
    db: Db = None,
    data_dir: DataDir = None,
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(help="A checkpoint a party kept (repeatable): the log must extend it."),
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="The log's public key (PEM); default: the data folder's.")
    ] = None,
) -> None:
    """Recompute every hash of the audit log: exit 0 if intact, 1 naming each change.

    Read-only: it opens the database for reading and never creates a folder, a key or a
    database."""
    from securityroof.ops.audit import verify_log

    with user_errors():
        kept = [_read_checkpoint(p) for p in checkpoint or []]
        if db is not None and data_dir is None and key is None:
            _data_dir(None, db)  # says that the key's folder (or --key) is needed
        folder = data_dir or DEFAULT_DATA
        if (db is None or key is None) and not folder.is_dir():
            raise RoofError(
                "there is no data folder here.",
                where=str(folder),
                fix="Give the --data-dir the server uses (verify creates nothing).",
            )
        public = _public_key(key, folder)
        entries, stored, state = _read_log(db, folder)
        findings = [*verify_log(entries, [*stored, *kept], public), *state]
    if not findings:
        stdout.print(
            f"the audit log verifies: {len(entries)} entries, "
            f"{len(stored)} stored and {len(kept)} kept checkpoints"
        )
        return
    for finding in findings:
        stdout.print(f"[red]{finding.problem}[/]: {finding.detail}", highlight=False)
    raise typer.Exit(1)


def _public_key(key: Path | None, folder: Path) -> str:
    """The log's public key: the --key file, or the one of the data folder's signing key."""
    from securityroof.ops.checkpoints import LogSigner
    from securityroof.ops.server import KEY_FILE

    path = key if key is not None else folder / KEY_FILE
    if not path.is_file():
        raise RoofError(
            "there is no key file here; verify never makes one.",
            where=str(path),
            fix="Give the data folder of the server that signed the log, or its public key "
            "with --key (GET /api/audit/key).",
        )
    try:
        text = path.read_text(encoding="utf-8")
        if key is not None:
            return text
        return LogSigner.load(path).public_key_pem()
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise RoofError(f"cannot read the key ({exc}).", where=str(path)) from None


def _read_log(db: str | None, folder: Path) -> tuple[list[Any], list[Checkpoint], list[Finding]]:
    """The stored log and checkpoints, and how the state tables differ from what the log
    says they hold, read without writing anything."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    from securityroof.ops.db import connect_readonly, database_url, session_factory
    from securityroof.ops.ledger import stored_log
    from securityroof.ops.state_check import state_findings

    engine = connect_readonly(database_url(db, folder))
    try:
        with session_factory(engine)() as session:
            entries, stored = stored_log(session)
            return entries, stored, state_findings(session, entries)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise RoofError(
            f"this is not a Security Roof database, or a damaged one ({reason}).",
            where="--db" if db else str(folder),
            fix="Give the database the server uses.",
        ) from None
    except (DatabaseError, ValueError, TypeError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise RoofError(
            f"the database is damaged ({reason}).",
            where="--db" if db else str(folder),
            fix="Restore it from a backup; each party's kept checkpoints still hold its history.",
        ) from None
    finally:
        engine.dispose()


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[Path, typer.Option("--out", help="Where to write the signed checkpoint.")],
    db: Db = None,
    data_dir: DataDir = None,
) -> None:
    """Sign the log's current head and save it, for a party to keep (an existing log only:
    a mistyped folder is refused, not given a new log and key)."""
    with user_errors():
        service = _existing_store(data_dir, db).open(None)
        record = service.checkpoint().to_json()
        from securityroof.report.files import write_text_atomically

        write_text_atomically(out, json.dumps(record, indent=2) + "\n")
        stdout.print(f"checkpoint of {record['tree_size']} entries written to {out}")
