"""What the audit log promises every party: `roof audit verify` only reads, the
exercise's random draws stay secret until the exercise ends and can then be
checked, the server keeps signed checkpoints that catch a cut-off tail, and
edits to the state tables are named against the log."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from securityroof.ops.audit import GENESIS_HASH, make_entry, revealed_seed_matches, verify_log
from securityroof.ops.checkpoints import Checkpoint, verify_checkpoint
from securityroof.ops.commitments import seed_commitment
from securityroof.ops.db import AuditRow, Decision, Exercise, Proposal, Token, User
from securityroof.ops.exercise import ExerciseEngine
from securityroof.ops.service import CHECKPOINT_EVERY, CHECKPOINT_PERIOD_S
from tests.ops.conftest import ADMIN, CLI, PASSWORD, Ops, make_ops, user
from tests.ops.postgres import create_database

ROOT = Path(__file__).resolve().parents[2]


def roof(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "ROOF_PASSWORD": PASSWORD}
    return subprocess.run(
        [sys.executable, "-m", "securityroof", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def small_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a short, intact log (made in-process, closed)."""
    from securityroof.ops.server import Store

    folder = tmp_path_factory.mktemp("data")
    service = Store(folder).open(None)
    service.bootstrap([("usa", "United States")], (ADMIN, PASSWORD))
    service.create_user(CLI, "usa-commander", PASSWORD, "commander", "usa")
    service.sessions.kw["bind"].dispose()
    return folder


