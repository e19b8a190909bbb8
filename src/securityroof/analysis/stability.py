"""Strategic stability: can the architecture engage a party's strategic deterrent?

Russia asked in 2010 to "distinguish between non-strategic and strategic
systems"; the US answered that transparency would show the system is aimed
at regional threats only. This module gives that transparency as evidence
anyone can rerun.

What is judged: the strategic set of the scenario
(`securityroof.model.scenario.strategic_threats`: by default every
catalogued ICBM field and SLBM patrol area of each party whose forces
another party's batteries could face, against that party's strategic
adversaries' cities, on minimum-energy, lofted and depressed trajectories),
each trajectory against the batteries of the *other* parties only.

- The verdict: "strategic" if some battery can engage some strategic
  trajectory of another party at the scenario's capability cases, else
  "non-strategic"; per deterrent party and per interceptor type too; a
  table by launch area and battery.
- Uncertainty as probability (`securityroof.analysis.uncertainty`): a
  seeded Monte Carlo over every uncertain catalog value gives the
  probability that the verdict is "strategic" and that each trajectory is
  engageable, and the global sensitivity indices that name the assumptions
  the verdict hangs on.
- "What you would need to believe": the verdict at other capability cases
  (offence and defence separately); with tracks shared across every party;
  with a fire-control track available to every battery as early as each
  sensor of the scenario actually tracks the threat (the attainable track
  times: the infrared satellites in stereo, then each radar), and, as the
  labelled bound no sensor attains, at launch; the least interceptor
  burnout speed at which each launch area's trajectories become
  engageable; the longest added launch delay each engagement survives.
- The 1997 US-Russian demarcation agreements (First and Second Agreed
  Statements, 26 September 1997) checked against each interceptor's
  declared speed and test targets; an upper bound on the strategic
  warheads the batteries could engage, against New START's 1,550.
- A verdict sentence that carries its assumptions and its decisive nuance.

All of it is evaluated on one observation covering the whole box of
uncertain values: the strategic trajectories are flown once per missile
range case, and every evaluation after that is detection and engagement
arithmetic on that geometry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from securityroof.analysis.engagement import (
    EngagementResult,
    Evaluation,
    Observation,
    _reach_tables,
    detect_all,
    engagement_result,
    evaluate,
    flights_of,
    observe,
)
from securityroof.analysis.prepare import Prepared, prepare
from securityroof.analysis.uncertainty import MonteCarlo, monte_carlo
from securityroof.core.detection import DetectionArrays
from securityroof.core.sensors import KIND_INFRARED
from securityroof.errors import RoofError
from securityroof.model.defence import Interceptor
from securityroof.model.quantity import Case
from securityroof.model.scenario import Scenario, strategic_threats

NEW_START_DEPLOYED_WARHEADS = 1_550  # New START (Prague, 8 April 2010), Art. II.1(b)
# 1997 agreed statements (First and Second Agreed Statements relating to the
# ABM Treaty, New York, 26 September 1997; ACDA fact sheets of that date).
DEMARCATION_INTERCEPTOR_SPEED_M_S = 3_000.0
DEMARCATION_TARGET_SPEED_M_S = 5_000.0
DEMARCATION_TARGET_RANGE_KM = 3_500.0
DECLARE_LAND_AIR_SPEED_M_S = 5_500.0  # information exchange: plans above these speeds
DECLARE_SEA_SPEED_M_S = 4_500.0
# Search bounds of the "minimum burnout speed" sweep (m/s): slower than any
# interceptor in the catalog, up to the top of the open estimates for the
# fastest one (GBI, 6.3-9 km/s; see catalog/interceptors.toml).
SPEED_SWEEP_M_S = (1_000.0, 9_000.0)
SPEED_STEP_M_S = 250.0
DEFAULT_DRAWS = 300
DEFAULT_SEED = 19970926  # the date of the 1997 demarcation agreements
# The capability cases shown, as (label, threats, defence).
CASES: tuple[tuple[str, Case, Case], ...] = (
    ("nominal", "nominal", "nominal"),
    ("low (both sides)", "low", "low"),
    ("high (both sides)", "high", "high"),
    ("most capable defence, least capable offence", "low", "high"),
    ("least capable defence, most capable offence", "high", "low"),
)
LAUNCH_BOUND = "a fire-control track at launch (a bound: no sensor gives one)"
STEREO_SOURCE = "space-based infrared, in stereo"


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
class AreaBatteryRow:
    """One launch area against one battery: engageable trajectories of those flown."""

    launch_area: str
    party: str
    site: str
    interceptor: str
    engageable: int
    flown: int


@dataclass(frozen=True)
class CaseVerdict:
    label: str
    threat_case: str
    defence_case: str
    engageable: int  # strategic trajectories engageable
    flown: int

    @property
    def verdict(self) -> str:
        return "strategic" if self.engageable else "non-strategic"


@dataclass(frozen=True)
class TrackAssumption:
    """Engageability if every battery held a fire-control track this early."""

    source: str  # the sensor whose track time is assumed, or the bound
    median_track_s: float | None  # over the trajectories it tracks
    engageable: int
    flown: int
    by_battery: dict[str, int]  # "site/interceptor" -> trajectories engageable


@dataclass(frozen=True)
class PartyVerdict:
    """The verdict on one party's strategic forces, and what would change it."""

    party: str
    verdict: str
    engageable: int  # its trajectories engageable at the scenario's cases
    flown: int
    by_battery: dict[str, int]  # "interceptor at site" -> its trajectories engageable
    max_extra_delay_s: float | None  # the widest engagement's tolerance
    # Non-strategic: the earliest attainable track that would make some engageable.
    nuance_source: str | None
    nuance_median_s: float | None
    nuance_engageable: int
    nuance_by_battery: dict[str, int]
    launch_bound_engageable: int  # with a (no sensor's) fire-control track at launch


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
    party: str
    flown: bool
    engageable_by_case: dict[str, bool | None]  # None: the missile cannot reach in that case
    engageable_with_tracks_shared: bool
    earliest_track_s: float | None  # the earliest attainable track time (any sensor)
    engageable_with_earliest_track: bool
    engageable_with_tracks_at_launch: bool
    min_burnout_speed_m_s: float | None  # catalogued sensors
    min_burnout_speed_earliest_track_m_s: float | None
    max_extra_delay_s: float | None  # added to every launch delay; None: never engageable
    probability: tuple[float, float, float] | None  # P(engageable), 95 % interval


