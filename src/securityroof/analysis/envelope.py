"""The transparency envelope: verifiable limits that keep a roof non-strategic.

Russia asked in 2010 to "distinguish between non-strategic and strategic
systems"; the 1997 demarcation agreements had done it for theatre defences
with two figures (interceptors of at most 3 km/s, test targets of at most
5 km/s and 3,500 km). This module computes the same kind of figures for any
architecture: the limits within which its batteries cannot engage the
strategic forces of the other parties, and what each limit costs the
regional defence.

- **Speed limits.** For each battery, the highest interceptor burnout speed
  at which it engages none of the protected parties' strategic trajectories
  (with the requested probability under the uncertainty draws), found by
  bisection: engagement only grows with burnout speed (a faster interceptor
  reaches every point sooner and closes faster). The regional defence each
  battery and the whole roof keep at those speeds.
- **Where a site may stand** (`securityroof.analysis.site_map`): a map per
  interceptor type, keep-out zones for ships, a verdict per declared patrol
  area, and how far each battery's site lies from its type's keep-out zone.
- **What may be shared, and when.** For each data link from one party's
  sensors to another party's interceptors: the earliest time after a
  threat's launch from which the link may pass tracks without making the
  roof strategic (bisection: a later link passes fewer tracks), and what it
  adds to the regional defence at that time. A link passes fire-control and
  launch-quality tracks to the interceptors as their rules allow (launch or
  engage on remote); it does not cue the other party's radars, which keep
  the cueing rules of the scenario.
- **The regime**: the verifiable parameters with their declared values,
  limits, margins and how each is checked.
- **Trade-off** (`tradeoff`): regional population defended against a
  common burnout-speed limit on every interceptor, per architecture, and the
  strongest limit that keeps each roof non-strategic.

Regional defence is measured on the scenario's regional threats, each worth
its aim point's population spread over the threats aimed there (the value of
the fair-shares game, `securityroof.analysis.sharing.aim_point_values`), at
the scenario's capability cases. Everything is evaluated on the strategic set
flown and observed once (`securityroof.analysis.stability.StrategicGeometry`)
and on the regional threats flown and observed once.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from securityroof.analysis.engagement import (
    Evaluation,
    Observation,
    _reach_tables,
    detect_all,
    evaluate,
    flights_of,
    observe,
    track_times,
)
from securityroof.analysis.prepare import Prepared, prepare
from securityroof.analysis.regime import RegimeRow, regime
from securityroof.analysis.sharing import aim_point_values
from securityroof.analysis.site_map import (
    DEFAULT_REGION,
    DEFAULT_RESOLUTION_DEG,
    PatrolVerdict,
    SiteMap,
    candidate,
    candidate_grid,
    judge_patrol_area,
    site_map,
)
from securityroof.analysis.stability import (
    SPEED_SWEEP_M_S,
    StrategicGeometry,
    strategic_geometry,
    strategic_scenario,
)
from securityroof.analysis.uncertainty import wilson
from securityroof.core.engagement import BURNOUT_SPEED_M_S
from securityroof.core.siting import sample_groups
from securityroof.errors import RoofError
from securityroof.model.catalog import unknown_name_error
from securityroof.model.scenario import Scenario, regional_threats

DEFAULT_PROBABILITY = 0.95
SPEED_TOLERANCE_M_S = 25.0
LINK_TOLERANCE_S = 5.0
TRADEOFF_STEP_M_S = 250.0


@dataclass(frozen=True)
class SpeedLimit:
    """One battery's burnout-speed limit and what it keeps of the regional defence."""

    site: str
    interceptor: str
    party: str
    catalogued_m_s: float  # at the scenario's defence case
    limit_m_s: float | None  # highest speed engaging none; None: even the slowest swept engages
    bound: str  # "limit", "above the sweep" (none engages up to its top) or "below the sweep"
    margin_m_s: float | None  # limit - catalogued (< 0: the battery must be slowed)
    p_none_at_limit: tuple[float, float, float]  # P(engages none) at the limit, 95 % interval
    p_none_above: tuple[float, float, float] | None  # just above it (limit + tolerance)
    engaged_above: int  # strategic trajectories engaged just above it (in some draw)
    regional_catalogued: int  # regional threats it engages at its catalogued speed
    regional_at_limit: int  # at min(catalogued, limit)
    population_catalogued: float
    population_at_limit: float


