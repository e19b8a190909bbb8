"""A running operations service (in-process, SQLite in a temporary folder) with
one administrator and a commander, an operator and an observer per party of
the built-in exercise."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from securityroof.cli.ops import builtin_exercise
from securityroof.model.scenario import load_scenario
from securityroof.ops import auth
from securityroof.ops.api import create_app
from securityroof.ops.auth import PARTY_ROLES, Principal
from securityroof.ops.server import Store
from securityroof.ops.service import RoofService
from tests.ops.postgres import postgres_url  # noqa: F401  (the session's PostgreSQL server)

# The in-process tests make dozens of accounts each: cheap Argon2id parameters,
# since the hash's cost is not what they test (the subprocess tests keep the defaults).
auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

PASSWORD = "exercise-password"
ADMIN = "director"
CLI = Principal(0, "cli", None, "admin")


@dataclass
class Ops:
    service: RoofService
    client: TestClient
    tokens: dict[str, str]  # user name -> token
    parties: tuple[str, ...]
    data_dir: Path

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def new_exercise(self, seed: int = 7) -> int:
        reply = self.client.post(
            "/api/exercises",
            json={"name": "test", "speed": 0, "seed": seed},
            headers=self.headers(ADMIN),
        )
        assert reply.status_code == 201, reply.text
        return int(reply.json()["id"])

    def advance(self, exercise_id: int, seconds: float) -> dict:
        reply = self.client.post(
            f"/api/exercises/{exercise_id}/advance",
            json={"seconds": seconds},
            headers=self.headers(ADMIN),
        )
        assert reply.status_code == 200, reply.text
        return reply.json()


def user(party: str, role: str) -> str:
    return f"{party}-{role}"


def make_ops(data_dir: Path, db: str | None = None) -> Ops:
    scenario = load_scenario(builtin_exercise())
    service = Store(data_dir, db).open(scenario)
    parties = scenario.operations.parties if scenario.operations else ()
    service.bootstrap([(p, p.title()) for p in parties], (ADMIN, PASSWORD))
    for party in parties:
        for role in PARTY_ROLES:
            service.create_user(CLI, user(party, role), PASSWORD, role, party)
    client = TestClient(create_app(service))
    tokens = {}
    for name in [ADMIN, *(user(p, r) for p in parties for r in PARTY_ROLES)]:
        reply = client.post("/api/login", json={"username": name, "password": PASSWORD})
        assert reply.status_code == 200, reply.text
        tokens[name] = reply.json()["token"]
    return Ops(service, client, tokens, tuple(parties), data_dir)


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[Ops]:
    yield make_ops(tmp_path)
