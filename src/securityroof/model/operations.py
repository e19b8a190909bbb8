"""The rules a jointly operated roof runs under: what each party shares, who
must approve an engagement, and the simulated sensors' measurement noise.

A scenario's optional `[operations]` table:

    [operations]
    default_grant = "tracks"         # what a party gets of another's sensors
                                     # unless a sharing rule says otherwise
    radar_sigma_range_m = 50.0       # measurement noise of the simulated reports
    radar_sigma_angle_mrad = 1.0
    infrared_sigma_m = 1000.0

    [[operations.sharing]]           # russia's sensors -> usa: raw reports too
    from = "russia"
    to = "usa"
    grant = "reports"                # none | tracks | reports

    [[operations.approvals]]         # who must say yes before a site fires
    sites = ["deveselu"]             # omitted: every site
    approvers = ["owner", "host"]    # owner, host, or party ids
    deadline_s = 30.0                # after this, `default` stands for the silent
    default = "refuse"               # approve | refuse

Grants: "none" shares nothing; "tracks" lets the receiving party's fused
picture draw on the giver's sensors (it sees the fused tracks, never the raw
reports); "reports" also shows the raw reports. A party always sees its own
raw reports. The first approval rule naming a site applies; a rule without
`sites` applies to every site it is reached for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Grant = Literal["none", "tracks", "reports"]
Decision = Literal["approve", "refuse"]
GRANT_ORDER: dict[str, int] = {"none": 0, "tracks": 1, "reports": 2}
APPROVER_ROLES = ("owner", "host")

# Field docstrings are the scenario reference's descriptions (`scenario_schema.py`).
_STRICT = ConfigDict(
    extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
)


class SharingRule(BaseModel):
    """What one party's sensors give another party's picture."""

    model_config = _STRICT

    from_party: str = Field(alias="from")
    """The party whose sensors report."""
    to_party: str = Field(alias="to")
    """The party that receives."""
    grant: Grant
    """`none`; `tracks` (its fused picture draws on them); `reports` (the raw reports too)."""


class ApprovalRule(BaseModel):
    """Who must approve before a site fires; the first rule naming a site applies."""

    model_config = _STRICT

    sites: list[str] | None = None
    """The sites it applies to (default: every site)."""
    approvers: list[str] = Field(default=["owner", "host"], min_length=1)
    """`owner`, `host` or party ids."""
    deadline_s: float = Field(default=30.0, gt=0.0, le=3600.0, allow_inf_nan=False)
    """Seconds the approvers have; then `default` stands for the silent."""
    default: Decision = "refuse"
    """What silence means."""


class OperationsSpec(BaseModel):
    """The rules of the joint operations service: sharing, approvals, measurement noise."""

    model_config = _STRICT

    default_grant: Grant = "tracks"
    """What a party gets of another's sensors unless a sharing rule says otherwise."""
    radar_sigma_range_m: float = Field(default=50.0, gt=0.0, le=10_000.0, allow_inf_nan=False)
    """Range noise (1 sigma) of the simulated radar reports."""
    radar_sigma_angle_mrad: float = Field(default=1.0, gt=0.0, le=100.0, allow_inf_nan=False)
    """Angle noise (1 sigma) of the simulated radar reports."""
    infrared_sigma_m: float = Field(default=1000.0, gt=0.0, le=100_000.0, allow_inf_nan=False)
    """Position noise (1 sigma) of the simulated infrared reports."""
    sharing: list[SharingRule] = []
    """Sharing rules, at most one for each pair of parties."""
    approvals: list[ApprovalRule] = []
    """Approval rules, in order."""

    @model_validator(mode="after")
    def _one_rule_per_pair(self) -> OperationsSpec:
        seen: set[tuple[str, str]] = set()
        for rule in self.sharing:
            pair = (rule.from_party, rule.to_party)
            if pair in seen:
                raise ValueError(f"two sharing rules from {pair[0]!r} to {pair[1]!r}; keep one")
            seen.add(pair)
        return self


@dataclass(frozen=True)
class Operations:
    """The resolved rules (party and site names checked against the scenario)."""

    spec: OperationsSpec
    parties: tuple[str, ...]

    def grant(self, giver: str, receiver: str) -> Grant:
        """What `receiver` gets of `giver`'s sensors."""
        if giver == receiver:
            return "reports"
        for rule in self.spec.sharing:
            if rule.from_party == giver and rule.to_party == receiver:
                return rule.grant
        return self.spec.default_grant

    def contributors(self, party: str) -> frozenset[str]:
        """The parties whose sensors feed `party`'s fused picture."""
        return frozenset(p for p in self.parties if self.grant(p, party) != "none")

    def report_readers(self, giver: str) -> frozenset[str]:
        """The parties that may read `giver`'s raw reports."""
        return frozenset(p for p in self.parties if self.grant(giver, p) == "reports")

    def approval_rule(self, site: str) -> ApprovalRule:
        for rule in self.spec.approvals:
            if rule.sites is None or site in rule.sites:
                return rule
        return ApprovalRule()

    def approvers(self, site: str, owner: str, host: str | None) -> tuple[str, ...]:
        """The parties that must approve an engagement from `site`, in rule order."""
        named: list[str] = []
        for who in self.approval_rule(site).approvers:
            party = owner if who == "owner" else (host or owner) if who == "host" else who
            if party not in named:
                named.append(party)
        return tuple(named)
