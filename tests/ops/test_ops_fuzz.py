"""Bad input on every endpoint: schemathesis draws requests from the service's
own OpenAPI document (valid and invalid), and no answer may be a server
error; malformed input (422) is refused with a message and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from securityroof.ops import auth
from securityroof.ops.api import create_app
from tests.ops.conftest import ADMIN, PASSWORD, Ops, make_ops, user


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ops]:
    ops = make_ops(Path(tmp_path_factory.mktemp("fuzz")))
    exercise = ops.new_exercise(seed=5)
    ops.advance(exercise, 130)
    yield ops


def _operations(ops: Ops) -> list:
    # Schemathesis's pytest plugin does not yet load under pytest 9, so its
    # strategies are driven by hypothesis directly, one operation at a time.
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(ops.service))
    operations = [result.ok() for result in schema.get_all_operations()]
    # Each new exercise flies the whole scenario (about a second): fuzzed apart below.
    return [
        op for op in operations if not (op.method.upper() == "POST" and op.path == "/api/exercises")
    ]


def _check(ops: Ops, case, headers: dict[str, str]) -> None:
    before = ops.service.ledger.size
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text)
    if response.status_code >= 400:
        detail = response.json().get("detail")
        assert isinstance(detail, str) and detail, response.text
    if response.status_code == 422:
        assert ops.service.ledger.size == before, "a refused malformed request wrote to the log"


def _fuzzer(ops: Ops, operation, headers: dict[str, str]):
    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        _check(ops, case, headers)

    return run


@pytest.mark.parametrize("who", [ADMIN, user("romania", "commander"), user("poland", "observer")])
def test_every_operation_with_drawn_input(fuzzed: Ops, who: str) -> None:
    operations = _operations(fuzzed)
    assert len(operations) >= 15
    for operation in operations:
        # A token of its own per operation: the fuzzed logout revokes it. Fresh rate
        # limits too: the fuzzer's failed logins and refusals would close this address.
        fuzzed.service.limits = auth.Limits()
        login = {"username": who, "password": PASSWORD}
        token = fuzzed.client.post("/api/login", json=login).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        _fuzzer(fuzzed, operation, headers)()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "speed": -1}, "speed"),
        ({"name": "", "speed": 1}, "name"),
        ({"name": "x", "speed": 1, "seed": -4}, "seed"),
        ({"name": "x", "speed": 1, "colour": "red"}, "colour"),
        ({"name": "x", "speed": "fast"}, "speed"),
    ],
)
def test_bad_exercise_requests_name_the_field(fuzzed: Ops, body: dict, field: str) -> None:
    before = (fuzzed.service.ledger.size, len(fuzzed.service.exercises()))
    reply = fuzzed.client.post("/api/exercises", json=body, headers=fuzzed.headers(ADMIN))
    assert reply.status_code == 422 and field in reply.json()["detail"]
    assert (fuzzed.service.ledger.size, len(fuzzed.service.exercises())) == before


def test_not_json_and_wrong_decision(fuzzed: Ops) -> None:
    headers = {**fuzzed.headers(user("usa", "commander")), "Content-Type": "application/json"}
    reply = fuzzed.client.post("/api/proposals/1/decision", content=b"{not json", headers=headers)
    assert reply.status_code == 422 and reply.json()["detail"]
    reply = fuzzed.client.post(
        "/api/proposals/1/decision", json={"decision": "maybe"}, headers=headers
    )
    assert reply.status_code == 422 and "decision" in reply.json()["detail"]
    reply = fuzzed.client.get("/api/exercises/0/picture", headers=headers)
    assert reply.status_code == 422
    reply = fuzzed.client.get("/api/exercises/77/picture", headers=headers)
    assert reply.status_code == 404 and "no exercise 77" in reply.json()["detail"]
