"""From a scenario to engagement windows: fly the threats, let the sensors see
them, apply the track rules, and find each battery's window against each threat.

The walk goes down once: `prepare` (the scenario in SI arrays and its value
space) -> `observe` (the threats aimed and flown, and the geometry every
sensor and battery has on them, for the hull of the values to be evaluated)
-> `evaluate` (detection, track rules and engagement under one or many
draws of the values). `run_engagements` is the whole chain at the
scenario's capability case.

The chain per (threat, battery), following the open literature's timeline
models (APS 2003; Wilkening 2000):

- detection and tracks by each sensor (`securityroof.core.detection`): a
  warning track on any object of the threat, a track on the RV (own search
  or cued by another sensor's warning track, as the cueing rules allow);
- the battery's *launch* track: the earliest RV track of a sensor whose
  role its interceptor may launch on, at its own site or (launch on remote)
  at any site whose party may pass it tracks; its *guidance* track likewise
  (engage on remote);
- decision and launch delay -> flyout -> intercept, within the envelope and
  the kill vehicle's limits (`securityroof.core.engagement`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from securityroof.analysis.prepare import (
    Battery,
    Prepared,
    SensorPlacement,
    gather_values,
    prepare,
    scenario_planet,
    site_position_ecef,
)
from securityroof.core.detection import (
    CUE_GAIN,
    DETECTION_DELAY_S,
    HALF_WIDTH,
    MAX_ELEVATION,
    MIN_ELEVATION,
    MIN_PLUME_ALTITUDE_M,
    RANGE_PER_ROOT_RCS,
    TRACK_DELAY_S,
    DetectionArrays,
    detect_draws,
)
from securityroof.core.engagement import (
    BURNOUT_SPEED_M_S,
    DELAY_S,
    MAX_ALTITUDE_M,
    MAX_FLIGHT_TIME_S,
    MAX_GROUND_RANGE_M,
    MIN_ALTITUDE_M,
    REASON_TEXT,
    BatteryLines,
    EngagementArrays,
    InterceptorTables,
    battery_lines,
    engage_draws,
)
from securityroof.core.flight import (
    STATUS_IMPACT,
    STATUS_NO_IMPACT,
    FlightArrays,
    IntegratorSettings,
    fly_boosted,
)
from securityroof.core.reach import ReachError, ReachTable, build_reach_table
from securityroof.core.sensors import KIND_INFRARED, KIND_RADAR, SensorArrays
from securityroof.core.sightlines import Sightlines, sightlines
from securityroof.core.signatures import OBJECT_RV
from securityroof.core.targeting import Guidance, Launch, TargetingError, aim_many
from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario, Threat

__all__ = [
    "Battery",
    "EngagementRecord",
    "EngagementResult",
    "Evaluation",
    "Flights",
    "Observation",
    "SensorPlacement",
    "evaluate",
    "flights_of",
    "fly_threats",
    "observe",
    "run_engagements",
    "scenario_planet",
    "site_position_ecef",
]

# Reach tables share one grid shape so the kernel can stack them.
REACH_GRID = (160, 120)
# Burnout speeds at which an interceptor's reach is tabulated when its speed
# is uncertain; speeds in between are interpolated (linear in speed).
SPEED_NODES = 5
# Missile range cases flown when the range case is uncertain; a draw flies
# the nearest.
MISSILE_CASE_NODES = (-1.0, 0.0, 1.0)


# ---------------------------------------------------------------------------
# Flights
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Flights:
    """The threats flown, each at one or more missile range cases.

    Trajectory ``trajectory_of[i, v]`` is threat ``i`` flown at range case
    ``case_u[v]``; -1 where that case cannot reach the aim point (the reason
    in `unreachable`).
    """

    arrays: FlightArrays  # (n_trajectories, ...), samples on `times_s`
    times_s: np.ndarray
    case_u: np.ndarray  # (n_cases,)
    trajectory_of: np.ndarray  # (n_threats, n_cases) int64
    unreachable: dict[tuple[int, int], str]

    @property
    def samples(self) -> np.ndarray:
        return self.arrays.samples

    @property
    def burnout_s(self) -> np.ndarray:
        return self.arrays.burnout_time_s


# Guidance (and the flight time it gives) by missile content, case, launch,
# aim point, shape and Earth; or the reason it cannot reach.
_GUIDANCE_CACHE: dict[tuple, tuple[Guidance, float] | str] = {}
_GUIDANCE_CACHE_SIZE = 20_000


def _missile_key(prepared: Prepared, missile_id: str) -> str:
    missile = prepared.scenario.catalog.missiles.missile(missile_id)
    return hashlib.sha256(missile.model_dump_json().encode()).hexdigest()[:16]


def given_flights(arrays: FlightArrays, times_s: np.ndarray, case_u: float) -> Flights:
    """Trajectories flown elsewhere (one per row, one range case) as `Flights`."""
    n = arrays.status.size
    return Flights(arrays, times_s, np.array([case_u]), np.arange(n, dtype=np.int64)[:, None], {})


def flights_of(
    flights: Flights, flown: Sequence[Threat], threats: Sequence[Threat]
) -> Flights | None:
    """The trajectories of `threats` among `flights`, flown for the threats
    `flown` (in that order), or None if some threat was not among them.

    Flights depend on the threats alone, never on the batteries or sensors:
    a variant of a scenario (another architecture, other cueing rules)
    reuses its trajectories instead of flying them again.
    """
    where = {threat: i for i, threat in enumerate(flown)}
    if any(threat not in where for threat in threats):
        return None
    index = np.array([where[threat] for threat in threats], dtype=np.int64)
    wanted = flights.trajectory_of[index]  # (n_threats, n_cases)
    used = np.unique(wanted[wanted >= 0])
    renumber = np.full(flights.arrays.status.size, -1, dtype=np.int64)
    renumber[used] = np.arange(used.size)
    unreachable = {
        (i, v): flights.unreachable[(int(old), v)]
        for i, old in enumerate(index)
        for v in range(flights.case_u.size)
        if (int(old), v) in flights.unreachable
    }
    return Flights(
        flights.arrays.rows(used),
        flights.times_s,
        flights.case_u,
        np.where(wanted >= 0, renumber[np.maximum(wanted, 0)], -1),
        unreachable,
    )


def fly_threats(
    prepared: Prepared, case_u: Sequence[float], *, skip_unreachable: bool = False
) -> Flights:
    """Aim every threat at every missile range case, then fly them all.

    Aim points from one launch point are aimed together (`aim_many`);
    guidance is cached within the process, so a scenario's variants
    (architectures, cueing) do not aim twice. A threat out of reach is an
    error, or, with `skip_unreachable`, a trajectory index of -1.
    """
    scenario = prepared.scenario
    catalog = scenario.catalog
    planet = prepared.planet
    drag = scenario.assumptions.drag
    dt = scenario.assumptions.sample_interval_s
    threats = prepared.threats
    cases = np.asarray(case_u, dtype=np.float64)
    planet_key = (planet.a_m, planet.f, planet.omega_rad_s)
    guidance: dict[tuple[int, int], tuple[Guidance, float]] = {}
    unreachable: dict[tuple[int, int], str] = {}
    groups: dict[tuple, list[int]] = {}
    for i, threat in enumerate(threats):
        groups.setdefault(
            (
                threat.missile,
                threat.launch_lat_deg,
                threat.launch_lon_deg,
                threat.launch_time_s,
                threat.shape,
            ),
            [],
        ).append(i)
    for (missile_id, lat, lon, epoch, shape), members in groups.items():
        missile = catalog.missiles.missile(missile_id)
        key_m = _missile_key(prepared, missile_id)
        first = members[0]
        launch = Launch(
            float(prepared.launch_lat_rad[first]),
            float(prepared.launch_lon_rad[first]),
            epoch_s=epoch,
        )
        for v, u in enumerate(cases):
            pending = []
            for i in members:
                t = threats[i]
                key = (
                    key_m,
                    float(u),
                    lat,
                    lon,
                    epoch,
                    t.target_lat_deg,
                    t.target_lon_deg,
                    shape,
                    drag,
                    planet_key,
                )
                found = _GUIDANCE_CACHE.get(key)
                if found is None:
                    pending.append((i, key))
                elif isinstance(found, str):
                    unreachable[(i, v)] = found
                else:
                    guidance[(i, v)] = found
            if not pending:
                continue
            vehicle = missile.vehicle_at(catalog.missiles.drag_tables, float(u))
            solutions = aim_many(
                vehicle,
                planet,
                launch,
                prepared.target_lat_rad[[i for i, _ in pending]],
                prepared.target_lon_rad[[i for i, _ in pending]],
                shape=shape,
                drag=drag,
            )
            if len(_GUIDANCE_CACHE) > _GUIDANCE_CACHE_SIZE:
                _GUIDANCE_CACHE.clear()
            for (i, key), solution in zip(pending, solutions, strict=True):
                if isinstance(solution, TargetingError):
                    _GUIDANCE_CACHE[key] = str(solution)
                    unreachable[(i, v)] = str(solution)
                else:
                    found_now = (solution.guidance, float(solution.flight.impact_time_s[0]))
                    _GUIDANCE_CACHE[key] = found_now
                    guidance[(i, v)] = found_now
    if unreachable and not skip_unreachable:
        (i, _), message = next(iter(unreachable.items()))
        raise RoofError(
            f"threat {threats[i].name!r}: {message}.",
            where=f"{scenario.path}: threats",
            fix="Aim it at a nearer target, or use a missile of longer range.",
        )
    # Fly: one batch per (missile, case), the kernel flying one vehicle per call.
    order = sorted(guidance)
    trajectory_of = np.full((len(threats), cases.size), -1, dtype=np.int64)
    for n, pair in enumerate(order):
        trajectory_of[pair] = n
    batches: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for i, v in order:
        batches.setdefault((threats[i].missile, v), []).append((i, v))
    horizon = max((guidance[p][1] for p in order), default=0.0)
    n_samples = math.ceil(horizon / dt) + 2
    times = np.arange(n_samples) * dt
    n = len(order)
    samples = np.full((n, n_samples, 6), np.nan)
    status = np.full(n, STATUS_NO_IMPACT, dtype=np.int8)
    burnout = np.full((n, 7), np.nan)
    apogee = np.full((n, 8), np.nan)
    impact = np.full((n, 7), np.nan)
    steps = np.zeros(n, dtype=np.int64)
    for (missile_id, v), pairs in batches.items():
        vehicle = catalog.missiles.missile(missile_id).vehicle_at(
            catalog.missiles.drag_tables, float(cases[v])
        )
        g = [guidance[p][0] for p in pairs]
        rows = [trajectory_of[p] for p in pairs]
        flight = fly_boosted(
            vehicle,
            planet,
            prepared.launch_lat_rad[[i for i, _ in pairs]],
            prepared.launch_lon_rad[[i for i, _ in pairs]],
            0.0,
            np.array([x.azimuth for x in g]),
            np.array([x.kick for x in g]),
            cutoff_s=np.array([x.cutoff_s for x in g]),
            epoch_s=np.array([threats[i].launch_time_s for i, _ in pairs]),
            drag=drag,
            sample_dt_s=dt,
            sample_until_s=float(times[-1]),
            settings=IntegratorSettings(),
        )
        samples[rows] = flight.samples
        status[rows] = flight.status
        burnout[rows] = flight.burnout
        apogee[rows] = flight.apogee
        impact[rows] = flight.impact
        steps[rows] = flight.steps
    arrays = FlightArrays(status, burnout, apogee, impact, np.zeros((n, 0, 2)), samples, steps)
    return Flights(arrays, times, cases, trajectory_of, unreachable)


# ---------------------------------------------------------------------------
# Observation: the geometry, once
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """The threats flown and the geometry of every sensor and battery on them.

    Built for a box of values (`low`, `high`, each (n_values,)): the hull the
    sightlines, battery lines and reach tables cover. Any draw inside the box
    is evaluated without new geometry.
    """

    prepared: Prepared
    flights: Flights
    missile_of: np.ndarray  # (n_rows,) missile of each threat row
    rv_rcs_override_m2: np.ndarray  # (n_rows,)
    lines: Sightlines
    battery_lines: BatteryLines
    tables: InterceptorTables
    low: np.ndarray
    high: np.ndarray
    speed_nodes: list[list[float]] = field(default_factory=list)

    @property
    def planet(self):
        return self.prepared.planet

    @property
    def times_s(self) -> np.ndarray:
        return self.flights.times_s

    @property
    def batteries(self) -> list[Battery]:
        return self.prepared.batteries

    @property
    def sensors(self) -> list[SensorPlacement]:
        return self.prepared.sensors


def _hull_sensors(
    prepared: Prepared, low: np.ndarray, high: np.ndarray
) -> tuple[SensorArrays, np.ndarray]:
    """Sensors at the widest limits of the box, and each radar's longest reach (m)."""
    lo = prepared.sensor_parameters(low[None])[0]
    hi = prepared.sensor_parameters(high[None])[0]
    base = prepared.sensor_arrays
    radar = base.kind == KIND_RADAR
    # The brightest object any missile of the scenario shows in each band.
    hi_rcs = np.maximum(gather_values(high[None], prepared.rcs_slot, 0.0)[0], 0.0) ** 0.25
    brightest = np.zeros(len(prepared.sensors))
    for j in range(len(prepared.sensors)):
        if radar[j]:
            brightest[j] = float(hi_rcs[..., base.band[j]].max(initial=0.0))
    override = prepared.rv_rcs_override_m2
    if np.isfinite(override).any():
        brightest = np.maximum(brightest, float(np.nanmax(override)) ** 0.25)
    reach = np.where(radar, hi[:, RANGE_PER_ROOT_RCS] * hi[:, CUE_GAIN] * brightest, 0.0)
    hull = SensorArrays(
        position_ecef_m=base.position_ecef_m,
        kind=base.kind,
        boresight=base.boresight,
        half_width=hi[:, HALF_WIDTH],
        min_elevation=lo[:, MIN_ELEVATION],
        max_elevation=hi[:, MAX_ELEVATION],
        reference_range_m=base.reference_range_m,
        reference_rcs_m2=base.reference_rcs_m2,
        track_delay_s=base.track_delay_s,
        band=base.band,
        min_plume_altitude_m=lo[:, MIN_PLUME_ALTITUDE_M],
        detection_delay_s=base.detection_delay_s,
    )
    return hull, reach


