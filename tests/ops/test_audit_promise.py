"""What the audit log promises every party: `roof audit verify` only reads, the
exercise's random draws stay secret until the exercise ends and can then be
checked, the server keeps signed checkpoints that catch a cut-off tail, and
edits to the state tables are named against the log."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.conftest import ADMIN, CLI, PASSWORD

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