@dataclass(frozen=True)
class LinkLimit:
    """A data link from one party's sensors to another party's interceptors."""

    sensor_party: str
    battery_party: str
    sensors: list[str]  # "site (type)"
    batteries: list[str]  # "interceptor at site"
    in_scenario: bool  # the scenario's cueing rules already pass these tracks
    status: str  # "any time", "from a time", "engages without it"
    earliest_s: float | None  # earliest track time the link may pass (s after launch)
    attainable_s: float | None  # median time the link's sensors first track (protected set)
    margin_s: float | None  # earliest - attainable (> 0: the link must hold tracks back)
    regional_without: int
    regional_with: int
    population_without: float
    population_with: float


@dataclass(frozen=True)
class TradeoffPoint:
    cap_m_s: float
    strategic_engaged: int  # protected strategic trajectories engaged (in some draw)
    p_non_strategic: tuple[float, float, float]
    regional_engaged: int
    population: float


@dataclass(frozen=True)
class Tradeoff:
    """Regional population defended against a common burnout-speed limit, one architecture."""

    architecture: str
    points: list[TradeoffPoint]
    strongest_cap_m_s: float | None  # the highest cap that keeps the roof non-strategic
    # False when the roof is non-strategic at its catalogued speeds: the
    # strongest cap is then the fastest catalogued speed and limits nothing.
    limit_needed: bool
    population_at_strongest: float
    population_uncapped: float
    regional_threats: int


@dataclass(frozen=True)
class EnvelopeResult:
    scenario: Scenario  # the strategic scenario (its threats: the strategic set)
    protected: list[str]  # the parties whose strategic forces the envelope protects
    probability: float
    draws: int
    seed: int
    strategic_now: tuple[float, float, float]  # P(the roof as declared engages some), interval
    regional_basis: str  # "population" or "targets"
    regional_threats: int
    population_total: float
    speed_limits: list[SpeedLimit]
    links: list[LinkLimit]
    site_maps: list[SiteMap]
    patrols: list[PatrolVerdict]
    regime: list[RegimeRow]
    tradeoffs: list[Tradeoff]


@dataclass(frozen=True)
class _Judge:
    """The strategic set under the envelope's draws, against the protected parties."""

    geometry: StrategicGeometry
    draws: np.ndarray  # (n_draws, n_values): the Monte Carlo draws, or the cases
    detected: tuple
    counted: np.ndarray  # (n_threats, n_batteries): judged and protected

    @property
    def observation(self) -> Observation:
        return self.geometry.observation

    def engaged(self, evaluation: Evaluation) -> np.ndarray:
        """(n_draws, n_threats, n_batteries) engageable pairs that count."""
        return np.asarray(evaluation.windows.engageable & self.counted[None])

    def evaluate(self, observation: Observation | None = None, **kwargs) -> Evaluation:
        return evaluate(
            observation or self.observation,
            self.draws,
            detected=self.detected,
            details=False,
            **kwargs,
        )


@dataclass(frozen=True)
class RegionalOutcome:
    """What the roof defends of the regional threats under one setting."""

    engaged: np.ndarray  # (n_batteries,) regional threats each battery engages
    population: np.ndarray  # (n_batteries,) what they are worth
    roof_engaged: int  # threats some battery engages
    roof_population: float