def _reach_tables(
    prepared: Prepared, low: np.ndarray, high: np.ndarray, speeds: dict[int, list[float]] | None
) -> tuple[InterceptorTables, list[list[float]]]:
    """Reach tables per interceptor type over the box (speed nodes, envelope hull)."""
    scenario = prepared.scenario
    lo = prepared.battery_parameters(low[None])[0]
    hi = prepared.battery_parameters(high[None])[0]
    shape = _grid_shape(prepared, lo, hi)
    tables: list[list[ReachTable]] = []
    nodes_out: list[list[float]] = []
    for k, type_id in enumerate(prepared.interceptor_types):
        members = np.nonzero(prepared.battery_type == k)[0]
        b = int(members[0])
        interceptor = scenario.interceptors[type_id]
        if speeds is not None and k in speeds:
            nodes = sorted(set(speeds[k]))
        else:
            v_lo, v_hi = lo[b, BURNOUT_SPEED_M_S], hi[b, BURNOUT_SPEED_M_S]
            nodes = (
                [v_lo]
                if v_hi <= v_lo
                else sorted(
                    {
                        *np.linspace(v_lo, v_hi, SPEED_NODES).tolist(),
                        interceptor.burnout_speed_m_s.nominal,
                    }
                )
            )
        row = []
        for v in nodes:
            try:
                row.append(
                    build_reach_table(
                        v,
                        interceptor.burn_time_s.nominal,  # no clear sign: stays nominal
                        hi[b, MAX_FLIGHT_TIME_S],
                        hi[b, MAX_GROUND_RANGE_M],
                        hi[b, MAX_ALTITUDE_M],
                        lo[b, MIN_ALTITUDE_M],
                        n_range=shape[0],
                        n_altitude=shape[1],
                    )
                )
            except ReachError as exc:
                raise RoofError(
                    f"interceptor {type_id!r} cannot be flown at {v:,.0f} m/s: {exc}",
                    fix="Change its catalog or scenario values.",
                ) from None
        tables.append(row)
        nodes_out.append([float(v) for v in nodes])
    if not tables:
        return InterceptorTables.stack([[_empty_table()]]), []
    return InterceptorTables.stack(tables), nodes_out


