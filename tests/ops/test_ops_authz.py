"""The authorization matrix: every endpoint x every role x every party, and
anonymous. Denied requests get 401/403/404 with a message and nothing else:
a party never learns of what the rules do not show it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from securityroof.ops.auth import PARTY_ROLES
from tests.ops.conftest import ADMIN, Ops, make_ops, user

_counter = itertools.count()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ops, int, dict]]:
    """One service with an exercise advanced until Deveselu's proposal is pending."""
    ops = make_ops(Path(tmp_path_factory.mktemp("authz")))
    exercise = ops.new_exercise(seed=3)
    for _ in range(80):
        ops.advance(exercise, 4)
        pending = [
            p
            for p in ops.client.get(
                f"/api/exercises/{exercise}/proposals", headers=ops.headers(user("usa", "observer"))
            ).json()
            if p["site"] == "deveselu" and p["status"] == "pending"
        ]
        if pending:
            yield ops, exercise, pending[0]
            return
    raise AssertionError("no pending Deveselu proposal")


def _everyone(ops: Ops) -> list[str | None]:
    return [None, ADMIN, *(user(p, r) for p in ops.parties for r in PARTY_ROLES)]


def _call(ops: Ops, who: str | None, method: str, path: str, body: dict | None = None):
    headers = ops.headers(who) if who else {}
    return ops.client.request(method, path, json=body, headers=headers)


def _role(who: str | None) -> str | None:
    return None if who is None else "admin" if who == ADMIN else who.rsplit("-", 1)[1]


def test_reading_endpoints(matrix) -> None:
    ops, exercise, _ = matrix
    shared = ["/api/me", "/api/parties", "/api/exercises", "/api/audit", "/api/audit/key"]
    party_only = [
        f"/api/exercises/{exercise}/picture",
        f"/api/exercises/{exercise}/picture.geojson",
        f"/api/exercises/{exercise}/proposals",
    ]
    for who in _everyone(ops):
        role = _role(who)
        for path in shared:
            reply = _call(ops, who, "GET", path)
            assert reply.status_code == (401 if role is None else 200), (who, path, reply.text)
        for path in party_only:
            reply = _call(ops, who, "GET", path)
            expected = {None: 401, "admin": 403}.get(role, 200)
            assert reply.status_code == expected, (who, path, reply.text)
            assert "detail" in reply.json() or expected == 200
        users = _call(ops, who, "GET", "/api/users")
        assert users.status_code == {None: 401, "admin": 200}.get(role, 403), who


def test_administration_endpoints(matrix) -> None:
    ops, exercise, _ = matrix
    for who in _everyone(ops):
        role = _role(who)
        n = next(_counter)
        calls = [
            ("POST", "/api/parties", {"id": f"party-{n}", "name": "New"}),
            (
                "POST",
                "/api/users",
                {
                    "username": f"person-{n}",
                    "password": "long-password",
                    "role": "observer",
                    "party": "usa",
                },
            ),
            ("POST", f"/api/exercises/{exercise}/pause", None),
            ("POST", f"/api/exercises/{exercise}/resume", None),
            ("POST", f"/api/exercises/{exercise}/advance", {"seconds": 0.5}),
        ]
        for method, path, body in calls:
            reply = _call(ops, who, method, path, body)
            expected = {None: 401, "admin": 201 if path.endswith(("parties", "users")) else 200}
            assert reply.status_code == expected.get(role, 403), (who, path, reply.text)
            if role not in (None, "admin"):
                assert "administrator" in reply.json()["detail"]


def test_raw_reports_of_another_party(matrix) -> None:
    """Raw reports reach exactly the operators and commanders the grants name."""
    ops, exercise, _ = matrix
    rules = ops.service.rules
    for party in ops.parties:
        for role in PARTY_ROLES:
            picture = _call(ops, user(party, role), "GET", f"/api/exercises/{exercise}/picture")
            seen = {r["party"] for r in picture.json()["reports"]}
            if role == "observer":
                assert seen == set(), (party, role)
            else:
                allowed = {p for p in ops.parties if rules.grant(p, party) == "reports"}
                assert seen <= allowed, (party, role, seen)
            audit = _call(ops, user(party, role), "GET", "/api/audit?limit=1000").json()
            for entry in audit["entries"]:
                if entry["kind"] == "reports" and entry["payload"] is not None:
                    assert rules.grant(entry["payload"]["party"], party) == "reports"
                if entry["payload"] is None:
                    assert entry["salt"] is None


def test_decisions(matrix) -> None:
    """Only the commanders of the owner and the host decide; the others get
    403 (party to it, no say) or 404 (not party to it: the same answer as for
    a proposal that does not exist, so nothing leaks)."""
    ops, _, proposal = matrix
    url = f"/api/proposals/{proposal['id']}/decision"
    missing = _call(
        ops,
        user("poland", "commander"),
        "POST",
        "/api/proposals/99999/decision",
        {"decision": "approve"},
    )
    assert missing.status_code == 404
    participants = {"usa", "romania"}
    deciders = [user("romania", "commander"), user("usa", "commander")]
    for who in _everyone(ops):
        if who in deciders:
            continue
        reply = _call(ops, who, "POST", url, {"decision": "refuse"})
        role, party = _role(who), (who or "").rsplit("-", 1)[0]
        if role is None:
            assert reply.status_code == 401
        elif role == "admin":
            assert reply.status_code == 403
        elif party not in participants:
            assert reply.status_code == 404, who
            assert reply.json()["detail"] == missing.json()["detail"].replace(
                "99999", str(proposal["id"])
            )
            assert "deveselu" not in reply.text
        else:
            assert reply.status_code == 403, who
    for who in deciders:
        assert _call(ops, who, "POST", url, {"decision": "approve"}).status_code == 200
    for who in deciders:
        assert _call(ops, who, "POST", url, {"decision": "approve"}).status_code == 409


def test_the_live_stream_refuses_before_it_starts(matrix) -> None:
    """The event stream checks access first: 401 anonymous, 403 administrator,
    404 an exercise that does not exist (the allowed stream is read in
    tests/e2e/test_ops_server.py, against a real server)."""
    ops, exercise, _ = matrix
    path = f"/api/exercises/{exercise}/events"
    assert _call(ops, None, "GET", path).status_code == 401
    assert _call(ops, ADMIN, "GET", path).status_code == 403
    for party in ops.parties:
        missing = _call(ops, user(party, "observer"), "GET", "/api/exercises/999/events")
        assert missing.status_code == 404 and "no exercise 999" in missing.json()["detail"]
