"""The joint operations service: exercises, pictures, decisions and the audit
log, behind one write lock, persisted in the database.

Every change is one database transaction that also appends its audit
entries, and the reply is sent only after the commit: an acknowledged change
survives a crash, and the log always matches the state. Requests the rules
refuse (no say, replayed or late approvals, wrong role, bad tokens) are
refused with a reason and recorded in the log, counted: one entry when a
kind of refusal first comes from an address (or an account) in a minute, one
more with the count of the rest when the minute is over. Nobody's attempted
user name is written.

Who sees what (see `model/operations.py` for the sharing grants and
`ops/auth.py` for the roles):
- the fused tracks of the party's own picture;
- raw reports of the parties that grant it "reports", for operators and
  commanders only;
- the engagement proposals the party is party to (owner, host, approver);
- audit entries: all of them, with the payload only where the entry names
  the party as a reader.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from securityroof.model.operations import Operations, OperationsSpec
from securityroof.model.scenario import Scenario
from securityroof.ops import auth
from securityroof.ops.checkpoints import Checkpoint, LogSigner
from securityroof.ops.commitments import new_salt, seed_commitment
from securityroof.ops.db import (
    CheckpointRow,
    Exercise,
    Party,
    Proposal,
    User,
    session_factory,
)
from securityroof.ops.decisions import Decisions
from securityroof.ops.exercise import ExerciseEngine, Step, rms_sigma_m
from securityroof.ops.ledger import EVERYONE, Ledger, entry_json
from securityroof.ops.sites import sites_json

MAX_ADVANCE_S = 3600.0
CHECKPOINT_EVERY = 100  # entries between the checkpoints the server stores itself
CHECKPOINT_PERIOD_S = 60.0  # and at least this often while the log grows
MAX_CHECKPOINTS_LISTED = 10_000
SEED_BITS = 128  # an exercise's secret seed: far beyond a search of the seeds


REFUSAL_WINDOW_S = 60  # refused requests are counted per minute in the audit log
MAX_REFUSAL_TALLIES = 5_000  # beyond: counted under one "(many)" address


class RefusedError(Exception):
    """A request the service refuses: HTTP status and a message for the user."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


@dataclass
class _Tally:
    """Refusals of one kind from one address or account in one minute."""

    window_start: int  # Unix time, s
    who: dict[str, Any]
    readers: list[str]
    status: int
    reason: str
    exercise_id: int | None
    unwritten: int = 0  # counted since the last entry


@dataclass
class _Clock:
    wall_s: float  # wall time the simulated time was last advanced at