def _grid_shape(prepared: Prepared, lo: np.ndarray, hi: np.ndarray) -> tuple[int, int]:
    """Cells of the reach tables: `REACH_GRID` for the nominal envelope, more for a
    wider box, so a table over the box has cells no coarser than the nominal's
    (a cell's earliest arrival favours the defence by up to the time to cross it).
    """
    nominal = prepared.battery_parameters(prepared.space.nominal_vector())[0]
    range_ratio, altitude_ratio = 1.0, 1.0
    for b in range(len(prepared.batteries)):
        range_ratio = max(range_ratio, hi[b, MAX_GROUND_RANGE_M] / nominal[b, MAX_GROUND_RANGE_M])
        span = nominal[b, MAX_ALTITUDE_M] - nominal[b, MIN_ALTITUDE_M]
        altitude_ratio = max(altitude_ratio, (hi[b, MAX_ALTITUDE_M] - lo[b, MIN_ALTITUDE_M]) / span)
    return (
        math.ceil(REACH_GRID[0] * min(range_ratio, 3.0)),
        math.ceil(REACH_GRID[1] * min(altitude_ratio, 3.0)),
    )


def _empty_table() -> ReachTable:
    return build_reach_table(
        3000.0, 30.0, 100.0, 100e3, 100e3, 0.0, n_range=REACH_GRID[0], n_altitude=REACH_GRID[1]
    )


