"""From a scenario to engagement windows: fly the threats, see them with the
sensors, apply the cueing rules, and find each site's window against each
threat.

Chain per (threat, interceptor site), following the issue and the open
literature's timeline models: detection -> track (own or cued) ->
fire-control solution -> decision and launch delay -> flyout.

Cueing: a sensor whose party may pass tracks to the site's party (the
scenario's cueing rules) can (a) give a fire-control solution directly if it
is fire-control capable ("launch on remote"), or (b) cue a fire-control
sensor, which then forms its track as soon as it sees the threat: the cue
removes its own track-formation delay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from securityroof.core.earth import geodetic_to_ecef_batch
from securityroof.core.engagement import REASON_TEXT, EngagementArrays, SiteArrays, engage
from securityroof.core.flight import (
    STATUS_IMPACT,
    STATUS_NO_IMPACT,
    FlightArrays,
    IntegratorSettings,
    VehicleArrays,
    fly_boosted,
)
from securityroof.core.planet import Planet
from securityroof.core.reach import ReachError, ReachTable, build_reach_table
from securityroof.core.sensors import DetectionArrays, SensorArrays, detect
from securityroof.core.targeting import Guidance, Launch, TargetingError, aim
from securityroof.errors import RoofError
from securityroof.model.defence import Interceptor, SensorType
from securityroof.model.quantity import Case, Quantity
from securityroof.model.scenario import Scenario, Threat

# Reach tables share one grid so the kernel can stack them.
REACH_GRID = (160, 120)


@dataclass(frozen=True)
class Battery:
    """One interceptor type at one site: the unit an engagement is computed for."""

    site: str
    party: str
    host: str | None
    interceptor: str
    count: int


@dataclass(frozen=True)
class SensorPlacement:
    site: str
    party: str
    type: str


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
    shots: int
    reason: str
    fire_control_s: float | None
    track_source: str | None  # the sensor site whose track the launch used


@dataclass(frozen=True)
class EngagementResult:
    """Everything `roof engage` computed, plain arrays and records."""

    scenario: Scenario
    threats: list[Threat]
    batteries: list[Battery]
    sensors: list[SensorPlacement]
    flights: FlightArrays
    times_s: np.ndarray
    detections: DetectionArrays
    fire_control_s: np.ndarray  # (n_threats, n_batteries)
    windows: EngagementArrays
    records: list[EngagementRecord]


def scenario_planet(scenario: Scenario) -> Planet:
    """The Earth model the scenario's assumptions ask for."""
    a = scenario.assumptions
    return Planet.build(a.earth, rotating=a.rotating, j2=True)


def site_position_ecef(scenario: Scenario, site_id: str, planet: Planet) -> np.ndarray:
    """ECEF position (m) of a scenario site at the scenario's case."""
    site = scenario.sites[site_id]
    altitude = site.altitude_m.value(scenario.case) if site.altitude_m else 0.0
    x, y, z = geodetic_to_ecef_batch(
        math.radians(site.lat_deg.nominal),
        math.radians(site.lon_deg.nominal),
        altitude,
        planet.a_m,
        planet.f,
    )
    return np.array([float(x), float(y), float(z)])


