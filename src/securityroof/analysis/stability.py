"""Strategic stability: can the architecture engage a party's strategic deterrent?

Russia asked in 2010 to "distinguish between non-strategic and strategic
systems"; the US answered that transparency would show the system is aimed
at regional threats only. This module gives that transparency as evidence
anyone can rerun:

- the verdict: "strategic" if any battery can engage any strategic
  trajectory of the scenario (ICBM or SLBM launched from a strategic launch
  area) under the stated assumptions, else "non-strategic"; per interceptor
  type too;
- sensitivity: the verdict at the low / nominal / high catalog values, and
  "what you would need to believe": the minimum interceptor burnout speed,
  the longest launch delay, and the sensor assumption (the catalogued
  sensors and cueing rules, or a fire-control track at launch for every
  site) at which each strategic trajectory becomes engageable;
- the 1997 US-Russian demarcation agreements (First and Second Agreed
  Statements, 26 September 1997) checked against each interceptor's declared
  speed and test targets;
- an upper bound on the strategic warheads the batteries could engage,
  against the New START limit of 1,550 deployed warheads (Treaty, Art. II.1(b)).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from securityroof.analysis.distributed import run_chunks
from securityroof.analysis.engagement import Observation, engagement_windows, observe
from securityroof.core.flight import STATUS_IMPACT
from securityroof.errors import RoofError
from securityroof.model.defence import Interceptor
from securityroof.model.scenario import Scenario

NEW_START_DEPLOYED_WARHEADS = 1_550  # New START (Prague, 8 April 2010), Art. II.1(b)
# 1997 agreed statements (REFERENCE.md; ACDA fact sheets of 26 Sept 1997).
DEMARCATION_INTERCEPTOR_SPEED_M_S = 3_000.0
DEMARCATION_TARGET_SPEED_M_S = 5_000.0
DEMARCATION_TARGET_RANGE_KM = 3_500.0
DECLARE_LAND_AIR_SPEED_M_S = 5_500.0  # information exchange: plans above these speeds
DECLARE_SEA_SPEED_M_S = 4_500.0
# Search bounds of the "minimum burnout speed" sweep (m/s): slower than any
# interceptor in the catalog, up to the top of the open estimates for the
# fastest one (GBI, 6.3-9 km/s; see catalog/interceptors.toml). Faster
# stand-ins cannot be built with the catalog burn times.
SPEED_SWEEP_M_S = (1_000.0, 9_000.0)
SPEED_STEP_M_S = 250.0
DELAY_SWEEP_S = 1_800.0


@dataclass(frozen=True)
class StrategicEngagement:
    launch_area: str
    target: str
    threat: str
    site: str
    interceptor: str
    window_s: tuple[float, float]
    shots: int


@dataclass(frozen=True)
class Demarcation:
    interceptor: str
    speed_m_s: float
    speed_is_demonstrated: bool
    agreed_statement: str  # "first" (<= 3 km/s) or "second"
    test_targets: str  # "within limits", "exceeds limits" or "not known"
    must_declare_plans: bool
    note: str


@dataclass(frozen=True)
class ThreatSensitivity:
    threat: str
    launch_area: str
    engageable_by_case: dict[str, bool | None]  # None: the missile cannot reach in that case
    engageable_with_tracks_shared: bool  # every party's sensors cue every site
    engageable_with_tracks_at_launch: bool
    min_burnout_speed_m_s: float | None  # catalogued sensors
    min_burnout_speed_tracks_at_launch_m_s: float | None
    max_extra_delay_s: float | None  # added to every launch delay; None: never engageable


@dataclass(frozen=True)
class StabilityResult:
    scenario: Scenario
    verdict: str
    verdict_by_interceptor: dict[str, str]
    engageable: list[StrategicEngagement]
    sensitivity: list[ThreatSensitivity]
    min_burnout_speed_m_s: dict[str, float | None]
    min_burnout_speed_tracks_at_launch_m_s: dict[str, float | None]
    demarcation: list[Demarcation]
    interceptors_able: int
    warheads_engageable_upper_bound: float
    strategic_threats: int


def _strategic_indices(scenario: Scenario) -> list[int]:
    catalog = scenario.catalog
    indices = []
    for i, threat in enumerate(scenario.threats):
        area = catalog.launch_areas.get(threat.launch_area or "")
        missile = catalog.missiles.missile(threat.missile)
        strategic_area = area is not None and area.kind.startswith("strategic")
        # From a strategic launch area, or an ICBM/SLBM launched from a given point.
        if strategic_area or (area is None and missile.missile_class in ("ICBM", "SLBM")):
            indices.append(i)
    return indices


def _with_assumptions(scenario: Scenario, **changes: object) -> Scenario:
    assumptions = scenario.assumptions.model_copy(update=changes)
    return dataclasses.replace(scenario, assumptions=assumptions)


def _engageable_any(scenario: Scenario, seen: Observation, **knobs: object) -> np.ndarray:
    windows, _, _ = engagement_windows(scenario, seen, **knobs)  # type: ignore[arg-type]
    return np.asarray(windows.engageable.any(axis=1))


@dataclass(frozen=True)
class _SpeedSweep:
    """One interceptor type's burnout-speed sweep: a unit of work for a worker."""

    scenario: Scenario
    seen: Observation
    rows: list[int]
    interceptor: str