def observe(
    prepared: Prepared,
    draws: np.ndarray | None = None,
    *,
    skip_unreachable: bool = False,
    flights: Flights | None = None,
    missile_of: np.ndarray | None = None,
    speeds: dict[int, list[float]] | None = None,
) -> Observation:
    """Fly the threats and lay out the geometry for the draws to be evaluated.

    Parameters
    ----------
    prepared
        The scenario in arrays.
    draws
        (n_draws, n_values) value vectors the observation must cover (their
        box); default the scenario's capability case.
    skip_unreachable
        Keep threats the missile cannot reach (in some range case) as
        trajectory -1 instead of stopping.
    flights
        Trajectories already flown, to reuse (another observation of the same
        threats), or of other rows than the scenario's threats (a footprint's
        fan; give their `missile_of` then, indices into ``prepared.missiles``).
    speeds
        Interceptor type index -> burnout speeds to tabulate instead of the
        box's (for burnout-speed sweeps).
    """
    scenario = prepared.scenario
    if draws is None:
        draws = prepared.space.case_vector(scenario.threat_case, scenario.defence_case)
    low, high = draws.min(axis=0), draws.max(axis=0)
    u_lo, u_hi = prepared.missile_case(low[None])[0], prepared.missile_case(high[None])[0]
    if flights is None:
        if u_lo.size == 0 or (np.all(u_lo == u_hi) and np.unique(u_lo).size == 1):
            cases = [float(u_lo[0]) if u_lo.size else 0.0]
        elif np.all(u_lo == u_hi):
            cases = sorted(set(u_lo.tolist()))
        else:
            cases = [u for u in MISSILE_CASE_NODES if u_lo.min() <= u <= u_hi.max()] or [0.0]
        flights = fly_threats(prepared, cases, skip_unreachable=skip_unreachable)
    if (
        not skip_unreachable
        and flights.trajectory_of.size
        and not np.all(
            flights.arrays.status[flights.trajectory_of[flights.trajectory_of >= 0]]
            == STATUS_IMPACT
        )
    ):
        raise RoofError("a threat trajectory does not come back down.", where=str(scenario.path))
    planet = prepared.planet
    hull, reach = _hull_sensors(prepared, low, high)
    lines = sightlines(
        flights.samples, flights.times_s, flights.burnout_s, hull, reach, planet.a_m, planet.f
    )
    b_lo = prepared.battery_parameters(low[None])[0]
    b_hi = prepared.battery_parameters(high[None])[0]
    blines = battery_lines(
        flights.samples,
        prepared.battery_position_ecef_m,
        b_hi[:, MAX_GROUND_RANGE_M],
        b_lo[:, MIN_ALTITUDE_M],
        b_hi[:, MAX_ALTITUDE_M],
        planet.a_m,
        planet.f,
    )
    tables, nodes = _reach_tables(prepared, low, high, speeds)
    rows_own = missile_of is None
    return Observation(
        prepared=prepared,
        flights=flights,
        missile_of=prepared.missile_of if rows_own else np.asarray(missile_of, dtype=np.int64),
        rv_rcs_override_m2=(
            prepared.rv_rcs_override_m2
            if rows_own
            else np.full(flights.trajectory_of.shape[0], np.nan)
        ),
        lines=lines,
        battery_lines=blines,
        tables=tables,
        low=low,
        high=high,
        speed_nodes=nodes,
    )