class RoofService:
    def __init__(self, scenario: Scenario | None, engine: Engine, signer: LogSigner) -> None:
        """`scenario` None: account management only (the `roof admin` commands)."""
        self._scenario = scenario
        self.rules = Operations(OperationsSpec(), ()) if scenario is None else scenario.operations
        self.sessions = session_factory(engine)
        self.ledger = Ledger(signer)
        self.lock = threading.RLock()
        self.engines: dict[int, ExerciseEngine] = {}
        self.clocks: dict[int, _Clock] = {}
        self.version = 0  # bumped on every committed change, for the live streams
        self._pictures: dict[tuple[int, str, bool], tuple[int, dict[str, Any]]] = {}
        self._sites = sites_json(scenario) if scenario is not None else []
        self.decisions = Decisions(self.rules, self.ledger, self.engines)
        self.limits = auth.Limits()
        self._tallies: dict[tuple[str, int, str, int | None], _Tally] = {}
        self._tally_lock = threading.Lock()
        with self.sessions() as session:
            self.ledger.load(session)
            stored = session.scalars(select(func.max(CheckpointRow.tree_size))).one()
            self._checkpointed = (stored or 0, time.monotonic())  # (tree size, when)
            if scenario is None:
                return
            for exercise in session.scalars(select(Exercise).order_by(Exercise.id)):
                if exercise.status not in ("finished", "archived"):
                    self._rebuild(session, exercise)

    # ------------------------------------------------------------ plumbing

    @property
    def scenario(self) -> Scenario:
        if self._scenario is None:
            raise RefusedError(409, "this service was started without a scenario")
        return self._scenario

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One transaction under the write lock; the ledger follows commit or rollback."""
        with self.lock, self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                self.ledger.rolled_back()
                raise
            self.ledger.committed()
            self.version += 1
            if self.ledger.size - self._checkpointed[0] >= CHECKPOINT_EVERY:
                self.store_checkpoint()

    def refuse(
        self,
        principal: auth.Principal | None,
        action: str,
        status: int,
        detail: str,
        exercise_id: int | None = None,
    ) -> RefusedError:
        """Count a refused request in the log and return the error to raise.

        An account refused too often gets 429 instead (with Retry-After)."""
        if principal is None:
            return self.refuse_unknown("unknown", status, detail)
        wait = self.limits.refused_per_account.take(principal.username)
        headers = None
        if wait > 0:
            status, detail = 429, "too many refused requests from this account: try again later"
            headers = {"Retry-After": auth.retry_after(wait)}
            action, exercise_id = "any", None
        readers = [principal.party] if principal.party else [EVERYONE]
        who = {"user": principal.username, "party": principal.party, "action": action}
        self.count_refusal(who, readers, status, detail, exercise_id)
        return RefusedError(status, detail, headers)

    def refuse_unknown(
        self, address: str, status: int, detail: str, headers: dict[str, str] | None = None
    ) -> RefusedError:
        """Count a refused request from someone not logged in: by address only,
        never the user name it tried."""
        self.count_refusal({"address": address}, [EVERYONE], status, detail, None)
        return RefusedError(status, detail, headers)

    def count_refusal(
        self,
        who: dict[str, Any],
        readers: list[str],
        status: int,
        reason: str,
        exercise_id: int | None,
    ) -> None:
        """The first refusal of its kind in a minute is written at once; the
        others are counted and written as one entry when the minute is over."""
        now = time.time()
        window = int(now // REFUSAL_WINDOW_S) * REFUSAL_WINDOW_S
        key = (json.dumps(who, sort_keys=True), status, reason, exercise_id)
        with self._tally_lock:
            due = self._close_tallies(window)
            tally = self._tallies.get(key)
            first = tally is None
            if tally is None:
                if len(self._tallies) >= MAX_REFUSAL_TALLIES:
                    who, readers = {"address": "(many)"}, [EVERYONE]
                    key = (json.dumps(who), status, reason, None)
                    exercise_id = None
                tally = self._tallies.get(key)
                first = tally is None
                if tally is None:
                    tally = _Tally(window, who, readers, status, reason, exercise_id)
                    self._tallies[key] = tally
            if first:
                due.append((tally, 1))
            else:
                tally.unwritten += 1
        self._write_tallies(due)

    def flush_refusals(self, everything: bool = False) -> None:
        """Write the counts of the minutes that are over (`everything`: of all)."""
        window = int(time.time() // REFUSAL_WINDOW_S) * REFUSAL_WINDOW_S
        with self._tally_lock:
            due = self._close_tallies(window)
            if everything:
                for tally in self._tallies.values():
                    if tally.unwritten:
                        due.append((tally, tally.unwritten))
                        tally.unwritten = 0
        self._write_tallies(due)

    def _close_tallies(self, window: int) -> list[tuple[_Tally, int]]:
        """Take out the tallies of earlier minutes (call with the tally lock held)."""
        if not self._tallies:
            return []
        closed = [k for k, t in self._tallies.items() if t.window_start != window]
        due = []
        for key in closed:
            tally = self._tallies.pop(key)
            if tally.unwritten:
                due.append((tally, tally.unwritten))
        return due

    def _write_tallies(self, due: list[tuple[_Tally, int]]) -> None:
        if not due:
            return
        with self.writing() as session:
            for tally, count in due:
                payload = {
                    **tally.who,
                    "status": tally.status,
                    "reason": tally.reason,
                    "minute": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(tally.window_start)),
                    "count": count,
                }
                self.ledger.append(
                    session, "refused-request", payload, tally.readers, tally.exercise_id
                )

    # ------------------------------------------------------------- accounts

    def bootstrap(self, parties: list[tuple[str, str]], admin: tuple[str, str] | None) -> None:
        with self.writing() as session:
            for party_id, name in parties:
                auth.create_party(session, party_id, name)
                self.ledger.append(session, "party", {"id": party_id, "name": name}, [EVERYONE])
            if admin is not None:
                auth.create_user(session, admin[0], admin[1], "admin", None)
                self.ledger.append(
                    session, "account", {"user": admin[0], "role": "admin"}, [EVERYONE]
                )

    def create_party(self, principal: auth.Principal, party_id: str, name: str) -> dict[str, str]:
        self.require_admin(principal, "create a party")
        with self.writing() as session:
            auth.create_party(session, party_id, name)
            self.ledger.append(session, "party", {"id": party_id, "name": name}, [EVERYONE])
        return {"id": party_id, "name": name}

    def create_user(
        self, principal: auth.Principal, username: str, password: str, role: str, party: str | None
    ) -> dict[str, Any]:
        self.require_admin(principal, "create an account")
        with self.writing() as session:
            auth.create_user(session, username, password, role, party)
            # A party's accounts are its own business: the others see only that one was made.
            self.ledger.append(
                session,
                "account",
                {"user": username, "role": role, "party": party, "by": principal.username},
                [party] if party else [EVERYONE],
            )
        return {"username": username, "role": role, "party": party}

    def has_accounts(self) -> bool:
        with self.sessions() as session:
            return session.scalars(select(User.id).limit(1)).first() is not None

    def parties(self) -> list[dict[str, str]]:
        with self.sessions() as session:
            return [{"id": p.id, "name": p.name} for p in session.scalars(select(Party))]

    def users(self, principal: auth.Principal) -> list[dict[str, Any]]:
        self.require_admin(principal, "list accounts")
        with self.sessions() as session:
            return [
                {"username": u.username, "role": u.role, "party": u.party_id}
                for u in session.scalars(select(User).order_by(User.id))
            ]

    def require_admin(self, principal: auth.Principal, action: str) -> None:
        if principal.role != "admin":
            raise self.refuse(principal, action, 403, f"only an administrator may {action}")

    def require_party(self, principal: auth.Principal, action: str) -> str:
        if principal.party is None:
            raise self.refuse(
                principal, action, 403, "the administrator sees no sensor data or decisions"
            )
        return principal.party

    # ------------------------------------------------------------ exercises

    def create_exercise(
        self, principal: auth.Principal, name: str, speed: float, seed: int | None
    ) -> dict[str, Any]:
        """Start an exercise. Its random streams (sensor noise, kill draws) come from a seed
        only the server knows: a fresh 128-bit one, or the director's `seed` for a rehearsal
        that must repeat. The parties get a salted commitment to it now and the seed and salt
        when the exercise ends, so they can then recompute every draw."""
        self.require_admin(principal, "start an exercise")
        stream_seed = secrets.randbits(SEED_BITS) if seed is None else seed
        salt = new_salt()
        engine = ExerciseEngine(self.scenario, stream_seed)  # the physics, before any write
        with self.writing() as session:
            exercise = Exercise(
                name=name,
                scenario_digest=self.scenario.digest,
                seed=0 if seed is None else seed,
                stream_seed=f"{stream_seed:x}",
                seed_salt=salt,
                speed=speed,
                status="running",
                sim_time_s=0.0,
                created_at=time.time(),
            )
            session.add(exercise)
            session.flush()
            payload = {
                "id": exercise.id,
                "name": name,
                "scenario": self.scenario.name,
                "scenario_sha256": self.scenario.digest,
                "seed_commitment": seed_commitment(exercise.id, stream_seed, salt),
                "speed": speed,
                "by": principal.username,
            }
            self.ledger.append(session, "exercise-started", payload, [EVERYONE], exercise.id)
            self.engines[exercise.id] = engine
            self.clocks[exercise.id] = _Clock(time.monotonic())
            return _exercise_json(exercise)

    def end_exercise(self, principal: auth.Principal, exercise_id: int) -> dict[str, Any]:
        """The director ends an exercise before its threats have all flown; its seed is
        revealed in the log."""
        self.require_admin(principal, "end an exercise")
        with self.writing() as session:
            exercise = self.exercise_row(session, exercise_id)
            if exercise.status in ("finished", "archived"):
                raise RefusedError(409, f"exercise {exercise_id} has finished")
            for proposal in session.scalars(
                select(Proposal).where(
                    Proposal.exercise_id == exercise_id, Proposal.status == "pending"
                )
            ):  # nobody can decide on an exercise that is over
                proposal.status = "moot"
                payload = {"proposal": proposal.id, "status": "moot", "at_s": exercise.sim_time_s}
                readers = self.decisions.participants(proposal)
                self.ledger.append(session, "proposal-closed", payload, readers, exercise_id)
            self._finish(session, exercise, principal.username)
            return _exercise_json(exercise)

    def archive_exercise(self, principal: auth.Principal, exercise_id: int) -> dict[str, Any]:
        """Put a finished exercise away: listed as archived, its log entries kept."""
        self.require_admin(principal, "archive an exercise")
        with self.writing() as session:
            exercise = self.exercise_row(session, exercise_id)
            if exercise.status != "finished":
                raise RefusedError(409, f"exercise {exercise_id} has not finished: end it first")
            exercise.status = "archived"
            payload = {"id": exercise_id, "by": principal.username}
            self.ledger.append(session, "exercise-archived", payload, [EVERYONE], exercise_id)
            return _exercise_json(exercise)

    def _finish(self, session: Session, exercise: Exercise, by: str | None) -> None:
        """Mark the exercise finished and reveal its seed and salt in the log."""
        exercise.status = "finished"
        payload: dict[str, Any] = {"id": exercise.id, "at_s": exercise.sim_time_s}
        if by is not None:
            payload["by"] = by
        if exercise.stream_seed is not None and exercise.seed_salt is not None:
            payload["seed"] = str(int(exercise.stream_seed, 16))
            payload["seed_salt"] = exercise.seed_salt
        self.ledger.append(session, "exercise-finished", payload, [EVERYONE], exercise.id)
        self.engines.pop(exercise.id, None)

    def exercises(self) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(select(Exercise).order_by(Exercise.id))
            return [_exercise_json(e) for e in rows]

    def exercise_row(self, session: Session, exercise_id: int) -> Exercise:
        exercise = session.get(Exercise, exercise_id)
        if exercise is None:
            raise RefusedError(404, f"there is no exercise {exercise_id}")
        return exercise

    def set_running(self, principal: auth.Principal, exercise_id: int, running: bool) -> Any:
        self.require_admin(principal, "pause or resume an exercise")
        with self.writing() as session:
            exercise = self.exercise_row(session, exercise_id)
            if exercise.status in ("finished", "archived"):
                raise RefusedError(409, f"exercise {exercise_id} has finished")
            exercise.status = "running" if running else "paused"
            self.clocks[exercise_id] = _Clock(time.monotonic())
            kind = "exercise-resumed" if running else "exercise-paused"
            payload = {"id": exercise_id, "at_s": exercise.sim_time_s, "by": principal.username}
            self.ledger.append(session, kind, payload, [EVERYONE], exercise_id)
            return _exercise_json(exercise)

    def advance(self, principal: auth.Principal, exercise_id: int, seconds: float) -> Any:
        """Step an exercise's clock by hand (the exercise director's control)."""
        self.require_admin(principal, "advance an exercise")
        if not (0.0 < seconds <= MAX_ADVANCE_S):
            raise RefusedError(422, f"seconds must be in (0, {MAX_ADVANCE_S:g}]")
        with self.writing() as session:
            exercise = self.exercise_row(session, exercise_id)
            if exercise.status in ("finished", "archived"):
                raise RefusedError(409, f"exercise {exercise_id} has finished")
            self._advance(session, exercise, exercise.sim_time_s + seconds)
            result = _exercise_json(exercise)
        result["audit_size"] = self.ledger.size
        return result

    def tick(self) -> None:
        """Advance every running, clocked exercise to the wall clock (the clock thread)."""
        self.flush_refusals()
        if time.monotonic() - self._checkpointed[1] >= CHECKPOINT_PERIOD_S:
            self.store_checkpoint()
        now = time.monotonic()
        for exercise_id in list(self.engines):
            with self.lock:
                clock = self.clocks.setdefault(exercise_id, _Clock(now))
                with self.sessions() as session:
                    exercise = session.get(Exercise, exercise_id)
                    clocked = (
                        exercise is not None and exercise.status == "running" and exercise.speed > 0
                    )
                if not clocked:
                    # Nothing to write: no transaction, so the live streams stay quiet.
                    clock.wall_s = now
                    continue
                with self.writing() as session:
                    exercise = session.get(Exercise, exercise_id)
                    assert exercise is not None
                    until = exercise.sim_time_s + exercise.speed * (now - clock.wall_s)
                    clock.wall_s = now
                    self._advance(session, exercise, until)

    def _advance(self, session: Session, exercise: Exercise, until_s: float) -> None:
        engine = self.engines[exercise.id]
        while True:
            upcoming = engine.next_time_s
            if upcoming is None or upcoming > until_s:
                break
            for step in engine.step_to(upcoming):
                self._record_step(session, exercise, step)
                self.decisions.settle(session, exercise, step.time_s)
        engine.step_to(until_s)
        self.decisions.settle(session, exercise, until_s)
        exercise.sim_time_s = until_s
        open_rows = session.scalars(
            select(Proposal).where(
                Proposal.exercise_id == exercise.id, Proposal.status.in_(("pending", "approved"))
            )
        )
        if engine.done and not any(
            p.status == "pending" or p.outcome_json is None for p in open_rows
        ):
            self._finish(session, exercise, None)

    def _record_step(self, session: Session, exercise: Exercise, step: Step) -> None:
        engine = self.engines[exercise.id]
        rules = self.rules
        for party, reports in sorted(step.reports.items()):
            payload = {"time_s": step.time_s, "party": party, "reports": reports}
            readers = rules.report_readers(party)
            self.ledger.append(session, "reports", payload, readers, exercise.id)
        for view, tracks in step.tracks.items():
            if not tracks:
                continue
            picture_of = sorted(p for p, v in engine.view_of.items() if v == view)
            payload = {
                "time_s": step.time_s,
                "picture_of": picture_of,
                "tracks": [_track_record(t) for t in tracks],
            }
            self.ledger.append(session, "tracks", payload, picture_of, exercise.id)
        for candidate in step.candidates:
            self.decisions.propose(session, exercise, engine, candidate, step.time_s)

    # ------------------------------------------------------------ decisions

    def decide(self, principal: auth.Principal, proposal_id: int, decision: str) -> Any:
        """A commander's approval or refusal of an engagement for its party."""
        action = f"{decision} proposal {proposal_id}"
        party = self.require_party(principal, action)
        with self.lock:
            with self.sessions() as session:
                refused = self.decisions.refusal(session, proposal_id, party, principal.role)
            if refused is not None:
                status, detail, exercise_id = refused
                raise self.refuse(principal, action, status, detail, exercise_id)
            with self.writing() as session:
                proposal = session.get(Proposal, proposal_id)
                assert proposal is not None
                exercise = self.exercise_row(session, proposal.exercise_id)
                self.decisions.decide(
                    session, proposal, party, decision, principal.username, exercise.sim_time_s
                )
                return self.decisions.as_json(session, proposal, principal)

    def proposals(self, principal: auth.Principal, exercise_id: int) -> list[dict[str, Any]]:
        """The proposals of an exercise that concern the principal's party."""
        self.require_party(principal, f"read the proposals of exercise {exercise_id}")
        with self.lock, self.sessions() as session:
            self.exercise_row(session, exercise_id)
            return self.decisions.visible(session, exercise_id, principal)

    # -------------------------------------------------------------- reading

    def picture(self, principal: auth.Principal, exercise_id: int) -> dict[str, Any]:
        party = self.require_party(principal, f"read the picture of exercise {exercise_id}")
        # Many readers and live streams ask for the same picture between two changes.
        key = (exercise_id, party, principal.sees_raw_reports)
        with self.lock:
            cached = self._pictures.get(key)
            if cached is not None and cached[0] == self.version:
                return cached[1]
            found = self._picture(principal, party, exercise_id)
            self._pictures[key] = (self.version, found)
            return found

    def _sites_with_inventory(self, session: Session, exercise_id: int) -> list[dict[str, Any]]:
        fired = self.decisions.fired(session, exercise_id)
        return [
            {
                **site,
                "interceptors": [
                    {**b, "remaining": b["count"] - fired.get((site["id"], b["type"]), 0)}
                    for b in site["interceptors"]
                ],
            }
            for site in self._sites
        ]

    def _picture(self, principal: auth.Principal, party: str, exercise_id: int) -> dict[str, Any]:
        with self.sessions() as session:
            exercise = self.exercise_row(session, exercise_id)
            engine = self.engines.get(exercise_id)
            tracks = engine.tracks_json(party) if engine else []
            reports: list[dict[str, object]] = []
            if engine is not None and principal.sees_raw_reports:
                rules = self.rules
                readable = frozenset(p for p in rules.parties if rules.grant(p, party) == "reports")
                reports = [_public_report(r) for r in engine.raw_reports_json(readable)]
            return {
                "exercise": _exercise_json(exercise),
                "party": party,
                "sim_time_s": exercise.sim_time_s,
                "tracks": tracks,
                "reports": reports,
                "sites": self._sites_with_inventory(session, exercise_id),
            }

    def audit(
        self, principal: auth.Principal, after: int, limit: int, exercise_id: int | None
    ) -> dict[str, Any]:
        with self.sessions() as session:
            entries = self.ledger.read(
                session, principal.party, after=after, limit=limit, exercise_id=exercise_id
            )
        size, root = self.ledger.head()
        return {
            "entries": [entry_json(e) for e in entries],
            "tree_size": size,
            "root_hash": root,
        }

    def checkpoint(self) -> Checkpoint:
        with self.writing() as session:
            found = self.ledger.checkpoint(session)
        self._checkpointed = (found.tree_size, time.monotonic())
        return found

    def store_checkpoint(self) -> Checkpoint | None:
        """Sign and store the head of the log if it grew since the last stored checkpoint:
        every CHECKPOINT_EVERY entries, every CHECKPOINT_PERIOD_S and at shutdown, so that
        entries cut off the end are named by `roof audit verify` even if no party kept one."""
        with self.lock:
            if self.ledger.size == self._checkpointed[0]:
                return None
            with self.sessions() as session:
                found = self.ledger.checkpoint(session)
                session.commit()
            self._checkpointed = (found.tree_size, time.monotonic())
            return found

    def stored_checkpoints(self, after_size: int = 0) -> list[dict[str, Any]]:
        """The checkpoints the server stored, smallest first, for every party to keep."""
        with self.sessions() as session:
            rows = session.scalars(
                select(CheckpointRow)
                .where(CheckpointRow.tree_size > after_size)
                .order_by(CheckpointRow.tree_size)
                .limit(MAX_CHECKPOINTS_LISTED)
            )
            return [
                Checkpoint(r.tree_size, r.root_hash, r.issued_at, r.key_id, r.signature).to_json()
                for r in rows
            ]

    # --------------------------------------------------------------- set-up

    def _rebuild(self, session: Session, exercise: Exercise) -> None:
        """Bring an unfinished exercise's engine back to its stored time (after a restart)."""
        engine = ExerciseEngine(self.scenario, _stream_seed(exercise))
        for proposal in session.scalars(
            select(Proposal).where(Proposal.exercise_id == exercise.id)
        ):
            engine.offered.add((proposal.threat, proposal.battery))
            plan = json.loads(proposal.outcome_json or "{}")
            if plan.get("result") == "intercepted":
                engine.kill(proposal.threat, plan["at_s"])
        engine.step_to(exercise.sim_time_s)
        self.engines[exercise.id] = engine
        self.clocks[exercise.id] = _Clock(time.monotonic())


def _exercise_json(exercise: Exercise) -> dict[str, Any]:
    return {
        "id": exercise.id,
        "name": exercise.name,
        "status": exercise.status,
        "sim_time_s": exercise.sim_time_s,
        "speed": exercise.speed,
    }


def _stream_seed(exercise: Exercise) -> int:
    """The seed of the exercise's random streams (never shown to a party before the end)."""
    return exercise.seed if exercise.stream_seed is None else int(exercise.stream_seed, 16)


def _public_report(report: dict[str, object]) -> dict[str, object]:
    return {k: report[k] for k in ("time_s", "sensor", "party", "lat_deg", "lon_deg", "altitude_m")}


def _track_record(track: Any) -> dict[str, Any]:
    return {
        "id": f"T{track.track_id}",
        "status": track.status,
        "state": [round(float(v), 3) for v in track.state],
        "sigma_position_m": round(rms_sigma_m(track.covariance[:3, :3]), 3),
        "parties": sorted(track.parties),
        "sensors": sorted(track.sensors),
    }