def _copy(small_log: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(small_log, data)
    for leftover in ("roof.sqlite3-wal", "roof.sqlite3-shm", "roof.lock"):
        (data / leftover).unlink(missing_ok=True)
    return data


def test_verify_of_an_intact_copy_passes_and_writes_nothing(
    small_log: Path, tmp_path: Path
) -> None:
    data = _copy(small_log, tmp_path)
    before = _tree(tmp_path)
    done = roof("audit", "verify", "--data-dir", str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "verifies" in done.stdout
    assert _tree(tmp_path) == before


def test_verify_of_a_mistyped_folder_creates_nothing(tmp_path: Path) -> None:
    done = roof("audit", "verify", "--data-dir", "roof-dta", cwd=tmp_path)
    assert done.returncode == 2
    assert "no data folder" in done.stderr and "Traceback" not in done.stderr
    assert _tree(tmp_path) == set()


@pytest.mark.parametrize(
    "command",
    [
        ("admin", "add-party", "latvia"),
        ("admin", "add-user", "someone", "--party", "usa"),
        ("audit", "checkpoint", "--out", "kept.json"),
    ],
)
def test_admin_and_checkpoint_on_a_mistyped_folder_create_nothing(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    done = roof(*command, "--data-dir", "roof-dta", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "no audit log here" in done.stderr and "Traceback" not in done.stderr
    assert _tree(tmp_path) == set()


def test_verify_without_the_key_makes_no_new_key(small_log: Path, tmp_path: Path) -> None:
    data = _copy(small_log, tmp_path)
    (data / "audit-signing-key.pem").unlink()
    before = _tree(tmp_path)
    done = roof("audit", "verify", "--data-dir", str(data), cwd=tmp_path)
    assert done.returncode == 2
    assert "no key file" in done.stderr and "Traceback" not in done.stderr
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("damage", ["garbage", "empty", "payload"])
def test_a_damaged_database_is_named_without_a_traceback(
    small_log: Path, tmp_path: Path, damage: str
) -> None:
    data = _copy(small_log, tmp_path)
    database = data / "roof.sqlite3"
    if damage == "garbage":
        database.write_bytes(b"\x07" * 8192)
    elif damage == "empty":
        database.write_bytes(b"")
    else:
        import sqlite3

        with sqlite3.connect(database) as db:
            db.execute("UPDATE audit_entries SET payload_json = '{not json' WHERE seq = 2")
        db.close()
    done = roof("audit", "verify", "--data-dir", str(data), cwd=tmp_path)
    assert "Traceback" not in done.stderr
    if damage == "payload":  # a content problem: the entry is named
        assert done.returncode == 1
        assert "entry 2" in done.stdout
    else:
        assert done.returncode == 2
        assert "database" in done.stderr


def test_postgres_without_a_key_folder_is_refused_before_connecting(tmp_path: Path) -> None:
    """No server is needed: the missing key folder is named before the URL is tried."""
    url = "postgresql://nobody@127.0.0.1:1/roof"
    for command in (("audit", "verify"), ("serve",), ("admin", "add-party", "usa")):
        done = roof(*command, "--db", url, cwd=tmp_path)
        assert done.returncode == 2, (command, done.stderr)
        assert "--data-dir" in done.stderr and "Traceback" not in done.stderr
        assert _tree(tmp_path) == set(), command


# --- The exercise's seed: secret until the end, then checkable -----------------------------


def _party_views(ops: Ops, exercise: int, name: str) -> str:
    """Everything the party's user can read about the exercise, as one text."""
    headers = ops.headers(name)
    texts = [
        ops.client.get("/api/exercises", headers=headers).text,
        ops.client.get(f"/api/exercises/{exercise}/picture", headers=headers).text,
        ops.client.get(f"/api/exercises/{exercise}/proposals", headers=headers).text,
        ops.client.get("/api/audit?limit=1000", headers=headers).text,
    ]
    return "\n".join(texts)


def test_the_seed_stays_secret_until_the_end_then_matches_its_commitment(ops: Ops) -> None:
    reply = ops.client.post(
        "/api/exercises", json={"name": "secret", "speed": 0}, headers=ops.headers(ADMIN)
    )
    assert reply.status_code == 201 and "seed" not in reply.json()
    exercise = int(reply.json()["id"])
    ops.advance(exercise, 60)
    with ops.service.sessions() as session:
        row = session.get(Exercise, exercise)
        assert row is not None and row.stream_seed is not None
        seed = int(row.stream_seed, 16)
    assert seed.bit_length() > 64  # far beyond a search of the seeds
    for name in (user("usa", "commander"), user("romania", "operator"), ADMIN):
        text = _party_views(ops, exercise, name)
        assert str(seed) not in text and row.stream_seed not in text, name
        assert '"seed"' not in text and row.seed_salt not in text, name

    started = _log_payload(ops, "exercise-started", exercise)
    assert "seed" not in started and len(started["seed_commitment"]) == 64

    ended = ops.client.post(f"/api/exercises/{exercise}/end", headers=ops.headers(ADMIN))
    assert ended.status_code == 200 and ended.json()["status"] == "finished"
    finished = _log_payload(ops, "exercise-finished", exercise)
    assert finished["seed"] == str(seed)
    assert revealed_seed_matches(started, finished)
    assert not revealed_seed_matches(started, {**finished, "seed": str(seed + 1)})

    # Anyone can now recompute the draws: the first report batch comes out the same.
    logged = _log_payload(ops, "reports", exercise)
    again = ExerciseEngine(ops.service.scenario, int(finished["seed"]))
    steps = again.step_to(float(logged["time_s"]))
    recomputed = [s.reports[logged["party"]] for s in steps if s.time_s == logged["time_s"]]
    assert recomputed and json.loads(json.dumps(recomputed[0])) == logged["reports"]

    # An ended exercise takes no more steps; it can then be archived.
    late = ops.client.post(
        f"/api/exercises/{exercise}/advance", json={"seconds": 2}, headers=ops.headers(ADMIN)
    )
    assert late.status_code == 409
    archived = ops.client.post(f"/api/exercises/{exercise}/archive", headers=ops.headers(ADMIN))
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    refused = ops.client.post(
        f"/api/exercises/{exercise}/end", headers=ops.headers(user("usa", "commander"))
    )
    assert refused.status_code == 403


def _log_payload(ops: Ops, kind: str, exercise: int) -> dict:
    entries = ops.client.get(
        f"/api/audit?limit=1000&exercise_id={exercise}",
        headers=ops.headers(user("usa", "observer")),
    ).json()["entries"]
    found = [e["payload"] for e in entries if e["kind"] == kind and e["payload"] is not None]
    assert found, kind
    return found[0]


def test_verify_names_a_revealed_seed_that_does_not_match() -> None:
    salt = "ab" * 16
    started = make_entry(
        1,
        "exercise-started",
        "t",
        1,
        {"id": 1, "seed_commitment": seed_commitment(1, 5, salt)},
        GENESIS_HASH,
    )
    honest = make_entry(
        2,
        "exercise-finished",
        "t",
        1,
        {"id": 1, "seed": "5", "seed_salt": salt},
        started.entry_hash,
    )
    swapped = make_entry(
        2,
        "exercise-finished",
        "t",
        1,
        {"id": 1, "seed": "6", "seed_salt": salt},
        started.entry_hash,
    )
    assert verify_log([started, honest]) == []
    [finding] = verify_log([started, swapped])
    assert finding.problem == "seed-mismatch" and finding.seq == 2


# --- Checkpoints the server stores itself ----------------------------------------------------


def test_a_cut_off_tail_is_named_by_the_servers_own_checkpoint(ops: Ops) -> None:
    exercise = ops.new_exercise()
    while ops.service.ledger.size < 3 * CHECKPOINT_EVERY:
        ops.advance(exercise, 4)
    size = ops.service.ledger.size
    listed = ops.client.get(
        "/api/audit/checkpoints", headers=ops.headers(user("poland", "observer"))
    ).json()
    sizes = [cp["tree_size"] for cp in listed]
    assert len(sizes) >= 2 and sizes == sorted(sizes)
    assert all(b - a >= CHECKPOINT_EVERY for a, b in pairwise(sizes))
    assert size - sizes[-1] < 2 * CHECKPOINT_EVERY  # checkpoints keep up with the log
    newest = Checkpoint.from_json(listed[-1])
    assert verify_checkpoint(newest, ops.service.ledger.signer.public_key_pem())
    assert ops.service.store_checkpoint() is not None  # as at shutdown: the whole log
    assert ops.service.store_checkpoint() is None  # nothing new to sign

    data = ops.data_dir
    assert roof("audit", "verify", "--data-dir", str(data), cwd=data).returncode == 0
    cut = size - 18
    with ops.service.sessions() as session:
        session.execute(delete(AuditRow).where(AuditRow.seq >= cut))
        session.commit()
    done = roof("audit", "verify", "--data-dir", str(data), cwd=data)
    assert done.returncode == 1, done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert f"entries {cut} to {size}: missing from the end" in text
    assert f"checkpoint of size {size} signed" in text


def test_the_clock_signs_a_checkpoint_once_a_minute_while_the_log_grows(ops: Ops) -> None:
    size = ops.service.ledger.size
    assert size < CHECKPOINT_EVERY and ops.service.stored_checkpoints() == []
    ops.service.tick()  # under a minute since start: nothing yet
    assert ops.service.stored_checkpoints() == []
    ops.service._checkpointed = (0, time.monotonic() - CHECKPOINT_PERIOD_S - 1)
    ops.service.tick()
    assert [cp["tree_size"] for cp in ops.service.stored_checkpoints()] == [size]


# --- Edits to the state tables behind the service's back -----------------------------------


def test_edits_to_the_state_tables_are_named_against_the_log(ops: Ops) -> None:
    exercise = ops.new_exercise()
    proposal = None
    for _ in range(40):
        found = ops.client.get(
            f"/api/exercises/{exercise}/proposals", headers=ops.headers(user("usa", "commander"))
        ).json()
        proposal = next((p for p in found if p["site"] == "deveselu"), None)
        if proposal:
            break
        ops.advance(exercise, 4)
    assert proposal is not None
    url = f"/api/proposals/{proposal['id']}/decision"
    for party in ("romania", "usa"):
        reply = ops.client.post(
            url, json={"decision": "approve"}, headers=ops.headers(user(party, "commander"))
        )
        assert reply.status_code == 200, reply.text
    ops.advance(exercise, 20)
    data = ops.data_dir
    clean = roof("audit", "verify", "--data-dir", str(data), cwd=data)
    assert clean.returncode == 0, clean.stdout + clean.stderr  # no false alarm

    pid = proposal["id"]
    with ops.service.sessions() as session:
        session.execute(
            update(Decision)
            .where(Decision.proposal_id == pid, Decision.party == "romania")
            .values(decision="refuse")
        )
        session.execute(update(Proposal).where(Proposal.id == pid).values(status="refused"))
        session.execute(
            update(User).where(User.username == user("poland", "observer")).values(role="commander")
        )
        intruder = session.scalars(select(User).where(User.username == ADMIN)).one()
        session.add(Token(token_hash="f" * 64, user_id=intruder.id, expires_at=9e9))
        session.commit()
    done = roof("audit", "verify", "--data-dir", str(data), cwd=data)
    assert done.returncode == 1
    text = " ".join(done.stdout.split())
    assert (
        f"decision of romania on proposal {pid}: 'refuse' in the table, 'approve' by the log"
        in text
    )
    assert f"proposal {pid}: status 'refused' in the table, 'approved' by the log" in text
    assert (
        "account 'poland-observer': role 'commander' of poland in the table, role 'observer'"
        in text
    )
    assert f"account '{ADMIN}': 2 session token(s) in the table, 1 session token by the log" in text
    assert "changed" not in text  # the log itself is intact: only the tables were edited


def test_checkpoint_of_a_mistyped_folder_creates_nothing(tmp_path: Path) -> None:
    done = roof("audit", "checkpoint", "--out", "kept.json", "--data-dir", "typo", cwd=tmp_path)
    assert done.returncode == 2 and "no audit log here" in done.stderr
    assert _tree(tmp_path) == set()


def test_checkpoint_of_a_log_is_kept_and_verified(small_log: Path, tmp_path: Path) -> None:
    data = _copy(small_log, tmp_path)
    made = roof("audit", "checkpoint", "--out", "kept.json", "--data-dir", str(data), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    kept = str(tmp_path / "kept.json")
    done = roof("audit", "verify", "--data-dir", str(data), "--checkpoint", kept, cwd=tmp_path)
    assert done.returncode == 0 and "1 kept" in done.stdout, done.stdout + done.stderr


def test_verify_on_postgres_reads_with_the_key_it_is_given(
    postgres_url: str, tmp_path: Path
) -> None:
    url = create_database(postgres_url)
    ops = make_ops(tmp_path / "data", db=url)
    public = tmp_path / "log-key.pem"
    public.write_text(ops.service.ledger.signer.public_key_pem(), encoding="utf-8")
    with_folder = roof(
        "audit", "verify", "--db", url, "--data-dir", str(ops.data_dir), cwd=tmp_path
    )
    assert with_folder.returncode == 0, with_folder.stdout + with_folder.stderr
    with_key = roof("audit", "verify", "--db", url, "--key", str(public), cwd=tmp_path)
    assert with_key.returncode == 0, with_key.stdout + with_key.stderr
    with ops.service.sessions() as session:
        session.execute(
            update(User).where(User.username == user("spain", "operator")).values(role="commander")
        )
        session.commit()
    ops.service.sessions.kw["bind"].dispose()
    edited = roof("audit", "verify", "--db", url, "--key", str(public), cwd=tmp_path)
    assert edited.returncode == 1
    text = " ".join(edited.stdout.split())
    assert "account 'spain-operator': role 'commander' of spain in the table" in text