# ---------------------------------------------------------------------------
# Evaluation: one or many draws
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Detection, track times and engagements of every threat under each draw.

    Arrays carry a leading draw axis (n_draws, ...); `single` drops it.
    """

    trajectory: np.ndarray  # (n_draws, n_threats)
    detections: DetectionArrays
    launch_track_s: np.ndarray  # (n_draws, n_threats, n_batteries)
    launch_source: np.ndarray  # sensor index, -1 none or assumed
    guidance_track_s: np.ndarray
    guidance_source: np.ndarray
    windows: EngagementArrays


def _nearest_case(observation: Observation, u: np.ndarray) -> np.ndarray:
    nodes = observation.flights.case_u
    return np.abs(u[..., None] - nodes).argmin(axis=-1)


def trajectories_for(observation: Observation, draws: np.ndarray) -> np.ndarray:
    """(n_draws, n_threats) trajectory each threat flies in each draw (-1 not flown)."""
    u = observation.prepared.missile_case(draws)  # (n_draws, n_missiles)
    node = _nearest_case(observation, u[:, observation.missile_of])
    rows = np.arange(observation.missile_of.size)[None, :]
    return np.asarray(observation.flights.trajectory_of[rows, node])


def root_rcs_for(observation: Observation, draws: np.ndarray) -> np.ndarray:
    """(n_draws, n_threats, O, B) root cross sections of each threat row."""
    by_missile = gather_values(draws, observation.prepared.rcs_slot, 0.0)
    rcs = by_missile[:, observation.missile_of]
    override = np.isfinite(observation.rv_rcs_override_m2)
    if override.any():
        rcs[:, override, OBJECT_RV, :] = observation.rv_rcs_override_m2[override][None, :, None]
    return np.asarray(np.maximum(rcs, 0.0) ** 0.25)


def detect_all(observation: Observation, draws: np.ndarray) -> tuple[np.ndarray, DetectionArrays]:
    """Trajectories and detection timing under each draw."""
    prepared = observation.prepared
    trajectory = trajectories_for(observation, draws)
    detections = detect_draws(
        observation.lines,
        observation.times_s,
        prepared.sensor_arrays.kind,
        np.where(prepared.sensor_arrays.kind == KIND_RADAR, prepared.sensor_arrays.band, 0),
        prepared.cue_from,
        trajectory,
        root_rcs_for(observation, draws),
        prepared.sensor_parameters(draws),
    )
    return trajectory, detections


def track_times(mask: np.ndarray, fire_control_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Earliest usable RV track per battery, and the sensor that gave it.

    mask (n_batteries, n_sensors); fire_control_s (n_draws, n_threats,
    n_sensors). Returns two (n_draws, n_threats, n_batteries) arrays: times
    (NaN none) and sensor indices (-1 none).
    """
    n_d, n_t, _ = fire_control_s.shape
    n_b = mask.shape[0]
    times = np.full((n_d, n_t, n_b), np.nan)
    source = np.full((n_d, n_t, n_b), -1, dtype=np.int64)
    filled = np.where(np.isnan(fire_control_s), np.inf, fire_control_s)
    for b in range(n_b):
        usable = np.nonzero(mask[b])[0]
        if usable.size == 0:
            continue
        part = filled[..., usable]
        k = part.argmin(axis=-1)
        best = np.take_along_axis(part, k[..., None], axis=-1)[..., 0]
        ok = np.isfinite(best)
        times[..., b] = np.where(ok, best, np.nan)
        source[..., b] = np.where(ok, usable[k], -1)
    return times, source