def fly_threats(
    scenario: Scenario, planet: Planet, dt_s: float, *, skip_unreachable: bool = False
) -> tuple[FlightArrays, np.ndarray]:
    """Aim every threat, then fly them all with samples every dt_s.

    Returns the flights (in scenario threat order) and the sample times. A
    threat whose aim point is out of reach is an error, or, with
    `skip_unreachable`, a row of NaN samples with status STATUS_NO_IMPACT
    (sweeps over catalog cases use this: a weaker missile may not reach).
    """
    catalog = scenario.catalog
    guidance: list[tuple[VehicleArrays, Launch, Guidance | None]] = []
    horizon = 0.0
    for threat in scenario.threats:
        missile = catalog.missiles.missile(threat.missile)
        vehicle = missile.vehicle(catalog.missiles.drag_tables, scenario.case)
        launch = Launch(
            math.radians(threat.launch_lat_deg),
            math.radians(threat.launch_lon_deg),
            epoch_s=threat.launch_time_s,
        )
        try:
            solution = aim(
                vehicle,
                planet,
                launch,
                math.radians(threat.target_lat_deg),
                math.radians(threat.target_lon_deg),
                shape=threat.shape,
                drag=scenario.assumptions.drag,
            )
        except TargetingError as exc:
            if skip_unreachable:
                guidance.append((vehicle, launch, None))
                continue
            raise RoofError(
                f"threat {threat.name!r}: {exc}.", where=f"{scenario.path}: threats"
            ) from None
        guidance.append((vehicle, launch, solution.guidance))
        horizon = max(horizon, float(solution.flight.impact[0, 0]))
    n_samples = math.ceil(horizon / dt_s) + 2
    times = np.arange(n_samples) * dt_s
    samples = np.full((len(guidance), n_samples, 6), np.nan)
    status = np.full(len(guidance), STATUS_NO_IMPACT, dtype=np.int8)
    burnout = np.full((len(guidance), 7), np.nan)
    apogee = np.full((len(guidance), 8), np.nan)
    impact = np.full((len(guidance), 7), np.nan)
    steps = np.zeros(len(guidance), dtype=np.int64)
    # One batch per missile type (the kernel flies one vehicle per call).
    by_missile: dict[str, list[int]] = {}
    for i, threat in enumerate(scenario.threats):
        if guidance[i][2] is not None:
            by_missile.setdefault(threat.missile, []).append(i)
    for indices in by_missile.values():
        vehicle = guidance[indices[0]][0]
        aims = [g for i in indices if (g := guidance[i][2]) is not None]
        flight = fly_boosted(
            vehicle,
            planet,
            np.array([guidance[i][1].lat for i in indices]),
            np.array([guidance[i][1].lon for i in indices]),
            0.0,
            np.array([g.azimuth for g in aims]),
            np.array([g.kick for g in aims]),
            cutoff_s=np.array([g.cutoff_s for g in aims]),
            epoch_s=np.array([guidance[i][1].epoch_s for i in indices]),
            drag=scenario.assumptions.drag,
            sample_dt_s=dt_s,
            sample_until_s=float(times[-1]),
            settings=IntegratorSettings(),
        )
        samples[indices] = flight.samples
        status[indices] = flight.status
        burnout[indices] = flight.burnout
        apogee[indices] = flight.apogee
        impact[indices] = flight.impact
        steps[indices] = flight.steps
    flights = FlightArrays(
        status, burnout, apogee, impact, np.zeros((len(guidance), 0, 2)), samples, steps
    )
    return flights, times


def scenario_sensor_arrays(
    scenario: Scenario, planet: Planet
) -> tuple[SensorArrays | None, list[SensorPlacement]]:
    parts = []
    placements = []
    case = scenario.case
    for site_id, site in scenario.sites.items():
        position = site_position_ecef(scenario, site_id, planet)[None, :]
        for mount in site.sensors:
            kind: SensorType = scenario.sensor_types[mount.type]
            track = _less(kind.track_delay_s, case)
            if kind.kind == "radar":
                assert kind.detection_range_km and kind.reference_rcs_m2
                assert kind.azimuth_half_width_deg and kind.min_elevation_deg
                assert kind.max_elevation_deg
                parts.append(
                    SensorArrays.radars(
                        position,
                        reference_range_m=_more(kind.detection_range_km, case) * 1e3,
                        # The reference RCS defines the range; it is no capability.
                        reference_rcs_m2=kind.reference_rcs_m2.nominal,
                        boresight=math.radians(mount.boresight_deg),
                        half_width=math.radians(_more(kind.azimuth_half_width_deg, case)),
                        min_elevation=math.radians(_less(kind.min_elevation_deg, case)),
                        max_elevation=math.radians(_more(kind.max_elevation_deg, case)),
                        track_delay_s=track,
                        fire_control=kind.fire_control,
                    )
                )
            else:
                assert kind.min_plume_altitude_km is not None
                delay = _less(kind.detection_delay_s, case) if kind.detection_delay_s else 0.0
                parts.append(
                    SensorArrays.infrared_satellites(
                        position,
                        min_plume_altitude_m=_less(kind.min_plume_altitude_km, case) * 1e3,
                        detection_delay_s=delay,
                        track_delay_s=track,
                        fire_control=kind.fire_control,
                    )
                )
            placements.append(SensorPlacement(site_id, site.party, mount.type))
    if not parts:
        return None, placements
    return SensorArrays.concat(*parts), placements


def threat_rcs(scenario: Scenario) -> np.ndarray:
    values = []
    for threat in scenario.threats:
        if threat.rcs_m2 is not None:
            values.append(threat.rcs_m2)
            continue
        missile = scenario.catalog.missiles.missile(threat.missile)
        if missile.radar_cross_section_m2 is None:
            raise RoofError(
                f"missile {threat.missile!r} has no radar cross-section in the catalog.",
                where=f"{scenario.path}: threats",
                fix="Give rcs_m2 in the threat.",
            )
        values.append(missile.radar_cross_section_m2.value(scenario.case))
    return np.array(values)


