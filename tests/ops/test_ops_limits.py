"""The operations service under floods and abuse: body size, login and refusal
rates, live-stream caps, audit aggregation, strict input, security headers,
private files, one server per data folder, and start-up order."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

import securityroof.cli.ops  # noqa: F401  (registers `roof serve`)
from securityroof.cli._app import app as cli_app
from securityroof.errors import RoofError
from securityroof.ops import auth, server
from securityroof.ops.api import MAX_BODY_BYTES, create_app
from securityroof.ops.server import KEY_FILE, Store, uvicorn_config
from tests.ops.conftest import ADMIN, PASSWORD, Ops, user


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(ops: Ops) -> FakeClock:
    fake = FakeClock()
    ops.service.limits = auth.Limits(clock=fake)
    return fake


def _audit(ops: Ops, as_user: str = ADMIN) -> list[dict]:
    ops.service.flush_refusals(everything=True)
    reply = ops.client.get("/api/audit?limit=1000", headers=ops.headers(as_user))
    assert reply.status_code == 200, reply.text
    return reply.json()["entries"]


# ------------------------------------------------------------------ bodies


def test_a_body_too_large_is_refused_unread_and_not_echoed(ops: Ops) -> None:
    secret = "Q" * (MAX_BODY_BYTES + 10)
    reply = ops.client.post("/api/login", json={"username": "x", "password": secret})
    assert reply.status_code == 413
    assert "QQQQ" not in reply.text and str(MAX_BODY_BYTES) in reply.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"username": "x", "password": "'
        for _ in range(MAX_BODY_BYTES // 1000 + 2):
            yield b"Q" * 1000
        yield b'"}'

    reply = ops.client.post(
        "/api/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413 and "QQQQ" not in reply.text


def test_invalid_input_is_named_but_not_echoed(ops: Ops) -> None:
    value = "marker-" + "z" * 2000
    reply = ops.client.post("/api/login", json={"username": "x", "password": value})
    assert reply.status_code == 422
    assert "marker-" not in reply.text and "password" in reply.json()["detail"]
    reply = ops.client.post("/api/login", json={"username": "x", "password": "y", "extra": value})
    assert reply.status_code == 422 and "marker-" not in reply.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/exercises", {"name": "t", "speed": True, "seed": 1}, "speed"),
        ("/api/exercises", {"name": "t", "speed": 1, "seed": "12345"}, "seed"),
        ("/api/exercises", {"name": "t", "speed": "1", "seed": 1}, "speed"),
        ("/api/exercises", {"name": "t", "speed": 1e308 * 10, "seed": 1}, "speed"),
        ("/api/exercises", {"name": "t", "speed": 1, "seed": 1.5}, "seed"),
        ("/api/exercises", {"name": 12345, "speed": 1}, "name"),
        ("/api/exercises/1/advance", {"seconds": "12345"}, "seconds"),
        ("/api/exercises/1/advance", {"seconds": False}, "seconds"),
        ("/api/parties", {"id": "abc", "name": ["12345"]}, "name"),
    ],
)
def test_strict_types(ops: Ops, path: str, body: dict, field: str) -> None:
    reply = ops.client.post(
        path,
        content=json.dumps(body, allow_nan=True),
        headers={**ops.headers(ADMIN), "Content-Type": "application/json"},
    )
    assert reply.status_code == 422, reply.text
    assert field in reply.json()["detail"]
    assert "12345" not in reply.text and "input" not in reply.json()["errors"][0]


def test_a_whole_number_is_still_a_speed(ops: Ops) -> None:
    reply = ops.client.post(
        "/api/exercises", json={"name": "t", "speed": 0, "seed": 3}, headers=ops.headers(ADMIN)
    )
    assert reply.status_code == 201, reply.text


# ------------------------------------------------------------------ logins


def test_failed_logins_back_off_then_the_right_password_works(ops: Ops, clock: FakeClock) -> None:
    name = user("usa", "observer")
    statuses = []
    for _ in range(8):
        reply = ops.client.post("/api/login", json={"username": name, "password": "wrong-one!"})
        statuses.append(reply.status_code)
    assert statuses[:5] == [401] * 5  # five free failures, then closed for 1 s, 2 s ...
    assert 429 in statuses
    refused = ops.client.post("/api/login", json={"username": name, "password": PASSWORD})
    assert refused.status_code == 429  # even the right password waits: no oracle
    wait = int(refused.headers["Retry-After"])
    assert wait >= 1
    clock.now += wait
    reply = ops.client.post("/api/login", json={"username": name, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    # A success clears the account: the next mistake is free again.
    wrong = ops.client.post("/api/login", json={"username": name, "password": "wrong-one!"})
    assert wrong.status_code == 401


def test_failed_logins_double_their_wait(ops: Ops, clock: FakeClock) -> None:
    waits = []
    for _ in range(16):
        reply = ops.client.post(
            "/api/login", json={"username": "nobody-here", "password": "wrong-one!"}
        )
        if reply.status_code == 429:
            waits.append(int(reply.headers["Retry-After"]))
            clock.now += waits[-1]
    assert waits[:4] == [1, 2, 4, 8]


def test_one_address_trying_many_names_is_slowed(ops: Ops, clock: FakeClock) -> None:
    statuses = [
        ops.client.post(
            "/api/login", json={"username": f"guess-{i}", "password": "wrong-one!"}
        ).status_code
        for i in range(40)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses.count(429) >= 15
    # Any login from that address waits, a right one too, until the back-off passes.
    reply = ops.client.post("/api/login", json={"username": ADMIN, "password": PASSWORD})
    assert reply.status_code == 429 and "Retry-After" in reply.headers
    clock.now += 3600
    assert (
        ops.client.post("/api/login", json={"username": ADMIN, "password": PASSWORD}).status_code
        == 200
    )


def test_logins_from_one_address_are_rate_limited(ops: Ops, clock: FakeClock) -> None:
    statuses = [
        ops.client.post("/api/login", json={"username": ADMIN, "password": PASSWORD}).status_code
        for _ in range(64)
    ]
    assert statuses[:60] == [200] * 60 and set(statuses[60:]) == {429}
    clock.now += 0.5
    assert (
        ops.client.post("/api/login", json={"username": ADMIN, "password": PASSWORD}).status_code
        == 200
    )


# ------------------------------------------------------ refusals and audit


def test_a_flood_of_forged_tokens_makes_few_counted_entries(ops: Ops, clock: FakeClock) -> None:
    before = len(_audit(ops))
    statuses = [
        ops.client.get("/api/me", headers={"Authorization": f"Bearer forged-{i}"}).status_code
        for i in range(200)
    ]
    assert statuses[:30] == [401] * 30 and set(statuses[30:]) == {429}
    entries = _audit(ops)[before:]
    refused = [e for e in entries if e["kind"] == "refused-request"]
    # Two kinds (401, then 429), two entries each a minute; the flood may straddle two minutes.
    assert len(entries) == len(refused) <= 8
    assert sum(e["payload"]["count"] for e in refused) == 200
    assert {e["payload"]["address"] for e in refused} == {"testclient"}
    # Someone with a valid token is not held up by the flood from the address.
    assert ops.client.get("/api/me", headers=ops.headers(ADMIN)).status_code == 200


def test_attempted_user_names_never_reach_the_log(ops: Ops, clock: FakeClock) -> None:
    for name in ("usa-secret-plan", "who-is-admin", ADMIN):
        reply = ops.client.post("/api/login", json={"username": name, "password": "wrong-one!"})
        assert reply.status_code == 401
    entries = _audit(ops)
    as_seen = json.dumps(
        ops.client.get("/api/audit?limit=1000", headers=ops.headers(user("usa", "observer"))).json()
    )
    for text in (json.dumps(entries), as_seen):
        assert "usa-secret-plan" not in text and "who-is-admin" not in text
    failed = [
        e
        for e in entries
        if e["kind"] == "refused-request"
        and e["payload"]["reason"] == "wrong user name or password"
    ]
    assert sum(e["payload"]["count"] for e in failed) == 3
    assert all(set(e["payload"]) >= {"address", "count", "minute"} for e in failed)
    assert all("user" not in e["payload"] for e in failed)


def test_an_account_refused_too_often_gets_429(ops: Ops, clock: FakeClock) -> None:
    name = user("poland", "observer")
    observer = ops.headers(name)
    before = len(_audit(ops, name))
    statuses = [ops.client.get("/api/users", headers=observer).status_code for _ in range(50)]
    assert statuses[:30] == [403] * 30 and set(statuses[30:]) == {429}
    last = ops.client.get("/api/users", headers=observer)
    assert int(last.headers["Retry-After"]) >= 1
    assert ops.client.get("/api/me", headers=observer).status_code == 200  # allowed still is
    # Poland reads what its own account was refused; the other parties see only that it was.
    refused = [e for e in _audit(ops, name)[before:] if e["kind"] == "refused-request"]
    assert all(e["payload"]["user"] == name for e in refused)
    assert len(refused) <= 8 and sum(e["payload"]["count"] for e in refused) == 51


# ------------------------------------------------------------------ headers


def test_security_headers_on_every_reply(ops: Ops) -> None:
    for reply in (
        ops.client.get("/"),
        ops.client.get("/static/app.js"),
        ops.client.get("/api/me"),
        ops.client.get("/api/me", headers=ops.headers(ADMIN)),
        ops.client.post("/api/login", json={}),
    ):
        headers = reply.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_page_loads_nothing_from_elsewhere(ops: Ops) -> None:
    page = ops.client.get("/").text
    assert "<script>" not in page and " style=" not in page and "://" not in page


def test_401_names_the_bearer_scheme(ops: Ops) -> None:
    missing = ops.client.get("/api/me")
    forged = ops.client.get("/api/me", headers={"Authorization": "Bearer " + "A" * 43})
    for reply in (missing, forged):
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in forged.headers["WWW-Authenticate"]
    assert (
        "WWW-Authenticate"
        not in ops.client.get("/api/users", headers=ops.headers(user("usa", "observer"))).headers
    )


# ------------------------------------------------------------------ streams


@contextmanager
def live_server(app: object, header_timeout_s: float = 10.0) -> Iterator[str]:
    """The app on a real uvicorn with the service's settings, in a thread."""
    config = uvicorn_config(app, "127.0.0.1", 0, header_timeout_s=header_timeout_s)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(15)