def _sweep_speed(task: _SpeedSweep) -> list[float | None]:
    """Least swept speed (m/s) at which this type engages each row, or None.

    A speed its stand-in vehicle cannot reach with the catalog burn time
    counts as not engaging. Top level, so that Dask workers can run it.
    """
    best: list[float | None] = [None] * len(task.rows)
    speeds = np.arange(SPEED_SWEEP_M_S[0], SPEED_SWEEP_M_S[1] + 1.0, SPEED_STEP_M_S)
    for speed in speeds:
        pending = [k for k, v in enumerate(best) if v is None]
        if not pending:
            break
        try:
            hits = _engageable_any(
                task.scenario,
                task.seen,
                burnout_speed_m_s=float(speed),
                interceptor=task.interceptor,
            )
        except RoofError:  # no stand-in vehicle reaches this speed with this burn
            continue
        for k in pending:
            if hits[task.rows[k]]:
                best[k] = float(speed)
    return best


def _min_speed(
    scenario: Scenario, seen: Observation, rows: list[int], cluster: str | None
) -> list[float | None]:
    """Least burnout speed (m/s) at which each threat row becomes engageable.

    Each interceptor type is flown at burnout speeds rising by
    SPEED_STEP_M_S over SPEED_SWEEP_M_S (the burn time and the rest of its
    envelope as catalogued), one task per type (on the Dask cluster when
    given); the answer for a threat is the least speed over all types.
    """
    kinds = sorted({b.interceptor for b in seen.batteries})
    tasks = [_SpeedSweep(scenario, seen, rows, kind) for kind in kinds]
    per_kind = run_chunks(_sweep_speed, tasks, cluster=cluster)
    best: list[float | None] = []
    for k in range(len(rows)):
        found = [speeds[k] for speeds in per_kind if speeds[k] is not None]
        best.append(min(found) if found else None)  # type: ignore[type-var]
    return best


def _max_delay(scenario: Scenario, seen: Observation, rows: list[int]) -> list[float | None]:
    """Greatest delay (s) added to every launch delay at which each row stays engageable."""
    now = _engageable_any(scenario, seen)
    result: list[float | None] = []
    for row in rows:
        if not now[row]:
            result.append(None)
            continue
        lo, hi = 0.0, DELAY_SWEEP_S
        if _engageable_any(scenario, seen, extra_delay_s=hi)[row]:
            result.append(hi)
            continue
        while hi - lo > 1.0:
            mid = 0.5 * (lo + hi)
            if _engageable_any(scenario, seen, extra_delay_s=mid)[row]:
                lo = mid
            else:
                hi = mid
        result.append(lo)
    return result


def demarcation(interceptor_id: str, interceptor: Interceptor) -> Demarcation:
    """Where an interceptor stands against the 1997 agreed statements."""
    demonstrated = interceptor.demonstrated_speed_m_s
    speed = (demonstrated or interceptor.burnout_speed_m_s).nominal
    statement = "first" if speed <= DEMARCATION_INTERCEPTOR_SPEED_M_S else "second"
    target_speed = interceptor.test_target_max_speed_m_s
    target_range = interceptor.test_target_max_range_km
    if target_speed is None and target_range is None:
        tests = "not known"
    elif (target_speed is not None and target_speed.nominal > DEMARCATION_TARGET_SPEED_M_S) or (
        target_range is not None and target_range.nominal > DEMARCATION_TARGET_RANGE_KM
    ):
        tests = "exceeds limits"
    else:
        tests = "within limits"
    limit = DECLARE_SEA_SPEED_M_S if interceptor.basing == "sea" else DECLARE_LAND_AIR_SPEED_M_S
    if statement == "first":
        note = (
            "compliant under the First Agreed Statement"
            if tests == "within limits"
            else "First Agreed Statement speed, but test targets exceed or are unknown"
        )
    else:
        note = "above 3.0 km/s: each side determines compliance itself (Second Agreed Statement)"
    return Demarcation(
        interceptor=interceptor_id,
        speed_m_s=speed,
        speed_is_demonstrated=demonstrated is not None,
        agreed_statement=statement,
        test_targets=tests,
        must_declare_plans=speed > limit,
        note=note,
    )