@dataclass(frozen=True)
class _Regional:
    """The regional threats flown once, and what defending each is worth."""

    observation: Observation | None  # None: the scenario has no regional threats
    values: np.ndarray  # (n_threats,)
    basis: str
    n_batteries: int
    detected: tuple | None = None  # at the cases

    def outcome(
        self,
        *,
        speeds: np.ndarray | None = None,
        prepared: Prepared | None = None,
        extra_tracks_s: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> RegionalOutcome:
        """At the cases; with `speeds` (n_b,), other track masks or a link's tracks."""
        if self.observation is None:
            zero = np.zeros(self.n_batteries)
            return RegionalOutcome(zero.astype(np.int64), zero, 0, 0.0)
        seen = self.observation
        if prepared is not None:
            seen = dataclasses.replace(seen, prepared=prepared)
        if speeds is not None:
            seen = _at_speeds(seen, speeds)
        pairs = evaluate(
            seen,
            detected=self.detected,
            burnout_speed_m_s=speeds,
            extra_tracks_s=extra_tracks_s,
            details=False,
        ).windows.engageable[0]
        any_battery = pairs.any(axis=1)
        return RegionalOutcome(
            engaged=pairs.sum(axis=0),
            population=self.values @ pairs,
            roof_engaged=int(any_battery.sum()),
            roof_population=float(self.values[any_battery].sum()),
        )

    def with_link(
        self, launch: np.ndarray, guide: np.ndarray, earliest_s: float
    ) -> tuple[RegionalOutcome, RegionalOutcome]:
        """Without a link's tracks, and with them passed from `earliest_s`."""
        if self.observation is None or self.detected is None:
            return self.outcome(), self.outcome()
        base = _without(self.observation.prepared, launch, guide)
        tracks = _link_tracks(self.detected[1].fire_control_s, launch, guide, earliest_s)
        return self.outcome(prepared=base), self.outcome(prepared=base, extra_tracks_s=tracks)


def _regional(
    scenario: Scenario, n_batteries: int, *, flown: Observation | None = None
) -> _Regional:
    """The regional threats observed by the scenario's sensors and batteries.

    `flown`: the regional threats already flown (and observed by another
    variant of the scenario, or by this one), whose trajectories are reused.
    """
    threats = regional_threats(scenario)
    if not threats:
        return _Regional(None, np.zeros(0), "population", n_batteries)
    prepared = prepare(dataclasses.replace(scenario, threats=threats))
    flights = None
    if flown is not None:
        flights = flights_of(flown.flights, flown.prepared.threats, threats)
    seen = observe(prepared, skip_unreachable=True, flights=flights)
    values, _, basis = aim_point_values(threats)
    draw = seen.prepared.space.case_vector(scenario.threat_case, scenario.defence_case)
    return _Regional(seen, np.array(values), basis, n_batteries, detect_all(seen, draw))


# ---------------------------------------------------------------------------
# Burnout speeds
# ---------------------------------------------------------------------------


def _at_speeds(observation: Observation, speeds: np.ndarray) -> Observation:
    """The observation with reach tables at each battery's own burnout speed."""
    prepared = observation.prepared
    nodes: dict[int, list[float]] = {}
    for b, k in enumerate(prepared.battery_type):
        nodes.setdefault(int(k), []).append(float(speeds[b]))
    tables, found = _reach_tables(prepared, observation.low, observation.high, nodes)
    return dataclasses.replace(observation, tables=tables, speed_nodes=found)


def _flies(observation: Observation, speeds: np.ndarray) -> bool:
    try:
        _at_speeds(observation, speeds)
    except RoofError:  # the stand-in vehicle cannot reach that speed with that burn
        return False
    return True


def _flyable_top(observation: Observation) -> np.ndarray:
    """(n_batteries,) the top of the speed sweep each battery's stand-in vehicle can fly."""
    prepared = observation.prepared
    low_all = np.full(len(prepared.batteries), SPEED_SWEEP_M_S[0])
    top = np.full(len(prepared.batteries), SPEED_SWEEP_M_S[1])
    for k in range(len(prepared.interceptor_types)):
        members = prepared.battery_type == k
        low, high = SPEED_SWEEP_M_S
        if _flies(observation, np.where(members, high, low_all)):
            continue
        while high - low > SPEED_TOLERANCE_M_S:
            middle = 0.5 * (low + high)
            if _flies(observation, np.where(members, middle, low_all)):
                low = middle
            else:
                high = middle
        top[members] = low
    return top


def _none_engaged(judge: _Judge, speeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per battery at `speeds`: the draws in which it engages none of the set, and the
    trajectories it engages in some draw."""
    result = judge.evaluate(_at_speeds(judge.observation, speeds), burnout_speed_m_s=speeds)
    hits = judge.engaged(result)
    return (~hits.any(axis=1)).sum(axis=0), hits.any(axis=0).sum(axis=0)


def speed_limits(
    judge: _Judge, regional: _Regional, probability: float
) -> tuple[list[SpeedLimit], np.ndarray]:
    """Each battery's burnout-speed limit, and the speeds (n_b,) the roof keeps under them."""
    prepared = judge.observation.prepared
    n_draws = judge.draws.shape[0]
    need = math.ceil(probability * n_draws - 1e-9)  # draws that must engage none
    low = np.full(len(prepared.batteries), SPEED_SWEEP_M_S[0])
    high = _flyable_top(judge.observation)
    safe_high = _none_engaged(judge, high)[0] >= need
    safe_low = _none_engaged(judge, low)[0] >= need
    bisect = ~safe_high & safe_low
    active = bisect.copy()
    while (active & (high - low > SPEED_TOLERANCE_M_S)).any():
        middle = np.where(active, 0.5 * (low + high), low)
        safe = _none_engaged(judge, middle)[0] >= need
        low = np.where(active & safe, middle, low)
        high = np.where(active & ~safe, middle, high)
        active &= high - low > SPEED_TOLERANCE_M_S
    limit = np.where(safe_high, high, low)
    none_at, _ = _none_engaged(judge, limit)
    none_above, engaged_above = _none_engaged(judge, np.where(bisect, high, limit))
    catalogued = prepared.battery_parameters(judge.geometry.case_draw)[0, :, BURNOUT_SPEED_M_S]
    kept = np.where(safe_low, np.minimum(catalogued, limit), SPEED_SWEEP_M_S[0])
    before = regional.outcome()
    after = regional.outcome(speeds=kept)
    out = []
    for b, battery in enumerate(prepared.batteries):
        bound = "limit" if bisect[b] else ("above the sweep" if safe_high[b] else "below the sweep")
        found = float(limit[b]) if safe_low[b] else None
        out.append(
            SpeedLimit(
                site=battery.site,
                interceptor=battery.interceptor,
                party=battery.party,
                catalogued_m_s=float(catalogued[b]),
                limit_m_s=found,
                bound=bound,
                margin_m_s=None if found is None else found - float(catalogued[b]),
                p_none_at_limit=wilson(int(none_at[b]), n_draws),
                p_none_above=wilson(int(none_above[b]), n_draws) if bisect[b] else None,
                engaged_above=int(engaged_above[b]) if bisect[b] else 0,
                regional_catalogued=int(before.engaged[b]),
                regional_at_limit=int(after.engaged[b]),
                population_catalogued=float(before.population[b]),
                population_at_limit=float(after.population[b]),
            )
        )
    return out, kept


# ---------------------------------------------------------------------------
# Data links
# ---------------------------------------------------------------------------


def _link_masks(prepared: Prepared, sensor_party: str, battery_party: str):
    """(launch, guidance) masks (n_batteries, n_sensors) of the link's tracks."""
    scenario = prepared.scenario
    launch = np.zeros((len(prepared.batteries), len(prepared.sensors)), dtype=bool)
    guide = np.zeros_like(launch)
    for b, battery in enumerate(prepared.batteries):
        if battery.party != battery_party:
            continue
        kind = scenario.interceptors[battery.interceptor]
        for j, sensor in enumerate(prepared.sensors):
            if sensor.party != sensor_party or sensor.site == battery.site:
                continue
            role = scenario.sensor_types[sensor.type].role
            launch[b, j] = kind.remote_launch and role in kind.launch_on
            guide[b, j] = kind.remote_guidance and role in kind.guided_on
    return launch, guide


def _without(prepared: Prepared, launch: np.ndarray, guide: np.ndarray) -> Prepared:
    return dataclasses.replace(
        prepared,
        launch_mask=prepared.launch_mask & ~launch,
        guide_mask=prepared.guide_mask & ~guide,
    )


def _link_tracks(
    fire_control_s: np.ndarray, launch: np.ndarray, guide: np.ndarray, earliest_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """The link's launch and guidance tracks, none passed before `earliest_s`."""
    out = []
    for mask in (launch, guide):
        times, _ = track_times(mask, fire_control_s)
        out.append(np.where(times < earliest_s, earliest_s, times))
    return out[0], out[1]


def _none_engaging(judge: _Judge, result: Evaluation, batteries: np.ndarray) -> int:
    """Draws in which none of `batteries` (bool, (n_b,)) engages any trajectory of the set."""
    return int((~judge.engaged(result)[..., batteries].any(axis=(1, 2))).sum())


def _link(judge: _Judge, regional: _Regional, need: int, a: str, b: str) -> LinkLimit | None:
    """The limit of the link from party a's sensors to party b's interceptors.

    Judged on b's batteries: whether the link lets them engage the protected
    forces (another party's batteries may make the roof strategic on their own,
    which no limit on this link changes).
    """
    prepared = judge.observation.prepared
    launch, guide = _link_masks(prepared, a, b)
    used = launch.any(axis=0) | guide.any(axis=0)  # (n_sensors,)
    if not used.any():
        return None
    receiving = np.array([x.party == b for x in prepared.batteries])
    fire_control = judge.detected[1].fire_control_s
    base_seen = dataclasses.replace(judge.observation, prepared=_without(prepared, launch, guide))

    def safe(earliest: float) -> bool:
        tracks = _link_tracks(fire_control, launch, guide, earliest)
        result = judge.evaluate(base_seen, extra_tracks_s=tracks)
        return _none_engaging(judge, result, receiving) >= need

    earliest: float | None
    if _none_engaging(judge, judge.evaluate(base_seen), receiving) < need:
        status, earliest = "engages without it", None
    elif safe(0.0):
        status, earliest = "any time", 0.0
    else:
        low, high = 0.0, float(judge.observation.times_s[-1])  # nothing is tracked after that
        while high - low > LINK_TOLERANCE_S:
            middle = 0.5 * (low + high)
            low, high = (low, middle) if safe(middle) else (middle, high)
        status, earliest = "from a time", high
    first = np.fmin.reduce(np.where(used, fire_control[0], np.nan), axis=-1)
    first = first[judge.counted.any(axis=1) & np.isfinite(first)]
    attainable = float(np.median(first)) if first.size else None
    off, on = regional.with_link(launch, guide, earliest or 0.0)
    return LinkLimit(
        sensor_party=a,
        battery_party=b,
        sensors=sorted({f"{s.site} ({s.type})" for j, s in enumerate(prepared.sensors) if used[j]}),
        batteries=sorted(
            {
                f"{x.interceptor} at {x.site}"
                for i, x in enumerate(prepared.batteries)
                if launch[i].any() or guide[i].any()
            }
        ),
        in_scenario=bool(prepared.scenario.may_cue(a, b)),
        status=status,
        earliest_s=earliest,
        attainable_s=attainable,
        margin_s=(
            earliest - attainable if earliest is not None and attainable is not None else None
        ),
        regional_without=off.roof_engaged,
        regional_with=on.roof_engaged,
        population_without=off.roof_population,
        population_with=on.roof_population,
    )


def link_limits(judge: _Judge, regional: _Regional, probability: float) -> list[LinkLimit]:
    """The earliest track time each cross-party link may pass (see the module notes)."""
    prepared = judge.observation.prepared
    need = math.ceil(probability * judge.draws.shape[0] - 1e-9)
    out = []
    for a in sorted({s.party for s in prepared.sensors}):
        for b in sorted({x.party for x in prepared.batteries}):
            found = _link(judge, regional, need, a, b) if a != b else None
            if found is not None:
                out.append(found)
    return out


# ---------------------------------------------------------------------------
# Trade-off
# ---------------------------------------------------------------------------


def tradeoff(
    scenario: Scenario,
    protected: frozenset[str],
    probability: float = DEFAULT_PROBABILITY,
    *,
    draws: int = 0,
    seed: int = 0,
    judge: _Judge | None = None,
    regional: _Regional | None = None,
    flown_strategic: StrategicGeometry | None = None,
    flown_regional: Observation | None = None,
) -> Tradeoff:
    """Regional population defended against a common burnout-speed limit (see the notes).

    Every interceptor flies at the lower of its catalogued speed and the cap;
    caps run from the bottom of the speed sweep to the fastest catalogued
    interceptor, every `TRADEOFF_STEP_M_S`, at the scenario's cases or under
    `draws` Monte Carlo draws (a `judge` brings its own). Without a `judge`
    or `regional`, the strategic set and the regional threats are observed
    here, on the trajectories of `flown_strategic` and `flown_regional` when
    given (another architecture's, on the same threats).
    """
    if judge is None:
        geometry = strategic_geometry(scenario, flown=flown_strategic)
        sample = geometry.prepared.space.sample(draws, seed) if draws else None
        judge = _judge(geometry, protected, sample)
    prepared = judge.observation.prepared
    if regional is None:
        regional = _regional(scenario, len(prepared.batteries), flown=flown_regional)
    n_draws = judge.draws.shape[0]
    catalogued = prepared.battery_parameters(judge.geometry.case_draw)[0, :, BURNOUT_SPEED_M_S]
    top = float(catalogued.max())
    caps = [*np.arange(SPEED_SWEEP_M_S[0], top, TRADEOFF_STEP_M_S).tolist(), top]
    points = []
    for cap in caps:
        speeds = np.minimum(catalogued, cap)
        result = judge.evaluate(_at_speeds(judge.observation, speeds), burnout_speed_m_s=speeds)
        hits = judge.engaged(result)
        outcome = regional.outcome(speeds=speeds)
        points.append(
            TradeoffPoint(
                cap_m_s=float(cap),
                strategic_engaged=int(hits.any(axis=(0, 2)).sum()),
                p_non_strategic=wilson(int((~hits.any(axis=(1, 2))).sum()), n_draws),
                regional_engaged=outcome.roof_engaged,
                population=outcome.roof_population,
            )
        )
    need = math.ceil(probability * n_draws - 1e-9) / n_draws
    safe = [p for p in points if p.p_non_strategic[0] >= need]
    strongest = max(safe, key=lambda p: p.cap_m_s) if safe else None
    return Tradeoff(
        architecture=scenario.architecture or scenario.name,
        points=points,
        strongest_cap_m_s=strongest.cap_m_s if strongest else None,
        limit_needed=strongest is not points[-1],
        population_at_strongest=strongest.population if strongest else 0.0,
        population_uncapped=points[-1].population,
        regional_threats=0 if regional.observation is None else int(regional.values.size),
    )


# ---------------------------------------------------------------------------
# The whole envelope
# ---------------------------------------------------------------------------


def protected_parties(scenario: Scenario, party: str | None) -> frozenset[str]:
    """The parties whose strategic forces the envelope keeps out of reach."""
    forces = {t.party or "unknown" for t in strategic_scenario(scenario).threats}
    if party is None:
        return frozenset(forces)
    if party not in scenario.catalog.parties:
        raise unknown_name_error("party", party, scenario.catalog.parties, parameter="party")
    if party not in forces:
        raise RoofError(
            f"{party} has no strategic forces in the scenario's strategic set: there is "
            "nothing of theirs to keep out of reach.",
            parameter="party",
            fix="Choose one of: " + ", ".join(sorted(forces)) + ".",
        )
    return frozenset({party})


def _judge(
    geometry: StrategicGeometry, protected: frozenset[str], draws: np.ndarray | None
) -> _Judge:
    rows = np.array([(t.party or "unknown") in protected for t in geometry.prepared.threats])
    counted = geometry.judged & rows[:, None]
    if draws is None:
        return _Judge(geometry, geometry.case_draw, geometry.detected, counted)
    return _Judge(geometry, draws, detect_all(geometry.observation, draws), counted)


def analyse_envelope(
    scenario: Scenario,
    *,
    party: str | None = None,
    probability: float = DEFAULT_PROBABILITY,
    draws: int = 0,
    seed: int = 0,
    region: tuple[float, float, float, float] = DEFAULT_REGION,
    resolution_deg: float = DEFAULT_RESOLUTION_DEG,
    maps: bool = True,
    compare: tuple[str, ...] = (),
    cluster: str | None = None,
    geometry: StrategicGeometry | None = None,
    regional_flown: Observation | None = None,
) -> EnvelopeResult:
    """The transparency envelope of a scenario's roof (see the module notes).

    Parameters
    ----------
    party
        Keep only this party's strategic forces out of reach (default: every
        party's in the strategic set).
    probability
        How sure the limits must be: the share of uncertainty draws in which
        they keep the roof non-strategic (with ``draws=0``, the scenario's
        cases decide).
    draws, seed
        Monte Carlo size and seed (`securityroof.analysis.prepare.ValueSpace.sample`).
    region, resolution_deg
        The site maps' box (lat min, lat max, lon min, lon max; degrees) and cell size.
    maps
        Compute the site maps and patrol-area verdicts (the costliest part).
    compare
        Other catalog architectures to draw the trade-off for, on the same
        threats and assumptions.
    cluster
        A Dask scheduler address for the site maps' draws.
    geometry
        The scenario's strategic set already flown and observed (a stability
        analysis's), to reuse.
    regional_flown
        The scenario's regional threats already flown and observed (the
        observation of `securityroof.analysis.engagement.run_engagements` on
        them), to reuse. The compared architectures reuse both sets of
        trajectories and observe them with their own sensors and batteries.
    """
    if not 0.0 < probability < 1.0:
        raise RoofError(
            f"the probability must lie strictly between 0 and 1, got {probability}.",
            parameter="probability",
            fix="Give for example 0.95.",
        )
    if draws < 0:
        raise RoofError(
            f"the Monte Carlo size must not be negative, got {draws}.", parameter="draws"
        )
    protected = protected_parties(scenario, party)
    batteries = {b.type for site in scenario.sites.values() for b in site.interceptors}
    if maps:
        candidate_grid(region, resolution_deg)
        for area in scenario.patrol_areas:
            if area.interceptor is not None and area.interceptor not in batteries:
                raise RoofError(
                    f"patrol area {area.name!r} names {area.interceptor!r}, which no battery "
                    "of the scenario carries.",
                    where=f"{scenario.path}: patrol_areas",
                    fix="Name an interceptor type of the scenario's batteries, or none.",
                )
    geometry = geometry or strategic_geometry(scenario)
    prepared = geometry.prepared
    sample = prepared.space.sample(draws, seed) if draws else None
    judge = _judge(geometry, protected, sample)
    regional = _regional(scenario, len(prepared.batteries), flown=regional_flown)
    now = judge.evaluate()
    limits, _ = speed_limits(judge, regional, probability)
    links = link_limits(judge, regional, probability)
    site_maps: list[SiteMap] = []
    patrols: list[PatrolVerdict] = []
    if maps:
        groups = sample_groups(geometry.observation.flights.samples)
        for interceptor in prepared.interceptor_types:
            site_maps.append(
                site_map(
                    geometry,
                    interceptor,
                    protected,
                    probability,
                    region=region,
                    resolution_deg=resolution_deg,
                    draws=sample,
                    cluster=cluster,
                    groups=groups,
                )
            )
        for area in scenario.patrol_areas:
            kinds = [area.interceptor] if area.interceptor else prepared.interceptor_types
            for interceptor in kinds:
                found = candidate(prepared, interceptor, protected)
                patrols.append(
                    judge_patrol_area(
                        geometry,
                        found,
                        area,
                        probability,
                        resolution_deg,
                        draws=sample,
                        cluster=cluster,
                        groups=groups,
                    )
                )
    tradeoffs = [tradeoff(scenario, protected, probability, judge=judge, regional=regional)]
    for name in compare:
        tradeoffs.append(
            tradeoff(
                scenario.with_architecture(name),
                protected,
                probability,
                draws=draws,
                seed=seed,
                flown_strategic=geometry,
                flown_regional=regional.observation,
            )
        )
    return EnvelopeResult(
        scenario=geometry.scenario,
        protected=sorted(protected),
        probability=probability,
        draws=draws,
        seed=seed,
        strategic_now=wilson(int(judge.engaged(now).any(axis=(1, 2)).sum()), judge.draws.shape[0]),
        regional_basis=regional.basis,
        regional_threats=0 if regional.observation is None else int(regional.values.size),
        population_total=float(regional.values.sum()),
        speed_limits=limits,
        links=links,
        site_maps=site_maps,
        patrols=patrols,
        regime=regime(scenario, limits, links, site_maps, patrols),
        tradeoffs=tradeoffs,
    )