def test_live_streams_are_capped_per_account(ops: Ops) -> None:
    ops.service.limits.streams = auth.StreamSlots(per_account=2, total=3)
    exercise = ops.new_exercise()
    name = user("romania", "observer")
    path = f"/api/exercises/{exercise}/events"
    with (
        live_server(create_app(ops.service)) as base,
        httpx.Client(base_url=base, headers=ops.headers(name), timeout=20) as client,
    ):

        def first_event(reply: httpx.Response) -> str:
            lines = reply.iter_lines()
            opened.append(lines)  # kept: a dropped line iterator closes its response
            for line in lines:
                if line.startswith("event:"):
                    return line
            raise AssertionError("the stream ended")

        opened: list[Iterator[str]] = []
        with client.stream("GET", path) as one, client.stream("GET", path) as two:
            assert first_event(one) == first_event(two) == "event: picture"
            third = client.get(path)
            assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
            assert "at most 2 per account" in third.json()["detail"]
            # Another account still gets a stream, up to the service's total.
            other = ops.headers(user("poland", "observer"))
            with client.stream("GET", path, headers=other) as three:
                assert first_event(three) == "event: picture"
                assert (
                    client.get(path, headers=ops.headers(user("usa", "observer"))).status_code
                    == 429
                )
        deadline = time.monotonic() + 10
        while ops.service.limits.streams.open_count() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ops.service.limits.streams.open_count() == 0  # closed streams give slots back
        with client.stream("GET", path) as again:
            assert first_event(again) == "event: picture"