def analyse_stability(scenario: Scenario, *, cluster: str | None = None) -> StabilityResult:
    """The verdict, its evidence and its sensitivity for the scenario's strategic threats.

    The burnout-speed sweeps run one interceptor type per task, here or on
    the Dask cluster at `cluster`, with the same results.
    """
    rows = _strategic_indices(scenario)
    if not rows:
        raise RoofError(
            "the scenario has no strategic threats.",
            where=f"{scenario.path}: threats",
            fix="Add ICBM or SLBM threats from strategic launch areas (roof catalog threats).",
        )
    seen = observe(scenario)
    windows, _, _ = engagement_windows(scenario, seen)
    threats = scenario.threats
    engageable = [
        StrategicEngagement(
            launch_area=threats[t].launch_area or "",
            target=threats[t].target_name,
            threat=threats[t].name,
            site=battery.site,
            interceptor=battery.interceptor,
            window_s=(
                float(windows.first_intercept_s[t, b]),
                float(windows.last_intercept_s[t, b]),
            ),
            shots=int(windows.shots[t, b]),
        )
        for t in rows
        for b, battery in enumerate(seen.batteries)
        if windows.engageable[t, b]
    ]
    types = sorted({b.interceptor for b in seen.batteries})
    by_interceptor = {
        kind: "strategic" if any(e.interceptor == kind for e in engageable) else "non-strategic"
        for kind in types
    }
    # Sensitivity: catalog cases (re-observed: threat and sensor values change too).
    by_case: dict[str, list[bool | None]] = {}
    for case in ("low", "nominal", "high"):
        if case == scenario.case:
            by_case[case] = [bool(v) for v in np.asarray(windows.engageable.any(axis=1))]
            continue
        variant = dataclasses.replace(scenario, case=case)
        variant_seen = observe(variant, skip_unreachable=True)
        flown = variant_seen.flights.status == STATUS_IMPACT
        hits = _engageable_any(variant, variant_seen)
        by_case[case] = [bool(h) if f else None for h, f in zip(hits, flown, strict=True)]
    tracked = _with_assumptions(scenario, fire_control_at_s=0.0)
    with_tracks = _engageable_any(tracked, seen)
    shared = _engageable_any(dataclasses.replace(scenario, cueing="across-parties"), seen)
    speeds = _min_speed(scenario, seen, rows, cluster)
    speeds_tracked = _min_speed(tracked, seen, rows, cluster)
    delays = _max_delay(scenario, seen, rows)
    sensitivity = [
        ThreatSensitivity(
            threat=threats[t].name,
            launch_area=threats[t].launch_area or "",
            engageable_by_case={case: v[t] for case, v in by_case.items()},
            engageable_with_tracks_shared=bool(shared[t]),
            engageable_with_tracks_at_launch=bool(with_tracks[t]),
            min_burnout_speed_m_s=speeds[k],
            min_burnout_speed_tracks_at_launch_m_s=speeds_tracked[k],
            max_extra_delay_s=delays[k],
        )
        for k, t in enumerate(rows)
    ]

    def per_area(values: list[float | None]) -> dict[str, float | None]:
        areas: dict[str, float | None] = {}
        for k, t in enumerate(rows):
            area = threats[t].launch_area or threats[t].name
            value = values[k]
            best = areas.get(area)
            areas[area] = value if best is None else (best if value is None else min(best, value))
        return areas

    # New START link: each interceptor kills at most one warhead; the batteries
    # that can engage some strategic trajectory bound the warheads engaged.
    able = {(e.site, e.interceptor) for e in engageable}
    count = 0.0
    kills = 0.0
    for battery in seen.batteries:
        if (battery.site, battery.interceptor) in able:
            pk = scenario.interceptors[battery.interceptor].single_shot_kill_probability
            count += battery.count
            kills += battery.count * (pk.value(scenario.case) if pk else 1.0)
    share_engageable = len({(e.threat) for e in engageable}) / len(rows)
    bound = min(kills, share_engageable * NEW_START_DEPLOYED_WARHEADS)
    return StabilityResult(
        scenario=scenario,
        verdict="strategic" if engageable else "non-strategic",
        verdict_by_interceptor=by_interceptor,
        engageable=engageable,
        sensitivity=sensitivity,
        min_burnout_speed_m_s=per_area(speeds),
        min_burnout_speed_tracks_at_launch_m_s=per_area(speeds_tracked),
        demarcation=[demarcation(kind, scenario.interceptors[kind]) for kind in types],
        interceptors_able=int(count),
        warheads_engageable_upper_bound=float(bound),
        strategic_threats=len(rows),
    )
