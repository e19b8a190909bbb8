"""`roof serve` as a user runs it: a real uvicorn server in a subprocess, set
up with `roof admin`, killed hard during a burst of writes, restarted, and
checked with `roof audit verify`; and every start-up mistake refused with
exit code 2 and one clear line."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "server-test-password"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "ROOF_PASSWORD": PASSWORD}


def roof(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "securityroof", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
        cwd=ROOT,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_log(data: Path, port: int) -> Path:
    return data / f"server-{port}.log"


def start(data: Path, port: int) -> subprocess.Popen[str]:
    log = server_log(data, port)  # a file, not a pipe: a chatty server cannot block on it
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "securityroof",
            "serve",
            "--data-dir",
            str(data),
            "--port",
            str(port),
        ],
        env=ENV,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        text=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/me", timeout=2).status_code == 401:
                return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError("the server did not start in 180 s")


def login(port: int, name: str) -> dict[str, str]:
    reply = httpx.post(
        f"http://127.0.0.1:{port}/api/login", json={"username": name, "password": PASSWORD}
    )
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("roof-data")
    assert roof("admin", "init", "--admin", "director", "--data-dir", str(folder)).returncode == 0
    for party in ("usa", "romania", "poland", "russia"):
        assert roof("admin", "add-party", party, "--data-dir", str(folder)).returncode == 0
    for name, party, role in (
        ("usa-commander", "usa", "commander"),
        ("romania-commander", "romania", "commander"),
        ("romania-observer", "romania", "observer"),
    ):
        made = roof(
            "admin", "add-user", name, "--party", party, "--role", role, "--data-dir", str(folder)
        )
        assert made.returncode == 0, made.stderr
    return folder


def test_kill_during_a_burst_loses_no_acknowledged_write(data: Path) -> None:
    """SIGKILL while four clients advance the clock: after a restart every
    acknowledged advance is there and the audit log verifies."""
    port = free_port()
    server = start(data, port)
    base = f"http://127.0.0.1:{port}"
    admin = login(port, "director")
    exercise = httpx.post(
        f"{base}/api/exercises",
        json={"name": "burst", "speed": 0, "seed": 2},
        headers=admin,
        timeout=60,
    ).json()["id"]
    acknowledged: list[tuple[float, int]] = []
    stop = threading.Event()

    def writer() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                try:
                    reply = client.post(
                        f"{base}/api/exercises/{exercise}/advance",
                        json={"seconds": 1.0},
                        headers=admin,
                    )
                except httpx.TransportError:
                    return
                if reply.status_code == 200:
                    acknowledged.append((reply.json()["sim_time_s"], reply.json()["audit_size"]))

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(3.0)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=30)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) > 5
    last_time = max(t for t, _ in acknowledged)
    last_size = max(s for _, s in acknowledged)

    server = start(data, port)
    try:
        admin = login(port, "director")
        state = next(
            e
            for e in httpx.get(f"{base}/api/exercises", headers=admin).json()
            if e["id"] == exercise
        )
        assert state["sim_time_s"] >= last_time
        head = httpx.get(f"{base}/api/audit?limit=1", headers=admin).json()
        assert head["tree_size"] >= last_size
        checkpoint = httpx.get(f"{base}/api/audit/checkpoint", headers=admin).json()
        (data / "kept.json").write_text(json.dumps(checkpoint))
        # The live stream after the restart: an observer's picture has no raw reports.
        observer = login(port, "romania-observer")
        with httpx.stream(
            "GET", f"{base}/api/exercises/{exercise}/events", headers=observer, timeout=30
        ) as stream:
            event = None
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "picture":
                    picture = json.loads(line[6:])
                    assert picture["party"] == "romania" and picture["reports"] == []
                    break
    finally:
        server.terminate()
        server.wait(timeout=30)
    verified = roof(
        "audit", "verify", "--data-dir", str(data), "--checkpoint", str(data / "kept.json")
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "verifies" in verified.stdout


def test_audit_verify_names_a_changed_entry(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for item in data.iterdir():
        if item.is_file():
            (copy / item.name).write_bytes(item.read_bytes())
    with sqlite3.connect(copy / "roof.sqlite3") as db:
        db.execute("UPDATE audit_entries SET payload_json = '{\"forged\": true}' WHERE seq = 3")
    changed = roof("audit", "verify", "--data-dir", str(copy))
    assert changed.returncode == 1
    assert "entry 3" in changed.stdout and "Traceback" not in changed.stderr
    with sqlite3.connect(copy / "roof.sqlite3") as db:
        db.execute("DELETE FROM audit_entries WHERE seq = 5")
    removed = roof("audit", "verify", "--data-dir", str(copy))
    assert removed.returncode == 1 and "removed" in removed.stdout


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error:"), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_start_up_mistakes(data: Path, tmp_path: Path) -> None:
    _refused(roof("serve", str(tmp_path / "nosuch.toml"), "--data-dir", str(tmp_path)), "not found")
    _refused(roof("serve", "--db", "mysql://x@y/z", "--data-dir", str(tmp_path)), "--db")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _refused(roof("serve", "--data-dir", str(tmp_path), "--port", str(port)), "in use")
    _refused(
        roof("admin", "add-user", "someone", "--party", "atlantis", "--data-dir", str(data)),
        "unknown party",
    )
    _refused(
        roof("audit", "verify", "--data-dir", str(data), "--checkpoint", str(tmp_path / "x.json")),
        "not found",
    )