def test_a_stream_slot_is_given_back_once() -> None:
    slots = auth.StreamSlots(per_account=1, total=5)
    release = slots.acquire("a")
    assert release is not None and slots.acquire("a") is None
    release()
    release()
    assert slots.open_count() == 0
    assert slots.acquire("a") is not None and slots.acquire("b") is not None


# ------------------------------------------------------------------ sockets


def test_slow_headers_are_cut_off(ops: Ops) -> None:
    with live_server(create_app(ops.service), header_timeout_s=0.5) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET /api/me HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            started = time.monotonic()
            assert slow.recv(1024) == b""  # closed by the server
            assert time.monotonic() - started < 5
        # A connection that sends nothing at all is closed as well.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
            assert idle.recv(1024) == b""
        assert httpx.get(base + "/api/me", timeout=10).status_code == 401


def test_headers_growing_past_the_limit_are_refused(ops: Ops) -> None:
    with live_server(create_app(ops.service)) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as big:
            big.sendall(b"GET /api/me HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 20_000)
            time.sleep(0.3)  # buffered, still incomplete: past 16 KiB it is refused
            with contextlib.suppress(OSError):  # closed already
                big.sendall(b"p" * 20_000 + b"\r\n\r\n")
            answer = big.recv(1024)
        assert answer == b"" or answer.split(b" ")[1] in (b"400", b"431"), answer[:40]


# --------------------------------------------------------- files, start-up


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_key_are_private(ops: Ops) -> None:
    folder = ops.data_dir
    database = folder / "roof.sqlite3"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), folder / KEY_FILE):
        assert path.exists(), path
        assert _mode(path) == 0o600, (path, oct(_mode(path)))


