"""Engagement decisions: proposals from the engagement model, approvals and
refusals under the scenario's rules, deadlines, and the drawn outcomes.

A proposal concerns its site's owner, its host and the parties the approval
rule names; only they see it (everyone else gets 404, as for a proposal that
does not exist) and only the approvers' commanders decide. Any refusal
refuses; all approvals approve; at the deadline the rule's default stands for
every approver still silent. The rule's deadline is counted in the
commanders' own (wall) seconds: on a clocked exercise it is scaled by the
speed, so at x10 a 30 s deadline is 300 simulated s (see
`decision_deadline_s`). An approved engagement launches at the later of
its earliest launch and the approval, and intercepts one flyout later (the
flyout taken as from the earliest launch to the window's start); past the
window's end it is too late.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securityroof.model.operations import Operations
from securityroof.ops import auth
from securityroof.ops.db import Decision, Exercise, Proposal
from securityroof.ops.exercise import Candidate, ExerciseEngine
from securityroof.ops.ledger import Ledger


class Decisions:
    """The proposal lifecycle (called under the service's write lock): the
    approval rules, the log it writes to and the running exercises' engines,
    by exercise id (the service's own dict, so it sees exercises start and end)."""

    def __init__(
        self, rules: Operations, ledger: Ledger, engines: dict[int, ExerciseEngine]
    ) -> None:
        self.rules = rules
        self.ledger = ledger
        self.engines = engines

    def propose(
        self,
        session: Session,
        exercise: Exercise,
        engine: ExerciseEngine,
        candidate: Candidate,
        time_s: float,
    ) -> None:
        battery = engine.batteries[candidate.battery]
        left = battery.count - self.fired(session, exercise.id).get(
            (battery.site, battery.interceptor), 0
        )
        if left <= 0:
            return  # the battery has nothing left to fire
        rule = self.rules.approval_rule(battery.site)
        proposal = Proposal(
            exercise_id=exercise.id,
            threat=candidate.threat,
            battery=candidate.battery,
            site=battery.site,
            party=battery.party,
            host=battery.host,
            interceptor=battery.interceptor,
            track_id=candidate.track_id,
            window_start_s=candidate.window_start_s,
            window_end_s=candidate.window_end_s,
            shots=min(candidate.shots, left),
            created_at_s=time_s,
            deadline_s=decision_deadline_s(
                time_s, rule.deadline_s, exercise.speed, candidate.window_end_s
            ),
            status="pending",
            outcome_json=json.dumps({"earliest_launch_s": candidate.earliest_launch_s}),
        )
        session.add(proposal)
        session.flush()
        self.ledger.append(
            session,
            "proposal",
            self.record(proposal),
            self.participants(proposal),
            exercise.id,
        )

    def fired(self, session: Session, exercise_id: int) -> dict[tuple[str, str], int]:
        """Interceptors fired so far, by (site, interceptor type)."""
        fired: dict[tuple[str, str], int] = {}
        rows = session.scalars(
            select(Proposal).where(
                Proposal.exercise_id == exercise_id, Proposal.outcome_json.is_not(None)
            )
        )
        for proposal in rows:
            shots = json.loads(proposal.outcome_json or "{}").get("shots_fired", 0)
            key = (proposal.site, proposal.interceptor)
            fired[key] = fired.get(key, 0) + int(shots)
        return fired

    def approvers(self, proposal: Proposal) -> tuple[str, ...]:
        return self.rules.approvers(proposal.site, proposal.party, proposal.host)

    def participants(self, proposal: Proposal) -> list[str]:
        """The parties an engagement concerns: the owner, the host and the approvers."""
        return sorted({proposal.party, proposal.host or proposal.party, *self.approvers(proposal)})

    def settle(self, session: Session, exercise: Exercise, time_s: float) -> None:
        """Apply deadlines and draw the outcomes that fall due by `time_s`."""
        engine = self.engines[exercise.id]
        rows = session.scalars(
            select(Proposal)
            .where(
                Proposal.exercise_id == exercise.id, Proposal.status.in_(("pending", "approved"))
            )
            .order_by(Proposal.id)
        ).all()
        for proposal in rows:
            if proposal.status == "pending" and time_s >= proposal.deadline_s:
                rule = self.rules.approval_rule(proposal.site)
                decided = {d.party for d in _decisions(session, proposal.id)}
                for party in self.approvers(proposal):
                    if party not in decided:
                        self._decide(session, proposal, party, rule.default, None, time_s, True)
            if proposal.status == "approved":
                self._maybe_outcome(session, engine, proposal, time_s)

    def _maybe_outcome(
        self, session: Session, engine: ExerciseEngine, proposal: Proposal, time_s: float
    ) -> None:
        plan = json.loads(proposal.outcome_json or "{}")
        if "result" in plan or "intercept_at_s" not in plan:
            return
        if time_s < plan["intercept_at_s"]:
            return
        if proposal.threat in engine.killed_at_s:
            plan.update(result="moot", shots_fired=0, at_s=plan["intercept_at_s"])
        elif plan["intercept_at_s"] > proposal.window_end_s:
            plan.update(result="too-late", shots_fired=0, at_s=plan["intercept_at_s"])
        else:
            hit, fired = engine.draw_outcome(proposal.threat, proposal.battery, proposal.shots)
            plan.update(
                result="intercepted" if hit else "missed",
                shots_fired=fired,
                at_s=plan["intercept_at_s"],
                single_shot_kill_probability=engine.kill_probability(proposal.battery),
            )
            if hit:
                engine.kill(proposal.threat, plan["intercept_at_s"])
        proposal.outcome_json = json.dumps(plan)
        payload = {"proposal": proposal.id, "track_id": proposal.track_id, **plan}
        readers = self.participants(proposal)
        self.ledger.append(session, "outcome", payload, readers, proposal.exercise_id)

    def _decide(
        self,
        session: Session,
        proposal: Proposal,
        party: str,
        decision: str,
        username: str | None,
        time_s: float,
        by_default: bool,
    ) -> None:
        session.add(
            Decision(
                proposal_id=proposal.id,
                party=party,
                decision=decision,
                username=username,
                at_s=time_s,
                by_default=by_default,
            )
        )
        session.flush()
        readers = self.participants(proposal)
        payload = {
            "proposal": proposal.id,
            "party": party,
            "decision": decision,
            "by": username,
            "at_s": time_s,
            "by_default": by_default,
        }
        self.ledger.append(session, "decision", payload, readers, proposal.exercise_id)
        decisions = {d.party: d.decision for d in _decisions(session, proposal.id)}
        approvers = self.approvers(proposal)
        if any(v == "refuse" for v in decisions.values()):
            proposal.status = "refused"
        elif all(decisions.get(p) == "approve" for p in approvers):
            proposal.status = "approved"
            plan = json.loads(proposal.outcome_json or "{}")
            earliest = plan.get("earliest_launch_s", proposal.window_start_s)
            launch = max(earliest, time_s)
            # The flyout takes as long as from the earliest launch to the window's start.
            plan.update(
                launch_at_s=launch, intercept_at_s=launch + proposal.window_start_s - earliest
            )
            proposal.outcome_json = json.dumps(plan)
        else:
            return
        payload = {"proposal": proposal.id, "status": proposal.status, "at_s": time_s}
        self.ledger.append(session, "proposal-closed", payload, readers, proposal.exercise_id)

    def refusal(
        self, session: Session, proposal_id: int, party: str, role: str
    ) -> tuple[int, str, int | None] | None:
        """Why a `role` of `party` may not decide on the proposal now: (HTTP status,
        detail, exercise id), or None when it may."""
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or party not in self.participants(proposal):
            # Not shown to this party: it must not learn that it exists.
            return 404, f"there is no proposal {proposal_id}", None
        exercise_id = proposal.exercise_id
        if role != "commander":
            return 403, "only a commander may approve or refuse", exercise_id
        if party not in self.approvers(proposal):
            return 403, f"{party} has no say on this engagement", exercise_id
        if party in {d.party for d in _decisions(session, proposal_id)}:
            return (
                409,
                f"{party} has already decided on proposal {proposal_id}; "
                "a decision cannot be replayed or changed",
                exercise_id,
            )
        if proposal.status != "pending":
            return 409, f"proposal {proposal_id} is {proposal.status}", exercise_id
        return None

    def decide(
        self,
        session: Session,
        proposal: Proposal,
        party: str,
        decision: str,
        username: str,
        time_s: float,
    ) -> None:
        """A commander's approval or refusal for its party (checked by `refusal`)."""
        self._decide(session, proposal, party, decision, username, time_s, False)

    def visible(
        self, session: Session, exercise_id: int, principal: auth.Principal
    ) -> list[dict[str, Any]]:
        """The proposals of an exercise that concern the principal's party."""
        rows = session.scalars(
            select(Proposal).where(Proposal.exercise_id == exercise_id).order_by(Proposal.id)
        )
        return [
            self.as_json(session, p, principal)
            for p in rows
            if principal.party in self.participants(p)
        ]

    def record(self, proposal: Proposal) -> dict[str, Any]:
        return {
            "id": proposal.id,
            "site": proposal.site,
            "party": proposal.party,
            "host": proposal.host,
            "interceptor": proposal.interceptor,
            "track_id": proposal.track_id,
            "window_start_s": proposal.window_start_s,
            "window_end_s": proposal.window_end_s,
            "shots": proposal.shots,
            "created_at_s": proposal.created_at_s,
            "deadline_s": proposal.deadline_s,
            "approvers": list(self.approvers(proposal)),
        }

    def as_json(
        self, session: Session, proposal: Proposal, principal: auth.Principal
    ) -> dict[str, Any]:
        decisions = {d.party: d for d in _decisions(session, proposal.id)}
        approvers = self.approvers(proposal)
        plan = json.loads(proposal.outcome_json or "{}")
        outcome = (
            {k: plan[k] for k in ("result", "at_s", "shots_fired") if k in plan}
            if "result" in plan
            else None
        )
        can_decide = (
            principal.role == "commander"
            and proposal.status == "pending"
            and principal.party in approvers
            and principal.party not in decisions
        )
        record = self.record(proposal)
        del record["approvers"]  # shown with their decisions in "required"
        return {
            **record,
            "status": proposal.status,
            "required": [
                {
                    "party": p,
                    "decision": decisions[p].decision if p in decisions else None,
                    "by": decisions[p].username if p in decisions else None,
                    "at_s": decisions[p].at_s if p in decisions else None,
                    "by_default": decisions[p].by_default if p in decisions else False,
                }
                for p in approvers
            ],
            "outcome": outcome,
            "can_decide": can_decide,
        }


def decision_deadline_s(
    created_s: float, rule_deadline_s: float, speed: float, window_end_s: float
) -> float:
    """The simulated time a proposal's decision is due: the rule's deadline in wall
    seconds, i.e. times the speed of a clocked exercise (never less than the rule's own
    simulated seconds, so a slowed or hand-stepped exercise keeps them). Past the
    engagement window's end a yes is worthless: the deadline never runs beyond it."""
    return min(created_s + rule_deadline_s * max(speed, 1.0), window_end_s)


def _decisions(session: Session, proposal_id: int) -> list[Decision]:
    query = select(Decision).where(Decision.proposal_id == proposal_id).order_by(Decision.id)
    return list(session.scalars(query))
