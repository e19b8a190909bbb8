"""The record of a Monte Carlo raid, as `roof raid --json` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.raid import RaidAnalysis


def raid_record(analysis: RaidAnalysis) -> dict[str, Any]:
    """Expected leakers, the chance of no leaker and the interceptors used, with 95 % intervals."""
    r = analysis.result
    return {
        "scenario": analysis.scenario.name,
        "sha256": analysis.scenario.digest,
        "size": analysis.size,
        "trials": r.trials,
        "seed": r.seed,
        "doctrine": r.doctrine,
        "salvo_size": r.salvo_size,
        "site_order": r.site_order,
        "expected_leakers": r.expected_leakers,
        "expected_leakers_ci95": [float(v) for v in r.expected_leakers_ci],
        "p_no_leaker": r.p_no_leaker,
        "p_no_leaker_ci95": [float(v) for v in r.p_no_leaker_ci],
        "interceptors_used": [
            {
                "site": b.site,
                "interceptor": b.interceptor,
                "inventory": b.count,
                "mean": float(r.interceptors_used_mean[i]),
                "ci95": [float(v) for v in r.interceptors_used_ci[i]],
                "pk_range": [float(r.pk_low[i]), float(r.pk_high[i])],
            }
            for i, b in enumerate(analysis.batteries)
        ],
    }