def fire_control_times(
    scenario: Scenario,
    detections: DetectionArrays,
    sensors: list[SensorPlacement],
    batteries: list[Battery],
) -> tuple[np.ndarray, np.ndarray]:
    """(n_threats, n_batteries) earliest fire-control time, and which sensor gave it.

    A battery may use the sensors at its own site and those whose party may
    pass tracks to its party; a usable track from any of them cues the
    usable fire-control sensors (see the module notes). The scenario may
    assume a fire-control track at a fixed time after launch instead
    (`fire_control_at_s`), whichever comes first; such tracks have no source.
    """
    n_threats = detections.track_s.shape[0]
    best = np.full((n_threats, len(batteries)), np.nan)
    source = np.full((n_threats, len(batteries)), -1, dtype=np.int64)
    types = scenario.sensor_types
    fire_control = np.array([types[s.type].fire_control for s in sensors], dtype=bool)
    for b, battery in enumerate(batteries):
        usable = np.array(
            [s.site == battery.site or scenario.may_cue(s.party, battery.party) for s in sensors],
            dtype=bool,
        )
        if not usable.any():
            continue
        track = np.where(usable[None, :], detections.track_s, np.nan)
        cue = np.nanmin(np.where(np.isnan(track), np.inf, track), axis=1)  # earliest usable track
        for j in np.nonzero(usable & fire_control)[0]:
            own = detections.track_s[:, j]
            cued = np.maximum(detections.first_detection_s[:, j], cue)
            candidate = np.fmin(own, np.where(np.isfinite(cued), cued, np.nan))
            better = np.isnan(best[:, b]) | (candidate < best[:, b])
            better &= ~np.isnan(candidate)
            best[better, b] = candidate[better]
            source[better, b] = j
    assumed = scenario.assumptions.fire_control_at_s
    if assumed is not None:
        later = np.isnan(best) | (best > assumed)
        best[later] = assumed
        source[later] = -1
    return best, source


def _batteries(scenario: Scenario) -> list[Battery]:
    return [
        Battery(site_id, site.party, site.host, battery.type, battery.count)
        for site_id, site in scenario.sites.items()
        for battery in site.interceptors
    ]


def reach_table_for(
    interceptor: Interceptor, case: Case, planet: Planet, burnout_speed_m_s: float | None = None
) -> ReachTable:
    """The interceptor's reach table at a capability case (cached by the core).

    `burnout_speed_m_s` flies the same interceptor at another burnout speed.
    """

    speed = _more(interceptor.burnout_speed_m_s, case)
    try:
        return build_reach_table(
            speed if burnout_speed_m_s is None else burnout_speed_m_s,
            interceptor.burn_time_s.nominal,  # no clear sign: stays nominal
            _more(interceptor.max_flight_time_s, case),
            _more(interceptor.max_ground_range_km, case) * 1e3,
            _more(interceptor.max_intercept_altitude_km, case) * 1e3,
            _less(interceptor.min_intercept_altitude_km, case) * 1e3,
            n_range=REACH_GRID[0],
            n_altitude=REACH_GRID[1],
        )
    except ReachError as exc:
        raise RoofError(
            f"interceptor {interceptor.name!r} cannot be flown: {exc}",
            fix="Change its catalog or scenario values.",
        ) from None


def _less(quantity: Quantity, case: Case) -> float:
    """A value whose smaller end is the more capable one (delays, lower limits)."""
    return quantity.capability(case, larger_is_more_capable=False)


def _more(quantity: Quantity, case: Case) -> float:
    """A value whose larger end is the more capable one (ranges, speeds)."""
    return quantity.capability(case, larger_is_more_capable=True)


@dataclass(frozen=True)
class Observation:
    """The threats flown and seen once; engagement variants reuse it."""

    planet: Planet
    flights: FlightArrays
    times_s: np.ndarray
    detections: DetectionArrays
    sensors: list[SensorPlacement]
    batteries: list[Battery]