def test_an_old_world_readable_database_is_tightened(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        Store(tmp_path).open(None).has_accounts()
        database = tmp_path / "roof.sqlite3"
        database.chmod(0o644)
        (tmp_path / KEY_FILE).chmod(0o644)
        Store(tmp_path).open(None).has_accounts()
    finally:
        os.umask(old)
    assert _mode(database) == 0o600 and _mode(tmp_path / KEY_FILE) == 0o600
    assert _mode(Path(f"{database}-wal")) == 0o600


def test_one_server_per_data_folder(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.lock():
        with pytest.raises(RoofError, match="another `roof serve`"), Store(tmp_path).lock():
            pass
        assert _mode(tmp_path / server.LOCK_FILE) == 0o600
    with Store(tmp_path).lock():  # given back when the first one stops
        pass


def test_a_busy_port_is_reported_before_the_exercises_are_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = []
    monkeypatch.setattr(Store, "open", lambda self, scenario: opened.append(scenario))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        result = CliRunner().invoke(
            cli_app, ["serve", "--data-dir", str(tmp_path), "--port", str(port)]
        )
    assert result.exit_code == 2, result.output
    assert "in use" in result.output and opened == []
    assert time.monotonic() - started < 30


def test_a_second_server_on_the_same_folder_exits_2(tmp_path: Path) -> None:
    from tests.e2e.test_ops_server import free_port, roof, start

    first = start(tmp_path, free_port())
    try:
        second = roof("serve", "--data-dir", str(tmp_path), "--port", str(free_port()), timeout=120)
        assert second.returncode == 2, second.stdout + second.stderr
        assert "Traceback" not in second.stderr
        assert "another `roof serve` is using this data folder" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_other_parties_cannot_read_the_list_of_accounts(ops: Ops) -> None:
    def readable_accounts(as_user: str) -> set[str]:
        entries = ops.client.get("/api/audit?limit=1000", headers=ops.headers(as_user))
        return {
            e["payload"]["user"]
            for e in entries.json()["entries"]
            if e["kind"] == "account" and e["payload"] is not None
        }

    russian = readable_accounts(user("russia", "observer"))
    assert user("usa", "commander") not in russian
    assert user("russia", "commander") in russian
    assert (
        ops.client.get("/api/users", headers=ops.headers(user("russia", "observer"))).status_code
        == 403
    )