@dataclass(frozen=True)
class StrategicGeometry:
    """The strategic set flown once and observed over the whole box of uncertain values.

    What every strategic analysis starts from (the verdict, its Monte Carlo,
    the transparency envelope): any draw of the values is evaluated on it
    without flying or looking again.
    """

    scenario: Scenario  # with the strategic set as its threats
    prepared: Prepared
    judged: np.ndarray  # (n_threats, n_batteries): battery of another party than the threat's
    observation: Observation
    case_draw: np.ndarray  # (1, n_values): the scenario's capability cases
    detected: tuple[np.ndarray, DetectionArrays]  # trajectories and detections at the cases


@dataclass(frozen=True)
class StabilityResult:
    scenario: Scenario  # with the strategic set as its threats
    engagements: EngagementResult  # the strategic set at the scenario's cases
    verdict: str
    verdict_by_party: dict[str, str]  # deterrent party -> verdict
    party_verdicts: list[PartyVerdict]
    verdict_by_interceptor: dict[str, str]
    engageable: list[StrategicEngagement]
    table: list[AreaBatteryRow]
    cases: list[CaseVerdict]
    track_assumptions: list[TrackAssumption]
    engageable_with_tracks_shared: int
    sensitivity: list[ThreatSensitivity]
    min_burnout_speed_m_s: dict[str, float | None]
    min_burnout_speed_earliest_track_m_s: dict[str, float | None]
    uncertainty: MonteCarlo | None
    probability_strategic: tuple[float, float, float] | None
    demarcation: list[Demarcation]
    interceptors_able: int
    warheads_engageable_upper_bound: float
    strategic_threats: int  # flown at the scenario's case
    unreachable: int  # in the set but beyond the missile's reach at the case
    sentence: str
    geometry: StrategicGeometry | None = None  # what it was evaluated on, for later analyses


