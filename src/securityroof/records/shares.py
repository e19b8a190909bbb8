"""The record of the fair-shares game, as `roof share --json` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.sharing import SharingResult


def shares_record(result: SharingResult) -> dict[str, Any]:
    """Each party's Shapley value, benefits and cost shares, and the game's basis."""
    c = result.cooperation
    shares = c.cost_shares
    assert shares is not None
    rows = [
        {
            "party": party,
            "shapley": float(c.shapley[i]),
            "standard_error": float(c.standard_error[i]),
            "benefit_alone": float(c.benefit_alone[i]),
            "benefit_joint": float(c.benefit_grand[i]),
            "gain_from_joint_roof": float(c.benefit_gain[i]),
            "cost_share_by_shapley": float(shares.by_shapley[i]),
            "cost_share_by_benefit": float(shares.by_benefit[i]),
        }
        for i, party in enumerate(result.parties)
    ]
    return {
        "scenario": result.scenario.name,
        "sha256": result.scenario.digest,
        "value_basis": result.value_basis,
        "method": c.method,
        "seed": c.seed,
        "grand_value": c.grand_value,
        "target_values": result.target_values,
        "parties": rows,
    }
