"""The JSON records of results: what `--json` prints and the API's tables hold.

Each record shape is built here once (no heavy imports: the result types are
only named for the type checker).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from securityroof.analysis.engagement import EngagementRecord
    from securityroof.analysis.flight import FlightResult, FlightSamples
    from securityroof.analysis.raid import RaidAnalysis
    from securityroof.analysis.sharing import SharingResult
    from securityroof.analysis.stability import StabilityResult


def number_or_none(value: float | None) -> float | None:
    """JSON has no infinities: None for them and for NaN."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def interval_record(value: tuple[float, float, float] | None) -> dict[str, float] | None:
    """An estimate with its 95 % interval, as {"p", "low", "high"}."""
    if value is None:
        return None
    return {"p": value[0], "low": value[1], "high": value[2]}


def flight_record(result: FlightResult) -> dict[str, Any]:
    """The JSON form of a flight (km, degrees, seconds, as documented in the README)."""
    record: dict[str, Any] = {
        "mode": result.mode,
        "missile": result.missile_id,
        "earth": {
            "model": result.earth.shape,
            "rotating": result.earth.rotating,
            "j2": result.earth.j2,
            "drag": result.earth.drag,
        },
        "launch": {
            "lat_deg": math.degrees(result.launch_lat),
            "lon_deg": math.degrees(result.launch_lon),
        },
        "range_km": result.range_m / 1e3,
        "flight_time_s": result.flight_time_s,
        "apogee_km": result.apogee_m / 1e3,
        "burnout": {
            "speed_m_s": result.burnout.speed_m_s,
            "angle_deg": math.degrees(result.burnout.angle),
            "altitude_km": result.burnout.altitude_m / 1e3,
            "time_s": result.burnout.time_s,
        },
        "impact": {
            "lat_deg": math.degrees(result.impact_lat),
            "lon_deg": math.degrees(result.impact_lon),
            "speed_m_s": result.impact_speed_m_s,
        },
        "parameter_case": result.case,
    }
    if result.ballistic_coefficient_kg_m2 is not None and math.isfinite(
        result.ballistic_coefficient_kg_m2
    ):
        record["ballistic_coefficient_kg_m2"] = result.ballistic_coefficient_kg_m2
    if result.guidance is not None:
        cutoff = result.guidance.cutoff_s
        record["guidance"] = {
            "azimuth_deg": math.degrees(result.guidance.azimuth) % 360.0,
            "kick_deg": math.degrees(result.guidance.kick),
            "cutoff_s": cutoff if math.isfinite(cutoff) else None,
        }
    if result.target_lat is not None and result.target_lon is not None:
        record["shape"] = result.shape
        record["target"] = {
            "lat_deg": math.degrees(result.target_lat),
            "lon_deg": math.degrees(result.target_lon),
        }
        record["miss_distance_m"] = result.miss_distance_m
    return record


def flight_sample_columns(samples: FlightSamples) -> dict[str, Any]:
    """A sampled flight as columns in the units of the records (deg, km, m/s)."""
    import numpy as np

    return {
        "time_s": samples.time_s,
        "lat_deg": np.degrees(samples.lat),
        "lon_deg": np.degrees(samples.lon),
        "altitude_km": samples.altitude_m / 1e3,
        "speed_m_s": samples.speed_m_s,
        "x_m": samples.x_m,
        "y_m": samples.y_m,
        "z_m": samples.z_m,
    }


def engagement_record(record: EngagementRecord) -> dict[str, Any]:
    """The JSON form of one threat-site pair (km, seconds)."""
    altitude = record.intercept_altitude_m
    ground = record.intercept_ground_range_m
    return {
        "threat": record.threat,
        "site": record.site,
        "interceptor": record.interceptor,
        "engageable": record.engageable,
        "first_intercept_s": record.first_intercept_s,
        "last_intercept_s": record.last_intercept_s,
        "intercept_altitude_km": None if altitude is None else [a / 1e3 for a in altitude],
        "intercept_ground_range_km": None if ground is None else ground / 1e3,
        "closing_speed_m_s": record.closing_speed_m_s,
        "engagement_angle_deg": record.engagement_angle_deg,
        "shots": record.shots,
        "reason": record.reason,
        "launch_track_s": record.launch_track_s,
        "track_source": record.track_source,
        "guidance_track_s": record.guidance_track_s,
        "guidance_source": record.guidance_source,
        "launch_margin_s": record.launch_margin_s,
    }


def share_record(result: SharingResult) -> dict[str, Any]:
    """The JSON form of the cost sharing: Shapley values and shares by party."""
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
    record = {
        "scenario": result.scenario.name,
        "sha256": result.scenario.digest,
        "value_basis": result.value_basis,
        "method": c.method,
        "seed": c.seed,
        "grand_value": c.grand_value,
        "target_values": result.target_values,
        "parties": rows,
    }
    return record


def raid_record(analysis: RaidAnalysis) -> dict[str, Any]:
    """The JSON form of a Monte Carlo raid: leakers, interceptors used, with intervals."""
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