def judged_pairs(prepared: Prepared) -> np.ndarray:
    """(n_threats, n_batteries): a battery is judged against another party's forces only."""
    parties = [t.party for t in prepared.threats]
    return np.array(
        [[p is None or b.party != p for b in prepared.batteries] for p in parties], dtype=bool
    ).reshape(prepared.n_threats, len(prepared.batteries))


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


def strategic_scenario(scenario: Scenario) -> Scenario:
    """The scenario with its strategic set as its threats, or an error saying why there is none."""
    if not any(site.interceptors for site in scenario.sites.values()):
        raise RoofError(
            "the scenario has no interceptor battery: there is nothing to judge.",
            where=f"{scenario.path}: sites",
            fix="Name an architecture or add sites with interceptors.",
        )
    threats = strategic_threats(scenario)
    if not threats:
        owners = sorted({s.party for s in scenario.sites.values() if s.interceptors})
        raise RoofError(
            "no strategic forces to judge: no other party than the batteries' owners "
            f"({', '.join(owners)}) has strategic launch areas in the set.",
            where=f"{scenario.path}: strategic",
            fix="Widen [strategic] (parties, launch_areas), or add ICBM or SLBM threats.",
        )
    return dataclasses.replace(scenario, threats=threats)


def strategic_geometry(
    scenario: Scenario, *, flown: StrategicGeometry | None = None
) -> StrategicGeometry:
    """Fly and observe the scenario's strategic set once (see `StrategicGeometry`).

    `flown`: another variant's geometry (another architecture on the same
    threats) whose trajectories this one reuses where its strategic set
    holds them all; only the sensors and batteries are observed anew.
    """
    strategic = strategic_scenario(scenario)
    prepared = prepare(strategic)
    space = prepared.space
    case_draw = space.case_vector(strategic.threat_case, strategic.defence_case)
    box = np.stack(space.bounds())
    flights = None
    if flown is not None:  # both span the whole box: the same missile range cases
        flights = flights_of(flown.observation.flights, flown.prepared.threats, prepared.threats)
    seen = observe(
        prepared, np.concatenate([box, case_draw]), skip_unreachable=True, flights=flights
    )
    return StrategicGeometry(
        scenario=strategic,
        prepared=prepared,
        judged=judged_pairs(prepared),
        observation=seen,
        case_draw=case_draw,
        detected=detect_all(seen, case_draw),
    )


def _engageable_rows(evaluation: Evaluation, judged: np.ndarray) -> np.ndarray:
    """(n_draws, n_threats) engageable by some judged battery."""
    return np.asarray((evaluation.windows.engageable & judged[None]).any(axis=2))


def _attainable_tracks(prepared: Prepared, evaluation: Evaluation) -> list[tuple[str, np.ndarray]]:
    """Per source, the time (n_threats,) it first tracks each threat (NaN: never).

    The infrared satellites count in stereo (the second-earliest of their
    warning tracks); each radar site by its earliest warning track.
    """
    tracks = evaluation.detections.track_s[0]  # (n_threats, n_sensors)
    kinds = prepared.sensor_arrays.kind
    out: list[tuple[str, np.ndarray]] = []
    infrared = np.nonzero(kinds == KIND_INFRARED)[0]
    if infrared.size >= 2:
        ordered = np.sort(
            np.where(np.isnan(tracks[:, infrared]), np.inf, tracks[:, infrared]), axis=1
        )
        second = ordered[:, 1]
        out.append((STEREO_SOURCE, np.where(np.isfinite(second), second, np.nan)))
    by_site: dict[str, list[int]] = {}
    for j, placement in enumerate(prepared.sensors):
        if kinds[j] != KIND_INFRARED:
            by_site.setdefault(f"{placement.site} ({placement.type})", []).append(j)
    for label, columns in by_site.items():
        t = np.fmin.reduce(tracks[:, columns], axis=1)
        if np.isfinite(t).any():
            out.append((label, t))
    out.sort(
        key=lambda item: float(np.nanmedian(item[1])) if np.isfinite(item[1]).any() else np.inf
    )
    return out