def evaluate(
    observation: Observation,
    draws: np.ndarray | None = None,
    *,
    assumed_track_s: float | np.ndarray | None = None,
    extra_delay_s: float = 0.0,
    detected: tuple[np.ndarray, DetectionArrays] | None = None,
    burnout_speed_m_s: float | np.ndarray | None = None,
    extra_tracks_s: tuple[np.ndarray, np.ndarray] | None = None,
    details: bool = True,
) -> Evaluation:
    """Detection, track rules and engagement windows under each draw.

    Parameters
    ----------
    observation
        The geometry; every draw must lie inside its box.
    draws
        (n_draws, n_values); default the scenario's capability case.
    assumed_track_s
        "What you would need to believe": every battery holds a launch and
        guidance track this long after each threat's launch (scalar, or per
        threat (n_threats,) or per (draw, threat)), whichever is earlier
        than its own. Default: the scenario's ``fire_control_at_s``.
    extra_delay_s
        Added to every battery's launch delay.
    detected
        (trajectories, detections) of these draws already computed
        (`detect_all`), to reuse across sweeps.
    burnout_speed_m_s
        Every interceptor at this burnout speed, or each battery at its own
        ((n_batteries,)); the observation's tables must hold them (see
        `observe`'s ``speeds``).
    extra_tracks_s
        Launch and guidance tracks from elsewhere (a data link's), each
        (n_draws, n_threats, n_batteries), s; NaN none. Taken where earlier
        than the batteries' own (their source is then -1).
    details
        False: windows hold only `engageable` and `launch_margin_s` (the
        fast path for many draws; `securityroof.core.engagement.engage_draws`).
    """
    prepared = observation.prepared
    scenario = prepared.scenario
    if draws is None:
        draws = prepared.space.case_vector(scenario.threat_case, scenario.defence_case)
    trajectory, detections = detected if detected is not None else detect_all(observation, draws)
    fire_control = detections.fire_control_s
    launch, launch_source = track_times(prepared.launch_mask, fire_control)
    guide, guide_source = track_times(prepared.guide_mask, fire_control)
    assumed = assumed_track_s
    if assumed is None:
        assumed = scenario.assumptions.fire_control_at_s
    if assumed is not None:
        value = np.asarray(assumed, dtype=np.float64)
        if value.ndim == 1:
            value = value[None, :, None]
        elif value.ndim == 2:
            value = value[:, :, None]
        value = np.broadcast_to(value, launch.shape)
        for times, source in ((launch, launch_source), (guide, guide_source)):
            later = np.isnan(times) | (times > value)
            later &= np.isfinite(value)
            times[later] = value[later]
            source[later] = -1
    if extra_tracks_s is not None:
        for times, source, extra in (
            (launch, launch_source, extra_tracks_s[0]),
            (guide, guide_source, extra_tracks_s[1]),
        ):
            earlier = np.isfinite(extra) & ~(times <= extra)
            times[earlier] = extra[earlier]
            source[earlier] = -1
    params = prepared.battery_parameters(draws)
    params[..., DELAY_S] += extra_delay_s
    if burnout_speed_m_s is not None:
        params[..., BURNOUT_SPEED_M_S] = burnout_speed_m_s
    windows = engage_draws(
        observation.battery_lines,
        observation.times_s,
        prepared.battery_type,
        observation.tables,
        trajectory,
        launch,
        guide,
        params,
        details=details,
    )
    return Evaluation(trajectory, detections, launch, launch_source, guide, guide_source, windows)