def observe(scenario: Scenario, *, skip_unreachable: bool = False) -> Observation:
    """Aim and fly every threat and let every sensor look at it.

    With `skip_unreachable`, threats out of reach are kept as empty rows
    (status not impact) instead of stopping the analysis.
    """
    planet = scenario_planet(scenario)
    dt = scenario.assumptions.sample_interval_s
    flights, times = fly_threats(scenario, planet, dt, skip_unreachable=skip_unreachable)
    if not skip_unreachable and not np.all(flights.status == STATUS_IMPACT):
        raise RoofError("a threat trajectory does not come back down.", where=str(scenario.path))
    sensor_arrays, placements = scenario_sensor_arrays(scenario, planet)
    n_threats = len(scenario.threats)
    if sensor_arrays is None:
        empty = np.full((n_threats, 0), np.nan)
        detections = DetectionArrays(
            first_visible_s=empty,
            first_detection_s=empty,
            last_visible_s=empty,
            track_s=empty,
            fire_control_s=empty,
            n_visible=np.zeros((n_threats, 0), dtype=np.int64),
            n_samples=np.zeros(n_threats, dtype=np.int64),
        )
    else:
        detections = detect(
            flights.samples,
            times,
            threat_rcs(scenario),
            sensor_arrays,
            planet.a_m,
            planet.f,
            burnout_s=flights.burnout[:, 0],
        )
    return Observation(planet, flights, times, detections, placements, _batteries(scenario))


def engagement_windows(
    scenario: Scenario,
    seen: Observation,
    *,
    burnout_speed_m_s: float | None = None,
    extra_delay_s: float = 0.0,
    interceptor: str | None = None,
) -> tuple[EngagementArrays, np.ndarray, np.ndarray]:
    """Windows of every threat against every battery, from one observation.

    `burnout_speed_m_s` replaces every interceptor's burnout speed and
    `extra_delay_s` adds to every launch delay: the knobs of the "what you
    would need to believe" sweeps; `interceptor` keeps only the batteries of
    that type (the batteries' columns are then those of that type, in order).
    Returns (windows, fire-control times, index of the sensor that gave each
    track).
    """
    batteries = [b for b in seen.batteries if interceptor in (None, b.interceptor)]
    fire_control, source = fire_control_times(scenario, seen.detections, seen.sensors, batteries)
    types = sorted({b.interceptor for b in batteries})
    tables = [
        reach_table_for(scenario.interceptors[t], scenario.case, seen.planet, burnout_speed_m_s)
        for t in types
    ]
    interceptors = [scenario.interceptors[b.interceptor] for b in batteries]
    delay = scenario.assumptions.decision_delay_s + extra_delay_s
    case = scenario.case
    positions = [site_position_ecef(scenario, b.site, seen.planet) for b in batteries]
    site_arrays = SiteArrays(
        position_ecef_m=np.array(positions).reshape(-1, 3),
        delay_s=np.array([_less(i.launch_delay_s, case) + delay for i in interceptors]),
        kill_assessment_s=np.array([_less(i.kill_assessment_s, case) for i in interceptors]),
        table=np.array([types.index(b.interceptor) for b in batteries], dtype=np.int64),
    )
    windows = engage(
        seen.flights.samples,
        seen.times_s,
        fire_control,
        site_arrays,
        tables,
        seen.planet.a_m,
        seen.planet.f,
    )
    return windows, fire_control, source


def run_engagements(scenario: Scenario) -> EngagementResult:
    """Every threat of the scenario against every interceptor battery."""
    seen = observe(scenario)
    windows, fire_control, source = engagement_windows(scenario, seen)
    records = [
        _record(threat, t, battery, b, windows, fire_control, source, seen.sensors)
        for t, threat in enumerate(scenario.threats)
        for b, battery in enumerate(seen.batteries)
    ]
    return EngagementResult(
        scenario=scenario,
        threats=list(scenario.threats),
        batteries=seen.batteries,
        sensors=seen.sensors,
        flights=seen.flights,
        times_s=seen.times_s,
        detections=seen.detections,
        fire_control_s=fire_control,
        windows=windows,
        records=records,
    )


def _record(
    threat: Threat,
    t: int,
    battery: Battery,
    b: int,
    windows: EngagementArrays,
    fire_control: np.ndarray,
    source: np.ndarray,
    placements: list[SensorPlacement],
) -> EngagementRecord:
    ok = bool(windows.engageable[t, b])

    def value(array: np.ndarray) -> float | None:
        return float(array[t, b]) if ok else None

    fc = fire_control[t, b]
    return EngagementRecord(
        threat=threat.name,
        site=battery.site,
        interceptor=battery.interceptor,
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
        shots=int(windows.shots[t, b]),
        reason=REASON_TEXT[int(windows.reason[t, b])],
        fire_control_s=None if np.isnan(fc) else float(fc),
        track_source=(
            placements[source[t, b]].site
            if source[t, b] >= 0
            else (None if np.isnan(fc) else "assumed")
        ),
    )