def _speed_sweep(
    observation: Observation,
    draw: np.ndarray,
    judged: np.ndarray,
    detected,
    assumed: np.ndarray | None,
) -> list[float | None]:
    """Least swept burnout speed (m/s) at which each threat becomes engageable, or None.

    Every interceptor type is flown at each speed (its burn time and the rest
    of its envelope as catalogued); a speed its stand-in vehicle cannot reach
    with that burn time counts as not engaging.
    """
    prepared = observation.prepared
    n = prepared.n_threats
    best: list[float | None] = [None] * n
    speeds = np.arange(SPEED_SWEEP_M_S[0], SPEED_SWEEP_M_S[1] + 1.0, SPEED_STEP_M_S)
    low, high = observation.low, observation.high
    for speed in speeds:
        pending = [i for i in range(n) if best[i] is None]
        if not pending:
            break
        try:
            tables, _ = _reach_tables(
                prepared,
                low,
                high,
                {k: [float(speed)] for k in range(len(prepared.interceptor_types))},
            )
        except RoofError:  # no stand-in vehicle reaches this speed with this burn
            continue
        swept = dataclasses.replace(observation, tables=tables)
        result = evaluate(
            swept,
            draw,
            detected=detected,
            assumed_track_s=assumed,
            burnout_speed_m_s=float(speed),
            details=False,
        )
        hits = _engageable_rows(result, judged)[0]
        for i in pending:
            if hits[i]:
                best[i] = float(speed)
    return best