# ---------------------------------------------------------------------------
# The whole chain at the scenario's case, with records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EngagementRecord:
    """One threat against one battery; times in seconds after the threat's launch."""

    threat: str
    site: str
    interceptor: str
    engageable: bool
    first_intercept_s: float | None
    last_intercept_s: float | None
    intercept_altitude_m: tuple[float, float] | None
    intercept_ground_range_m: float | None
    closing_speed_m_s: float | None
    engagement_angle_deg: float | None
    shots: int
    reason: str
    launch_track_s: float | None
    track_source: str | None  # the sensor site whose track the launch used ("assumed")
    guidance_track_s: float | None
    guidance_source: str | None
    launch_margin_s: float | None  # >= 0 when engageable; how late the launch track was if not


@dataclass(frozen=True)
class EngagementResult:
    """Everything `roof engage` computed, plain arrays and records (one draw)."""

    scenario: Scenario
    prepared: Prepared
    observation: Observation
    threats: list[Threat]
    batteries: list[Battery]
    sensors: list[SensorPlacement]
    flights: FlightArrays  # one trajectory per threat, in threat order
    times_s: np.ndarray
    detections: DetectionArrays  # (n_threats, n_sensors)
    launch_track_s: np.ndarray  # (n_threats, n_batteries)
    guidance_track_s: np.ndarray
    windows: EngagementArrays  # (n_threats, n_batteries)
    records: list[EngagementRecord]


def threat_flights(observation: Observation, trajectory: np.ndarray) -> FlightArrays:
    """The trajectories flown in one draw, in threat order (NaN rows for none)."""
    arrays = observation.flights.arrays
    rows = np.asarray(trajectory)
    ok = rows >= 0
    safe = np.where(ok, rows, 0)

    def take(a: np.ndarray, fill: float) -> np.ndarray:
        out = a[safe].copy()
        out[~ok] = fill
        return out

    status = arrays.status[safe].copy()
    status[~ok] = STATUS_NO_IMPACT
    return FlightArrays(
        status,
        take(arrays.burnout, np.nan),
        take(arrays.apogee, np.nan),
        take(arrays.impact, np.nan),
        np.zeros((rows.size, 0, 2)),
        take(arrays.samples, np.nan),
        np.where(ok, arrays.steps[safe], 0),
    )


def require_batteries(scenario: Scenario) -> None:
    """The error for a scenario with no interceptor battery (nothing can engage)."""
    if not any(site.interceptors for site in scenario.sites.values()):
        raise RoofError(
            "the scenario has no interceptor battery: nothing can engage.",
            where=f"{scenario.path}: sites",
            fix="Name an architecture or add sites with interceptors.",
        )


