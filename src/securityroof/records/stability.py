"""The record of the strategic stability analysis, as `roof stability --json` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from securityroof.records.fields import interval_record

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.stability import StabilityResult


def stability_record(result: StabilityResult) -> dict[str, Any]:
    """The JSON form of the stability analysis (m/s, seconds)."""
    from securityroof.analysis.stability import NEW_START_DEPLOYED_WARHEADS

    mc = result.uncertainty
    return {
        "scenario": result.scenario.name,
        "sha256": result.scenario.digest,
        "verdict": result.verdict,
        "sentence": result.sentence,
        "verdict_by_party": result.verdict_by_party,
        "verdict_by_interceptor": result.verdict_by_interceptor,
        "cases": {"threats": result.scenario.threat_case, "defence": result.scenario.defence_case},
        "cueing": result.scenario.cueing,
        "strategic_threats": result.strategic_threats,
        "unreachable_at_case": result.unreachable,
        "probability_strategic": interval_record(result.probability_strategic),
        "monte_carlo": None
        if mc is None
        else {
            "draws": mc.n_draws,
            "seed": mc.seed,
            "sample": "Latin hypercube, triangular marginals on (low, nominal, high)",
            "sensitivity": [
                {
                    "value": s.key,
                    "label": s.label,
                    "delta": s.delta,
                    "delta_ci95": s.delta_conf,
                    "s1": s.s1,
                    "s1_ci95": s.s1_conf,
                }
                for s in mc.sensitivity
            ],
        },
        "by_case": [
            {
                "label": c.label,
                "threat_case": c.threat_case,
                "defence_case": c.defence_case,
                "verdict": c.verdict,
                "engageable": c.engageable,
                "flown": c.flown,
            }
            for c in result.cases
        ],
        "track_assumptions": [
            {
                "source": a.source,
                "median_track_s": a.median_track_s,
                "engageable": a.engageable,
                "flown": a.flown,
                "by_battery": a.by_battery,
            }
            for a in result.track_assumptions
        ],
        "engageable_with_tracks_shared": result.engageable_with_tracks_shared,
        "by_launch_area_and_battery": [
            {
                "launch_area": r.launch_area,
                "party": r.party,
                "site": r.site,
                "interceptor": r.interceptor,
                "engageable": r.engageable,
                "flown": r.flown,
            }
            for r in result.table
        ],
        "engageable_strategic": [
            {
                "launch_area": e.launch_area,
                "target": e.target,
                "threat": e.threat,
                "site": e.site,
                "interceptor": e.interceptor,
                "window_s": list(e.window_s),
                "shots": e.shots,
            }
            for e in result.engageable
        ],
        "min_burnout_speed_m_s": result.min_burnout_speed_m_s,
        "min_burnout_speed_earliest_track_m_s": result.min_burnout_speed_earliest_track_m_s,
        "trajectories": [
            {
                "threat": s.threat,
                "launch_area": s.launch_area,
                "party": s.party,
                "flown": s.flown,
                "engageable_by_case": s.engageable_by_case,
                "engageable_with_tracks_shared": s.engageable_with_tracks_shared,
                "earliest_track_s": s.earliest_track_s,
                "engageable_with_earliest_track": s.engageable_with_earliest_track,
                "engageable_with_track_at_launch_bound": s.engageable_with_tracks_at_launch,
                "min_burnout_speed_m_s": s.min_burnout_speed_m_s,
                "min_burnout_speed_earliest_track_m_s": s.min_burnout_speed_earliest_track_m_s,
                "max_extra_launch_delay_s": s.max_extra_delay_s,
                "probability_engageable": interval_record(s.probability),
            }
            for s in result.sensitivity
        ],
        "demarcation": {
            d.interceptor: {
                "speed_m_s": d.speed_m_s,
                "speed_is_demonstrated": d.speed_is_demonstrated,
                "agreed_statement": d.agreed_statement,
                "test_targets": d.test_targets,
                "must_declare_plans": d.must_declare_plans,
                "note": d.note,
            }
            for d in result.demarcation
        },
        "new_start": {
            "deployed_warhead_limit": NEW_START_DEPLOYED_WARHEADS,
            "interceptors_able_to_engage": result.interceptors_able,
            "warheads_engageable_upper_bound": result.warheads_engageable_upper_bound,
            "share_of_limit": result.warheads_engageable_upper_bound / NEW_START_DEPLOYED_WARHEADS,
        },
    }