def analyse_stability(
    scenario: Scenario,
    *,
    cluster: str | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    sweeps: bool = True,
) -> StabilityResult:
    """The verdict, its evidence, its probability and its sensitivity.

    Parameters
    ----------
    scenario
        Any scenario with interceptor batteries; its strategic set is judged.
    cluster
        A Dask scheduler address for the Monte Carlo chunks, or None.
    draws
        Monte Carlo size (0: no Monte Carlo).
    seed
        Seed of the Latin-hypercube sample.
    sweeps
        Also run the burnout-speed sweeps (the slowest part).
    """
    if draws < 0:
        raise RoofError(
            f"the Monte Carlo size must not be negative, got {draws}.", parameter="draws"
        )
    geometry = strategic_geometry(scenario)
    strategic, prepared, judged = geometry.scenario, geometry.prepared, geometry.judged
    space = prepared.space
    seen, case_draw, detected = geometry.observation, geometry.case_draw, geometry.detected
    at_case = evaluate(seen, case_draw, detected=detected)
    engagements = engagement_result(seen, at_case)
    threats = prepared.threats
    flown = at_case.trajectory[0] >= 0
    w = engagements.windows
    hits = w.engageable & judged
    engageable = [
        StrategicEngagement(
            launch_area=threats[t].launch_area or "",
            target=threats[t].target_name,
            threat=threats[t].name,
            site=battery.site,
            interceptor=battery.interceptor,
            window_s=(float(w.first_intercept_s[t, b]), float(w.last_intercept_s[t, b])),
            shots=int(w.shots[t, b]),
        )
        for t in range(len(threats))
        for b, battery in enumerate(prepared.batteries)
        if hits[t, b]
    ]
    parties = sorted({t.party or "unknown" for t in threats})
    by_party = {
        p: "strategic"
        if any(hits[t].any() for t in range(len(threats)) if (threats[t].party or "unknown") == p)
        else "non-strategic"
        for p in parties
    }
    by_interceptor = {
        kind: "strategic" if any(e.interceptor == kind for e in engageable) else "non-strategic"
        for kind in prepared.interceptor_types
    }
    table = []
    areas = sorted({t.launch_area or t.name for t in threats})
    for area in areas:
        rows = [i for i, t in enumerate(threats) if (t.launch_area or t.name) == area]
        party = threats[rows[0]].party or "unknown"
        for b, battery in enumerate(prepared.batteries):
            if not judged[rows[0], b]:
                continue
            table.append(
                AreaBatteryRow(
                    launch_area=area,
                    party=party,
                    site=battery.site,
                    interceptor=battery.interceptor,
                    engageable=int(hits[rows, b].sum()),
                    flown=int(flown[rows].sum()),
                )
            )
    # Cases, offence and defence separately.
    case_rows: dict[str, np.ndarray] = {}
    case_flown: dict[str, np.ndarray] = {}
    cases = []
    for label, threat_case, defence_case in CASES:
        vector = space.case_vector(threat_case, defence_case)
        result = at_case if np.array_equal(vector, case_draw) else evaluate(seen, vector)
        rows_hit = _engageable_rows(result, judged)[0]
        case_rows[label] = rows_hit
        case_flown[label] = result.trajectory[0] >= 0
        cases.append(
            CaseVerdict(
                label, threat_case, defence_case, int(rows_hit.sum()), int(case_flown[label].sum())
            )
        )
    # Tracks shared across every party.
    shared_scenario = dataclasses.replace(strategic, cueing="across-parties")
    shared_prepared = prepare(shared_scenario)
    shared_seen = dataclasses.replace(seen, prepared=shared_prepared)
    shared = _engageable_rows(evaluate(shared_seen, case_draw), judged)[0]
    # Attainable track times, then the bound at launch.
    track_assumptions = []
    attainable = _attainable_tracks(prepared, at_case)
    earliest = np.full(len(threats), np.nan)
    for _, times in attainable:
        earliest = np.fmin(earliest, times)
    sources = [*attainable, (LAUNCH_BOUND, np.zeros(len(threats)))]
    hit_with: dict[str, np.ndarray] = {}  # per source: (n_threats, n_batteries) engageable
    for label, times in sources:
        result = evaluate(seen, case_draw, detected=detected, assumed_track_s=times)
        rows_hit = _engageable_rows(result, judged)[0]
        pair_hits = result.windows.engageable[0] & judged
        hit_with[label] = pair_hits
        finite = times[np.isfinite(times) & flown]
        track_assumptions.append(
            TrackAssumption(
                source=label,
                median_track_s=float(np.median(finite)) if finite.size else None,
                engageable=int(rows_hit.sum()),
                flown=int(flown.sum()),
                by_battery={
                    f"{b.site}/{b.interceptor}": int(pair_hits[:, k].sum())
                    for k, b in enumerate(prepared.batteries)
                    if pair_hits[:, k].any()
                },
            )
        )
    with_earliest = _engageable_rows(
        evaluate(seen, case_draw, detected=detected, assumed_track_s=earliest), judged
    )[0]
    # Burnout-speed sweeps.
    speeds: list[float | None] = [None] * len(threats)
    speeds_early: list[float | None] = [None] * len(threats)
    if sweeps:
        speeds = _speed_sweep(seen, case_draw, judged, detected, None)
        speeds_early = _speed_sweep(seen, case_draw, judged, detected, earliest)
    margin = np.where(judged, w.launch_margin_s, -np.inf).max(axis=1)
    # Monte Carlo.
    uncertainty = None
    probability = None
    per_threat: list[tuple[float, float, float] | None] = [None] * len(threats)
    if draws > 0:
        uncertainty = monte_carlo(
            strategic,
            prepared,
            judged,
            draws,
            seed,
            cluster=cluster,
            observation=seen if cluster is None else None,
        )
        probability = uncertainty.probability()
        per_threat = list(uncertainty.threat_probability())
    sensitivity = [
        ThreatSensitivity(
            threat=t.name,
            launch_area=t.launch_area or "",
            party=t.party or "unknown",
            flown=bool(flown[i]),
            engageable_by_case={
                label: (bool(case_rows[label][i]) if case_flown[label][i] else None)
                for label, _, _ in CASES
            },
            engageable_with_tracks_shared=bool(shared[i]),
            earliest_track_s=None if np.isnan(earliest[i]) else float(earliest[i]),
            engageable_with_earliest_track=bool(with_earliest[i]),
            engageable_with_tracks_at_launch=bool(hit_with[LAUNCH_BOUND][i].any()),
            min_burnout_speed_m_s=speeds[i],
            min_burnout_speed_earliest_track_m_s=speeds_early[i],
            max_extra_delay_s=float(margin[i]) if margin[i] >= 0.0 else None,
            probability=per_threat[i],
        )
        for i, t in enumerate(threats)
    ]

    def per_area(values: list[float | None]) -> dict[str, float | None]:
        found: dict[str, float | None] = {}
        for i, t in enumerate(threats):
            area = t.launch_area or t.name
            value = values[i]
            best = found.get(area)
            found[area] = value if best is None else (best if value is None else min(best, value))
        return found

    # New START link: each interceptor kills at most one warhead; the batteries
    # that can engage some strategic trajectory bound the warheads engaged.
    able = {(e.site, e.interceptor) for e in engageable}
    count = 0.0
    kills = 0.0
    for battery in prepared.batteries:
        if (battery.site, battery.interceptor) in able:
            pk = strategic.interceptors[battery.interceptor].single_shot_kill_probability
            count += battery.count
            kills += battery.count * (
                pk.capability(strategic.defence_case, larger_is_more_capable=True) if pk else 1.0
            )
    n_flown = int(flown.sum())
    share_engageable = len({e.threat for e in engageable}) / max(n_flown, 1)
    bound = min(kills, share_engageable * NEW_START_DEPLOYED_WARHEADS)
    verdict = "strategic" if engageable else "non-strategic"
    party_verdicts = _party_verdicts(
        prepared, judged, w, flown, attainable, hit_with, margin, by_party
    )
    found = StabilityResult(
        scenario=strategic,
        engagements=engagements,
        verdict=verdict,
        verdict_by_party=by_party,
        party_verdicts=party_verdicts,
        verdict_by_interceptor=by_interceptor,
        engageable=engageable,
        table=table,
        cases=cases,
        track_assumptions=track_assumptions,
        engageable_with_tracks_shared=int(shared.sum()),
        sensitivity=sensitivity,
        min_burnout_speed_m_s=per_area(speeds),
        min_burnout_speed_earliest_track_m_s=per_area(speeds_early),
        uncertainty=uncertainty,
        probability_strategic=probability,
        demarcation=[demarcation(k, strategic.interceptors[k]) for k in prepared.interceptor_types],
        interceptors_able=int(count),
        warheads_engageable_upper_bound=float(bound),
        strategic_threats=n_flown,
        unreachable=int((~flown).sum()),
        sentence="",
        geometry=geometry,
    )
    return dataclasses.replace(found, sentence=verdict_sentence(found))