def run_engagements(scenario: Scenario, *, skip_unreachable: bool = False) -> EngagementResult:
    """Every threat of the scenario against every battery, at its capability case."""
    if not scenario.threats:
        raise RoofError(
            "the scenario has no threats.",
            where=f"{scenario.path}: threats",
            fix="Add [[threats]] (roof catalog threats lists launch and target areas).",
        )
    require_batteries(scenario)
    prepared = prepare(scenario)
    seen = observe(prepared, skip_unreachable=skip_unreachable)
    result = evaluate(seen)
    return engagement_result(seen, result)


def engagement_result(observation: Observation, evaluation: Evaluation) -> EngagementResult:
    """Records and single-draw arrays of a one-draw evaluation."""
    prepared = observation.prepared
    windows = evaluation.windows.single()
    launch = evaluation.launch_track_s[0]
    guide = evaluation.guidance_track_s[0]
    records = [
        _record(
            prepared,
            t,
            b,
            windows,
            launch,
            guide,
            evaluation.launch_source[0],
            evaluation.guidance_source[0],
        )
        for t in range(prepared.n_threats)
        for b in range(len(prepared.batteries))
    ]
    return EngagementResult(
        scenario=prepared.scenario,
        prepared=prepared,
        observation=observation,
        threats=prepared.threats,
        batteries=prepared.batteries,
        sensors=prepared.sensors,
        flights=threat_flights(observation, evaluation.trajectory[0]),
        times_s=observation.times_s,
        detections=evaluation.detections.single(),
        launch_track_s=launch,
        guidance_track_s=guide,
        windows=windows,
        records=records,
    )


def _none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _record(
    prepared: Prepared,
    t: int,
    b: int,
    windows: EngagementArrays,
    launch: np.ndarray,
    guide: np.ndarray,
    launch_source: np.ndarray,
    guide_source: np.ndarray,
) -> EngagementRecord:
    ok = bool(windows.engageable[t, b])

    def value(array: np.ndarray) -> float | None:
        return float(array[t, b]) if ok else None

    def source(index: int, time_s: float) -> str | None:
        if index >= 0:
            return prepared.sensors[index].site
        return None if np.isnan(time_s) else "assumed"

    angle = windows.engagement_angle[t, b]
    return EngagementRecord(
        threat=prepared.threats[t].name,
        site=prepared.batteries[b].site,
        interceptor=prepared.batteries[b].interceptor,
        engageable=ok,
        first_intercept_s=value(windows.first_intercept_s),
        last_intercept_s=value(windows.last_intercept_s),
        intercept_altitude_m=(
            (float(windows.min_altitude_m[t, b]), float(windows.max_altitude_m[t, b]))
            if ok
            else None
        ),
        intercept_ground_range_m=value(windows.first_ground_range_m),
        closing_speed_m_s=value(windows.closing_speed_m_s),
        engagement_angle_deg=math.degrees(float(angle)) if ok else None,
        shots=int(windows.shots[t, b]),
        reason=REASON_TEXT[int(windows.reason[t, b])],
        launch_track_s=_none(launch[t, b]),
        track_source=source(int(launch_source[t, b]), float(launch[t, b])),
        guidance_track_s=_none(guide[t, b]),
        guidance_source=source(int(guide_source[t, b]), float(guide[t, b])),
        launch_margin_s=_none(windows.launch_margin_s[t, b]),
    )


def case_sensor_arrays(prepared: Prepared, draw: np.ndarray) -> SensorArrays:
    """The sensors with one draw's values (for per-sample simulation, e.g. the exercise)."""
    p = prepared.sensor_parameters(draw[None] if draw.ndim == 1 else draw)[0]
    base = prepared.sensor_arrays
    return SensorArrays(
        position_ecef_m=base.position_ecef_m,
        kind=base.kind,
        boresight=base.boresight,
        half_width=p[:, HALF_WIDTH],
        min_elevation=p[:, MIN_ELEVATION],
        max_elevation=p[:, MAX_ELEVATION],
        reference_range_m=np.where(base.kind == KIND_INFRARED, np.inf, p[:, RANGE_PER_ROOT_RCS]),
        reference_rcs_m2=np.ones(len(prepared.sensors)),
        track_delay_s=p[:, TRACK_DELAY_S],
        band=base.band,
        min_plume_altitude_m=p[:, MIN_PLUME_ALTITUDE_M],
        detection_delay_s=p[:, DETECTION_DELAY_S],
    )
