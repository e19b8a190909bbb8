"""The operations service on a real PostgreSQL server (started by `tests/ops/postgres.py`):
schema migrations, the joint exercise end to end with its audit log verified from the
database, a restart, a row tampered with behind the service's back, and an unreachable
database refused with one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from securityroof.cli.ops import builtin_exercise
from securityroof.errors import RoofError
from securityroof.model.scenario import load_scenario
from securityroof.ops.api import create_app
from securityroof.ops.audit import Finding, verify_log
from securityroof.ops.db import MIGRATIONS, Base, Exercise, connect, database_url, migrate
from securityroof.ops.ledger import stored_log
from securityroof.ops.server import Store
from securityroof.ops.service import RoofService
from tests.ops.conftest import ADMIN, Ops, make_ops, user
from tests.ops.postgres import create_database, free_port

ROOT = Path(__file__).resolve().parents[2]
ADVANCE_S = 150.0


@pytest.fixture
def fresh_db(postgres_url: str) -> str:
    """A new, empty database of its own for one test: its postgresql:// URL."""
    return create_database(postgres_url)


def _close(service: RoofService) -> None:
    service.sessions.kw["bind"].dispose()


def _alembic_head() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _approve_one(ops: Ops, exercise: int) -> tuple[dict, str]:
    """Some commander approves a proposal they may decide: (the reply, who approved)."""
    for _ in range(20):
        for party in ops.parties:
            commander = user(party, "commander")
            proposals = ops.client.get(
                f"/api/exercises/{exercise}/proposals", headers=ops.headers(commander)
            ).json()
            for proposal in proposals:
                if proposal["can_decide"]:
                    reply = ops.client.post(
                        f"/api/proposals/{proposal['id']}/decision",
                        json={"decision": "approve"},
                        headers=ops.headers(commander),
                    )
                    assert reply.status_code == 200, reply.text
                    return reply.json(), party
        ops.advance(exercise, 4)
    raise AssertionError("no commander had a proposal to decide")


@dataclass
class Flown:
    """The joint exercise run once on PostgreSQL, its service still open."""

    ops: Ops
    url: str  # postgresql://... of its database
    exercise: int
    decided: dict  # the proposal after the approval
    party: str  # whose commander approved


def _verify_stored(session: Session, public_key_pem: str) -> list[Finding]:
    entries, checkpoints = stored_log(session)
    assert entries and checkpoints
    return verify_log(entries, checkpoints, public_key_pem)


@pytest.fixture(scope="module")
def flown(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flown]:
    """Exercise created, advanced 150 s, one proposal approved, a checkpoint stored.

    Run once for the module (setting up the accounts hashes some thirty Argon2id
    passwords); a test that changes the database works on a copy of it.
    """
    url = create_database(postgres_url)
    ops = make_ops(tmp_path_factory.mktemp("flow"), db=url)
    exercise = ops.new_exercise()
    ops.advance(exercise, ADVANCE_S)
    decided, party = _approve_one(ops, exercise)
    checkpoint = ops.client.get("/api/audit/checkpoint", headers=ops.headers(ADMIN))
    assert checkpoint.status_code == 200, checkpoint.text
    yield Flown(ops, url, exercise, decided, party)
    _close(ops.service)


def test_migrations_create_every_table_once(fresh_db: str, tmp_path: Path) -> None:
    """Alembic creates every table and column of the models on PostgreSQL, and a second
    upgrade changes nothing: alembic_version stays at head."""
    engine = connect(database_url(fresh_db, tmp_path))
    try:
        assert engine.dialect.name == "postgresql"
        migrate(engine)
        inspector = inspect(engine)
        tables = set(inspector.get_table_names())
        assert set(Base.metadata.tables) | {"alembic_version"} == tables
        for name, table in Base.metadata.tables.items():
            stored = {c["name"] for c in inspector.get_columns(name)}
            assert stored == {c.name for c in table.columns}, name
        with engine.connect() as connection:
            first = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        migrate(engine)
        with engine.connect() as connection:
            second = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert first == second == [(_alembic_head(),)]
        assert set(inspect(engine).get_table_names()) == tables
    finally:
        engine.dispose()