def _party_verdicts(
    prepared: Prepared,
    judged: np.ndarray,
    windows,
    flown: np.ndarray,
    attainable: list[tuple[str, np.ndarray]],
    hit_with: dict[str, np.ndarray],
    margin: np.ndarray,
    by_party: dict[str, str],
) -> list[PartyVerdict]:
    """One `PartyVerdict` per deterrent party judged."""
    threats = prepared.threats
    out = []
    for party, verdict in by_party.items():
        rows = np.array([(t.party or "unknown") == party for t in threats])
        hits = windows.engageable & judged & rows[:, None]
        by_battery = {
            f"{b.interceptor} at {b.site}": int(hits[:, k].sum())
            for k, b in enumerate(prepared.batteries)
            if hits[:, k].any()
        }
        delays = margin[rows & (margin >= 0.0)]
        source, median, count, nuance_by = None, None, 0, {}
        if verdict == "non-strategic":
            for label, times in attainable:
                pairs = hit_with[label] & rows[:, None]
                if pairs.any():
                    source, count = label, int(pairs.any(axis=1).sum())
                    finite = times[rows & flown & np.isfinite(times)]
                    median = float(np.median(finite)) if finite.size else None
                    nuance_by = {
                        f"{b.interceptor} at {b.site}": int(pairs[:, k].sum())
                        for k, b in enumerate(prepared.batteries)
                        if pairs[:, k].any()
                    }
                    break
        out.append(
            PartyVerdict(
                party=party,
                verdict=verdict,
                engageable=int(hits.any(axis=1).sum()),
                flown=int((rows & flown).sum()),
                by_battery=by_battery,
                max_extra_delay_s=float(delays.max()) if delays.size else None,
                nuance_source=source,
                nuance_median_s=median,
                nuance_engageable=count,
                nuance_by_battery=nuance_by,
                launch_bound_engageable=int(
                    (hit_with[LAUNCH_BOUND] & rows[:, None]).any(axis=1).sum()
                ),
            )
        )
    return out


