"""The state the audit log implies, compared with the state tables.

Every change to accounts, exercises, proposals and decisions is logged in the
same transaction as the change, so the log says what the tables must hold. An
edit made to a table behind the service's back (a decision flipped, a role
raised, a session token slipped in) leaves the log and the table disagreeing;
`roof audit verify` names each such difference. Password hashes and token
expiries are not in the log and are not checked.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securityroof.ops.audit import AuditEntry, Finding
from securityroof.ops.db import Decision, Exercise, Proposal, Token, User

PROPOSAL_FIELDS = ("site", "party", "host", "interceptor", "track_id", "shots")
_EXERCISE_STATUS = {
    "exercise-started": "running",
    "exercise-paused": "paused",
    "exercise-resumed": "running",
    "exercise-finished": "finished",
    "exercise-archived": "archived",
}


@dataclass
class State:
    """What the tables hold (or, rebuilt from the log, must hold)."""

    users: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # role, party
    logins: Counter[str] = field(default_factory=Counter)  # tokens issued, by user
    exercises: dict[int, str] = field(default_factory=dict)  # status
    proposals: dict[int, dict[str, Any]] = field(default_factory=dict)  # fields and status
    decisions: dict[tuple[int, str], str] = field(default_factory=dict)  # approve | refuse
    outcomes: dict[int, str] = field(default_factory=dict)  # result


def logged_state(entries: Iterable[AuditEntry]) -> State:
    """The state the log's entries (with their payloads, in log order) imply."""
    state = State()
    for entry in entries:
        p = entry.payload
        if not isinstance(p, dict):
            continue
        try:
            _apply(state, entry.kind, p)
        except (KeyError, TypeError, ValueError):
            continue  # a malformed payload is the log check's business
    return state


def _apply(state: State, kind: str, p: dict[str, Any]) -> None:
    if kind == "account":
        state.users[str(p["user"])] = (str(p["role"]), p.get("party"))
    elif kind == "login":
        state.logins[str(p["user"])] += 1
    elif kind in _EXERCISE_STATUS:
        state.exercises[int(p["id"])] = _EXERCISE_STATUS[kind]
    elif kind == "proposal":
        state.proposals[int(p["id"])] = {
            **{name: p[name] for name in PROPOSAL_FIELDS},
            "status": "pending",
        }
    elif kind == "proposal-closed" and int(p["proposal"]) in state.proposals:
        state.proposals[int(p["proposal"])]["status"] = str(p["status"])
    elif kind == "decision":
        state.decisions[(int(p["proposal"]), str(p["party"]))] = str(p["decision"])
    elif kind == "outcome":
        state.outcomes[int(p["proposal"])] = str(p["result"])


def table_state(session: Session) -> State:
    """What the state tables hold now."""
    state = State()
    for u in session.scalars(select(User)):
        state.users[u.username] = (u.role, u.party_id)
    names = {u.id: u.username for u in session.scalars(select(User))}
    for t in session.scalars(select(Token)):
        state.logins[names.get(t.user_id, f"(account id {t.user_id})")] += 1
    for e in session.scalars(select(Exercise)):
        state.exercises[e.id] = e.status
    for r in session.scalars(select(Proposal)):
        state.proposals[r.id] = {
            **{name: getattr(r, name) for name in PROPOSAL_FIELDS},
            "status": r.status,
        }
        try:
            plan = json.loads(r.outcome_json or "{}")
        except ValueError:
            plan = {"result": "(unreadable)"}
        if isinstance(plan, dict) and "result" in plan:
            state.outcomes[r.id] = str(plan["result"])
    for d in session.scalars(select(Decision)):
        state.decisions[(d.proposal_id, d.party)] = d.decision
    return state


def _differences(
    what: Callable[[Any], str],
    table: Mapping[Any, Any],
    log: Mapping[Any, Any],
    show: Callable[[Any], str] = repr,
) -> list[str]:
    found = []
    for key in sorted(set(table) | set(log), key=str):
        if key not in log:
            found.append(f"{what(key)}: {show(table[key])} in the table, not in the log")
        elif key not in table:
            found.append(f"{what(key)}: {show(log[key])} by the log, missing from the table")
        elif table[key] != log[key]:
            found.append(
                f"{what(key)}: {show(table[key])} in the table, {show(log[key])} by the log"
            )
    return found


def _proposal_differences(table: State, log: State) -> list[str]:
    found = []
    for pid in sorted(set(table.proposals) | set(log.proposals)):
        t, g = table.proposals.get(pid), log.proposals.get(pid)
        if t is None or g is None:
            found += _differences(
                lambda k: f"proposal {k}",
                {pid: t} if t else {},
                {pid: g} if g else {},
                lambda v: f"site {v['site']!r}",
            )
            continue
        for name in ("status", *PROPOSAL_FIELDS):
            if t[name] != g[name]:
                found.append(
                    f"proposal {pid}: {name} {t[name]!r} in the table, {g[name]!r} by the log"
                )
    return found


def state_findings(session: Session, entries: Sequence[AuditEntry]) -> list[Finding]:
    """Each difference between the state tables and the state the log implies."""
    table, log = table_state(session), logged_state(entries)
    texts = _differences(
        lambda k: f"account {k!r}",
        table.users,
        log.users,
        lambda v: f"role {v[0]!r}" + (f" of {v[1]}" if v[1] else ""),
    )
    texts += _differences(
        lambda k: f"account {k!r}",
        dict(table.logins),
        dict(log.logins),
        lambda n: f"{n} session token(s)" if n != 1 else "1 session token",
    )
    texts += _differences(
        lambda k: f"exercise {k}", table.exercises, log.exercises, lambda s: f"status {s!r}"
    )
    texts += _proposal_differences(table, log)
    texts += _differences(
        lambda k: f"decision of {k[1]} on proposal {k[0]}",
        table.decisions,
        log.decisions,
        repr,
    )
    texts += _differences(lambda k: f"outcome of proposal {k}", table.outcomes, log.outcomes, repr)
    return [Finding(None, "state-mismatch", text) for text in texts]