def test_flow_on_postgres_verifies_and_survives_a_restart(flown: Flown) -> None:
    """The exercise runs on PostgreSQL: a commander's approval is recorded, the audit log
    read back from the database verifies against its signed checkpoint, and a new
    service on the same database resumes the exercise at the same simulated time."""
    ops = flown.ops
    required = flown.decided["required"]
    assert any(r["party"] == flown.party and r["decision"] == "approve" for r in required)
    key = ops.service.ledger.signer.public_key_pem()
    with ops.service.sessions() as session:
        assert _verify_stored(session, key) == []

    again = Store(ops.data_dir, db=flown.url).open(load_scenario(builtin_exercise()))
    try:
        assert flown.exercise in again.engines
        with again.sessions() as session:
            stored = session.scalars(select(Exercise).where(Exercise.id == flown.exercise)).one()
            assert stored.sim_time_s == ADVANCE_S
            assert _verify_stored(session, key) == []
        client = TestClient(create_app(again))
        observer = ops.headers(user(ops.parties[0], "observer"))  # tokens live in the database
        picture = client.get(f"/api/exercises/{flown.exercise}/picture", headers=observer)
        assert picture.status_code == 200, picture.text
        assert picture.json()["sim_time_s"] == ADVANCE_S
    finally:
        _close(again)


def test_a_row_changed_in_postgres_is_caught(flown: Flown) -> None:
    """A decision's payload rewritten in (a copy of) the database, behind the service's
    back, no longer matches its salted hash: verification names that entry alone."""
    _close(flown.ops.service)  # a database is copied only while nobody is connected to it
    copy = create_database(flown.url, copy_of=flown.url.rsplit("/", 1)[1])
    with psycopg.connect(copy, autocommit=True) as connection:
        row = connection.execute(
            "SELECT seq, payload_json FROM audit_entries WHERE kind = 'decision' "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert row is not None, "no decision in the log"
        seq, payload_json = row
        payload = json.loads(payload_json)
        assert payload.get("decision") == "approve", payload
        payload["decision"] = "refuse"
        connection.execute(
            "UPDATE audit_entries SET payload_json = %s WHERE seq = %s",
            (json.dumps(payload, sort_keys=True, separators=(",", ":")), seq),
        )
    engine = connect(database_url(copy, flown.ops.data_dir))
    try:
        with Session(engine) as session:
            findings = _verify_stored(session, flown.ops.service.ledger.signer.public_key_pem())
    finally:
        engine.dispose()
    assert findings, "the changed payload went unnoticed"
    assert {f.seq for f in findings} == {seq}
    assert {f.problem for f in findings} <= {"payload-mismatch", "changed"}


def test_unreachable_database_is_one_clear_error() -> None:
    """Nothing listens on port 1: connect raises a RoofError saying so, with no password."""
    with pytest.raises(RoofError) as caught:
        connect("postgresql+psycopg://roof@127.0.0.1:1/none")
    assert "cannot reach the database" in caught.value.message()
    with pytest.raises(RoofError) as caught:
        connect("postgresql+psycopg://roof:secret@127.0.0.1:1/none")
    assert "cannot reach the database" in caught.value.message()
    assert "secret" not in caught.value.message()


def test_serve_with_unreachable_database_exits_2(tmp_path: Path) -> None:
    """`roof serve --db` with a dead server: exit code 2, one `error:` line on stderr, no
    traceback, and the password in the URL is not echoed."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "securityroof",
            "serve",
            "--db",
            "postgresql://roof:secret@127.0.0.1:1/none",
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), done.stderr
    assert "cannot reach the database" in lines[0]
    assert "Traceback" not in output
    assert "secret" not in output


def test_two_servers_with_their_own_folders_cannot_share_one_database(
    fresh_db: str, tmp_path: Path
) -> None:
    first = Store(tmp_path / "one", fresh_db)
    second = Store(tmp_path / "two", fresh_db)
    refused = pytest.raises(RoofError, match="another `roof serve` is using this database")
    with first.lock(), refused, second.lock():
        pass
    with second.lock():  # given back when the first one stops
        pass