def _the_party(scenario: Scenario, party: str) -> str:
    """A party's name as a sentence needs it ("the Russian Federation")."""
    parties = scenario.catalog.parties
    if party not in parties:
        return party
    name = parties[party].name
    titled = ("Federation", "United", "Republic", "Kingdom", "States")
    return f"the {name}" if any(word in name for word in titled) else name


def _sensors_in_words(scenario: Scenario) -> str:
    kinds = sorted(
        {
            scenario.sensor_types[m.type].name.split(" (")[0]
            for s in scenario.sites.values()
            for m in s.sensors
        }
    )
    return ", ".join(kinds) if kinds else "no sensors"


def verdict_assumptions(result: StabilityResult) -> dict[str, str]:
    """What the verdict assumes, in words: sensors, cueing, capability cases
    and, with a Monte Carlo, the probability that it is strategic."""
    scenario = result.scenario
    cueing = {
        "none": "each site on its own sensors",
        "within-party": "tracks shared within each party",
        "across-parties": "tracks shared across all parties",
    }[scenario.cueing]
    probability = ""
    if result.probability_strategic is not None and result.uncertainty is not None:
        p, lo, hi = result.probability_strategic
        probability = (
            f"probability strategic {p:.2f} (95 % interval {lo:.2f}-{hi:.2f}) over "
            f"{result.uncertainty.n_draws} draws of the uncertain values"
        )
    return {
        "sensors": f"the catalogued sensors ({_sensors_in_words(scenario)})",
        "cueing": cueing,
        "cases": f"cases {scenario.case_label}",
        "uncertainty": probability,
    }


def party_finding(scenario: Scenario, pv: PartyVerdict) -> tuple[str, str]:
    """One deterrent party's verdict in words, and its decisive nuance: what
    would make a non-strategic verdict strategic, or how robust a strategic one is."""
    name = (
        scenario.catalog.parties[pv.party].name
        if pv.party in scenario.catalog.parties
        else pv.party
    )
    if pv.verdict == "strategic":
        most = sorted(pv.by_battery.items(), key=lambda kv: -kv[1])[:2]
        who = "; ".join(f"{v} by {k}" for k, v in most)
        finding = (
            f"Against the strategic forces of {name}: strategic, {pv.engageable} of "
            f"{pv.flown} trajectories engageable ({who})"
        )
        delay = pv.max_extra_delay_s
        nuance = (
            ""
            if delay is None
            else f"the widest engagement survives {delay:,.0f} s of added launch delay"
        )
        return finding, nuance
    finding = (
        f"Against the strategic forces of {name}: non-strategic, none of its "
        f"{pv.flown} trajectories can be engaged"
    )
    if pv.nuance_source is not None:
        top = sorted(pv.nuance_by_battery.items(), key=lambda kv: -kv[1])[:1]
        when = f"as early as {pv.nuance_source} tracks them"
        if pv.nuance_median_s is not None:
            when += f" (median {pv.nuance_median_s:,.0f} s after launch)"
        nuance = (
            f"strategic if a fire-control track existed {when}: "
            f"{pv.nuance_engageable} become engageable"
            + (f", most by {top[0][0]} ({top[0][1]})" if top else "")
        )
    elif pv.launch_bound_engageable:
        nuance = (
            "no sensor's track would make any engageable, only a fire-control track "
            f"at launch (which no sensor gives) would make {pv.launch_bound_engageable} so"
        )
    else:
        nuance = "not even a fire-control track at launch would make any engageable"
    return finding, nuance


def verdict_sentence(result: StabilityResult) -> str:
    """The verdict in words: the assumptions behind it, then each deterrent
    party's verdict with its evidence or its decisive nuance."""
    assumed = verdict_assumptions(result)
    probability = f"; {assumed['uncertainty']}" if assumed["uncertainty"] else ""
    head = (
        f"{result.verdict.capitalize()} with {assumed['sensors']}, {assumed['cueing']}, "
        f"{assumed['cases']}{probability}."
    )
    clauses = [head]
    for pv in result.party_verdicts:
        finding, nuance = party_finding(result.scenario, pv)
        clauses.append(f"{finding}; {nuance}." if nuance else f"{finding}.")
    return " ".join(clauses)
