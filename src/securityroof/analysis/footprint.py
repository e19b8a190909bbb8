"""Defended footprints: which aim points an architecture defends, against what.

For every threat configuration (a launch area, a missile, a trajectory shape)
a fan of trajectories is flown toward the region: azimuths across the
region as seen from the launch area, ranges from the nearest to the farthest
cell (or the missile's reach), spaced by the grid resolution in range and,
at each range, across. Guidance per range comes from a one-dimensional table
along the fan's central azimuth (minimum energy: thrust cutoff at the
range-maximising kick; lofted/depressed: all stages burnt, kick on that
branch); the impact points are those actually flown, so the small azimuth
dependence of the guidance only moves impacts, never mislabels them.

Each grid cell (and each city) takes the result of the fan trajectory that
lands nearest to it, if one lands within 1.5 grid steps; a cell farther than
the missile's reach is not threatened by that configuration. So only the
trajectories landing that near a cell or city in reach matter: a sparser
pilot fan, flown without samples, shows which parts of the fan can land
there; those are flown, and the ones that do land there go through the same
chain as `roof engage` (sensors, cueing rules, reach tables, windows), by
chunks, keeping only per-trajectory summaries. Leaving out the others
changes no result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial import cKDTree

from securityroof.analysis.distributed import run_chunks
from securityroof.analysis.engagement import evaluate, given_flights, observe
from securityroof.analysis.grid import region_grid
from securityroof.analysis.prepare import MISSILE_CASE_U, Prepared, prepare
from securityroof.core.dynamics import VehicleArrays
from securityroof.core.flight import STATUS_IMPACT, FlightArrays, fly_boosted
from securityroof.core.geodesy import geodesic_inverse_batch
from securityroof.core.planet import Planet
from securityroof.core.targeting import KICK_GRID, Launch, impacts_of, max_range
from securityroof.data.cities import cities_in_region
from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario

# Europe and European Russia (degrees): lat min, lat max, lon min, lon max.
DEFAULT_REGION = (34.0, 72.0, -12.0, 60.0)
CHUNK = 2_000
MEMORY_LIMIT_BYTES = 4e9  # refuse grids whose results alone would pass this
BYTES_PER_CELL_AND_CONFIG = 40
CITY_MIN_POPULATION = 100_000
# The pilot fan (`_worth_flying`): one trajectory every PILOT_STEPS fan steps
# across a range row, and at least one every PILOT_MAX_TURN rad of azimuth.
PILOT_STEPS = 6
PILOT_MAX_TURN = 0.5


@dataclass(frozen=True)
class ThreatConfig:
    launch_area: str
    missile: str
    shape: str


@dataclass(frozen=True)
class City:
    name: str
    country: str  # ISO 3166 code, from GeoNames
    lat_deg: float
    lon_deg: float
    population: float
    threatened: bool
    defended: bool  # threatened and defended against every configuration reaching it


@dataclass(frozen=True)
class FootprintResult:
    """Grid results; arrays are (n_configs, n_lat, n_lon) unless noted."""

    scenario: Scenario
    region: tuple[float, float, float, float]
    resolution_deg: float
    lat_deg: np.ndarray  # (n_lat,) cell centres
    lon_deg: np.ndarray  # (n_lon,)
    configs: list[ThreatConfig]
    threatened: np.ndarray  # bool
    defended: np.ndarray  # bool
    shots: np.ndarray  # int: opportunities summed over batteries
    sites: np.ndarray  # int64 bit mask over `batteries`
    batteries: list[str]  # "site/interceptor"
    fan_trajectories: int
    cities: list[City]

    @property
    def defended_everywhere(self) -> np.ndarray:
        """(n_lat, n_lon): threatened, and defended against every configuration that reaches it."""
        threatened = self.threatened.any(axis=0)
        undefended = (self.threatened & ~self.defended).any(axis=0)
        return threatened & ~undefended


def _configs(scenario: Scenario) -> list[ThreatConfig]:
    """Threat configurations from regional launch areas: footprints show the
    defence against regional threats (strategic forces are the stability
    analysis's subject)."""
    seen: dict[ThreatConfig, None] = {}
    for threat in scenario.threats:
        if threat.launch_area is None or threat.threat_class != "regional":
            continue
        seen[ThreatConfig(threat.launch_area, threat.missile, threat.shape)] = None
    if not seen:
        raise RoofError(
            "no threat of the scenario starts from a regional catalog launch area.",
            where=f"{scenario.path}: threats",
            fix='Give threats with from = "<launch area>" (roof catalog threats).',
        )
    return list(seen)


def _guidance_table(vehicle, planet, launch, azimuth, shape, drag):
    """Ranges (m), the (kick, cutoff) that reach them along one azimuth, and
    the longest flight time (s) among those table trajectories."""
    full = vehicle.full_burn_s
    if shape == "minimum-energy":
        t_min = min(vehicle.vertical_rise_s + vehicle.pitch_over_s + 1.0, 0.5 * full)
        cutoffs = np.linspace(t_min, full, 40)
        kk, cc = np.meshgrid(KICK_GRID, cutoffs)
        flight = fly_boosted(
            vehicle,
            planet,
            launch.lat,
            launch.lon,
            0.0,
            azimuth,
            kk.ravel(),
            cutoff_s=cc.ravel(),
            drag=drag,
        )
        ranges = impacts_of(flight, launch, planet).range_m.reshape(kk.shape)
        ranges = np.where(np.isfinite(ranges), ranges, -np.inf)
        best = ranges.argmax(axis=1)
        table_range = ranges[np.arange(len(cutoffs)), best]
        kicks = KICK_GRID[best]
        order = np.argsort(table_range)
        times = flight.impact_time_s.reshape(kk.shape)[np.arange(len(cutoffs)), best]
        longest = float(np.nanmax(np.where(np.isfinite(table_range), times, np.nan)))
        return table_range[order], kicks[order], cutoffs[order], longest
    flight = fly_boosted(
        vehicle, planet, launch.lat, launch.lon, 0.0, azimuth, KICK_GRID, drag=drag
    )
    ranges = impacts_of(flight, launch, planet).range_m
    ranges = np.where(np.isfinite(ranges), ranges, -np.inf)
    peak = int(np.argmax(ranges))
    branch = np.arange(0, peak + 1) if shape == "lofted" else np.arange(peak, len(ranges))
    r, k = ranges[branch], KICK_GRID[branch]
    keep = np.isfinite(r)
    order = np.argsort(r[keep])
    longest = float(np.nanmax(flight.impact_time_s[branch][keep])) if keep.any() else 0.0
    return r[keep][order], k[keep][order], np.full(order.size, np.inf), longest


@dataclass(frozen=True)
class _Fan:
    """Fan trajectories by range rows: row ``i`` flies `kick` and `cutoff_s`
    ``[i]``, which reach `ranges_m` ``[i]`` along the central azimuth, at
    launch azimuths spread evenly from `az_lo` to `az_hi` (rad). Trajectory
    ``j`` lies in row `row` ``[j]``, at `across` ``[j]`` (0 to 1) along it."""

    vehicle: VehicleArrays
    planet: Planet
    launch: Launch
    drag: bool
    az_lo: float
    az_hi: float
    ranges_m: np.ndarray
    kick: np.ndarray
    cutoff_s: np.ndarray
    row: np.ndarray
    across: np.ndarray
    horizon_s: float  # past every flight: where their samples may stop

    def fly(self, row: np.ndarray, across: np.ndarray, **samples) -> FlightArrays:
        """Fly the trajectories at `row` and `across` (samples: see `fly_boosted`)."""
        launch = self.launch
        azimuth = self.az_lo + across * (self.az_hi - self.az_lo)
        return fly_boosted(
            self.vehicle,
            self.planet,
            launch.lat,
            launch.lon,
            0.0,
            azimuth,
            self.kick[row],
            cutoff_s=self.cutoff_s[row],
            drag=self.drag,
            **samples,
        )


def _spread(per_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row, and place across it (0 to 1, evenly), of ``per_row[i]`` (>= 2)
    points in each row ``i``, row after row."""
    row = np.repeat(np.arange(per_row.size), per_row)
    first = np.cumsum(per_row) - per_row
    return row, (np.arange(row.size) - first[row]) / (per_row[row] - 1)


def _fan(vehicle, planet, launch, shape, centre_az, azimuths, distances, step_m, drag):
    """The fan toward the cells at `azimuths` and `distances` (see `_Fan`),
    or None if the shape cannot reach them."""
    ranges_tab, kicks_tab, cutoffs_tab, longest_s = _guidance_table(
        vehicle, planet, launch, centre_az, shape, drag
    )
    if ranges_tab.size < 2:
        return None
    relative = (azimuths - centre_az + math.pi) % (2 * math.pi) - math.pi
    az_lo, az_hi = relative.min() - 0.02, relative.max() + 0.02
    r_lo = max(float(ranges_tab[0]), float(distances.min()) - 2 * step_m)
    r_hi = min(float(ranges_tab[-1]), float(distances.max()) + 2 * step_m)
    if r_hi <= r_lo:
        return None
    n_range = max(2, math.ceil((r_hi - r_lo) / step_m) + 1)
    fan_ranges = np.linspace(r_lo, r_hi, n_range)
    if shape == "minimum-energy":
        cutoffs = np.interp(fan_ranges, ranges_tab, cutoffs_tab)
    else:
        cutoffs = np.full(n_range, np.inf)
    # Each range its own azimuths, one step apart across at that range: a
    # common set, spaced for the farthest range, would crowd the near ones.
    # Range-major, so that a chunk holds flights of similar duration (few
    # samples after the chunk's last impact, see `_near_landings`).
    n_az = np.maximum(2, np.ceil((az_hi - az_lo) * fan_ranges / step_m).astype(np.int64) + 1)
    row, across = _spread(n_az)
    return _Fan(
        vehicle=vehicle,
        planet=planet,
        launch=launch,
        drag=drag,
        az_lo=centre_az + az_lo,
        az_hi=centre_az + az_hi,
        ranges_m=fan_ranges,
        kick=np.interp(fan_ranges, ranges_tab, kicks_tab),
        cutoff_s=cutoffs,
        row=row,
        across=across,
        # The fan's kicks and cutoffs lie within the table's; azimuth changes
        # the flight time by a few percent at most (Earth rotation).
        horizon_s=1.2 * longest_s + 60.0,
    )


def _impact_units(flight: FlightArrays) -> np.ndarray:
    """(n, 3) unit vectors toward the impact points; NaN where a trajectory does not land."""
    landed = flight.status == STATUS_IMPACT
    xyz = np.where(landed[:, None], flight.impact_position_ecef_m, np.nan)
    return xyz / np.linalg.norm(xyz, axis=1)[:, None]


def _target_gaps(targets: cKDTree, units: np.ndarray, bound: float = np.inf) -> np.ndarray:
    """Chord from each unit vector to the nearest target: inf beyond `bound`, NaN for NaN rows."""
    gap = np.full(units.shape[0], np.nan)
    ok = np.isfinite(units[:, 0])
    gap[ok] = targets.query(units[ok], distance_upper_bound=bound)[0]
    return gap


def _worth_flying(fan: _Fan, targets: cKDTree, match_angle: float, step_m: float) -> np.ndarray:
    """Which fan trajectories may land within `match_angle` of a target,
    judged from a sparser pilot fan flown without samples.

    Between two neighbouring pilots of a row the row's impacts follow a
    short, nearly straight curve, each within the chord between the two
    pilot impacts of both: it can land within `match_angle` of a target only
    if one of the pilots lands within `match_angle` plus that chord. A pilot
    that does not land keeps its neighbours.
    """
    span = fan.az_hi - fan.az_lo
    per_row = 1 + np.maximum(
        np.ceil(span * fan.ranges_m / (PILOT_STEPS * step_m)), math.ceil(span / PILOT_MAX_TURN)
    ).astype(np.int64)
    if 3 * per_row.sum() > fan.row.size:  # hardly sparser than the fan: fly it all
        return np.ones(fan.row.size, dtype=bool)
    units = _impact_units(fan.fly(*_spread(per_row)))
    gap = _target_gaps(targets, units)
    chord = np.linalg.norm(np.diff(units, axis=0), axis=1)
    live = ~(np.minimum(gap[:-1], gap[1:]) > match_angle + chord)  # NaN (not landed): live
    n = per_row[fan.row]
    first = np.cumsum(per_row)[fan.row] - n
    return live[first + np.minimum((fan.across * (n - 1)).astype(np.int64), n - 2)]


def _near_landings(flight: FlightArrays, targets: cKDTree, match_angle: float, dt: float):
    """The trajectories of a chunk that land within `match_angle` of a target,
    their samples cut after the last of their impacts.

    Only these can be the nearest fan impact within `match_angle` of a
    target; the matching drops the others, so flying them through the
    engagement chain would change no result.
    """
    gap = _target_gaps(targets, _impact_units(flight), np.nextafter(match_angle, np.inf))
    rows = np.nonzero(gap <= match_angle)[0]
    last_s = float(flight.impact_time_s[rows].max(initial=0.0))
    n_samples = min(flight.samples.shape[1], math.floor(last_s / dt) + 2)
    near = flight.rows(rows)
    return replace(near, samples=near.samples[:, :n_samples])


def _fly_fan(
    prepared: Prepared,
    fan: _Fan,
    missile_id: str,
    targets: cKDTree,
    match_angle: float,
    step_m: float,
):
    """Fly a fan by chunks through the engagement chain; return a KD-tree of
    the impact points within `match_angle` of a target (unit vectors of the
    grid cells and cities in reach) and, per such trajectory, defended, shots
    and the bit mask of the engaging batteries (None if there is none)."""
    scenario = prepared.scenario
    dt = scenario.assumptions.sample_interval_s
    n_b = len(prepared.batteries)
    bit_values = 1 << np.arange(n_b, dtype=np.int64)
    missile_index = prepared.missiles.index(missile_id)
    u = MISSILE_CASE_U[scenario.threat_case]
    worth = _worth_flying(fan, targets, match_angle, step_m)
    rows, across = fan.row[worth], fan.across[worth]
    impacts, defended, shots, sites = [], [], [], []
    for start in range(0, rows.size, CHUNK):
        part = (rows[start : start + CHUNK], across[start : start + CHUNK])
        flight = fan.fly(*part, sample_dt_s=dt, sample_until_s=fan.horizon_s)
        last = float(np.nanmax(flight.impact_time_s))
        if last > fan.horizon_s:  # a longer flight than the table's: sample all of it
            flight = fan.fly(*part, sample_dt_s=dt, sample_until_s=last + dt)
        flight = _near_landings(flight, targets, match_angle, dt)
        if flight.status.size == 0:
            continue
        times = np.arange(flight.samples.shape[1]) * dt
        seen = observe(
            prepared,
            flights=given_flights(flight, times, u),
            missile_of=np.full(flight.status.size, missile_index, dtype=np.int64),
            skip_unreachable=True,
        )
        windows = evaluate(seen).windows.single()
        impacts.append(_impact_units(flight))
        defended.append(windows.engageable.any(axis=1))
        shots.append(windows.shots.sum(axis=1))
        sites.append((windows.engageable * bit_values).sum(axis=1))
    if not impacts:
        return None
    tree = cKDTree(np.concatenate(impacts))
    return tree, np.concatenate(defended), np.concatenate(shots), np.concatenate(sites)


def _unit(lat_r, lon_r):
    """Unit vectors of points given by latitude and longitude (rad)."""
    return np.stack(
        [np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)], axis=-1
    )


def _nearest(tree, match_angle, lat_r, lon_r):
    """Whether a fan impact lies within `match_angle` (rad) of each point, and which."""
    gap, index = tree.query(_unit(lat_r, lon_r).reshape(-1, 3))
    return gap.reshape(lat_r.shape) <= match_angle, index.reshape(lat_r.shape)


@dataclass(frozen=True)
class _ConfigTask:
    """One threat configuration's footprint: a unit of work for a worker."""

    prepared: Prepared  # prepared once for all the tasks
    config: ThreatConfig
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    city_lat: np.ndarray  # rad
    city_lon: np.ndarray  # rad
    step_m: float


@dataclass(frozen=True)
class _ConfigResult:
    threatened: np.ndarray
    defended: np.ndarray
    shots: np.ndarray
    sites: np.ndarray
    fan_trajectories: int
    city_threatened: np.ndarray
    city_defended: np.ndarray  # among the threatened cities


def _config_footprint(task: _ConfigTask) -> _ConfigResult:
    """Fly one configuration's fan and map it onto the grid and the cities.

    A top-level function of picklable arguments, so that Dask workers can run it.
    """
    prepared, config = task.prepared, task.config
    scenario = prepared.scenario
    a = scenario.assumptions
    planet = prepared.planet
    grid_lat, grid_lon = np.meshgrid(
        np.radians(task.lat_deg), np.radians(task.lon_deg), indexing="ij"
    )
    shape = grid_lat.shape
    empty = _ConfigResult(
        threatened=np.zeros(shape, dtype=bool),
        defended=np.zeros(shape, dtype=bool),
        shots=np.zeros(shape, dtype=np.int64),
        sites=np.zeros(shape, dtype=np.int64),
        fan_trajectories=0,
        city_threatened=np.zeros(task.city_lat.shape, dtype=bool),
        city_defended=np.zeros(task.city_lat.shape, dtype=bool),
    )
    catalog = scenario.catalog
    area = catalog.launch_areas[config.launch_area]
    missile = catalog.missiles.missile(config.missile)
    vehicle = missile.vehicle(catalog.missiles.drag_tables, scenario.threat_case)
    launch = Launch(math.radians(area.lat_deg.nominal), math.radians(area.lon_deg.nominal))
    distance, azimuth, _ = geodesic_inverse_batch(
        launch.lat, launch.lon, grid_lat, grid_lon, planet.a_m, planet.f
    )
    centre_az = math.atan2(np.sin(azimuth).mean(), np.cos(azimuth).mean())
    reach, _ = max_range(vehicle, planet, launch, centre_az, drag=a.drag)
    near = distance <= reach
    if not near.any():
        return empty
    fan = _fan(
        vehicle,
        planet,
        launch,
        config.shape,
        centre_az,
        azimuth[near],
        distance[near],
        task.step_m,
        a.drag,
    )
    if fan is None:
        return empty
    d_city, _, _ = geodesic_inverse_batch(
        launch.lat, launch.lon, task.city_lat, task.city_lon, planet.a_m, planet.f
    )
    city_near = d_city <= reach
    targets = cKDTree(
        np.concatenate(
            [
                _unit(grid_lat[near], grid_lon[near]),
                _unit(task.city_lat[city_near], task.city_lon[city_near]),
            ]
        )
    )
    match_angle = 1.5 * task.step_m / planet.a_m
    flown = _fly_fan(prepared, fan, config.missile, targets, match_angle, task.step_m)
    if flown is None:
        return replace(empty, fan_trajectories=fan.row.size)
    tree, fan_defended, fan_shots, fan_sites = flown
    hit, index = _nearest(tree, match_angle, grid_lat, grid_lon)
    hit &= near
    city_hit, city_index = _nearest(tree, match_angle, task.city_lat, task.city_lon)
    city_hit &= city_near
    return _ConfigResult(
        threatened=hit,
        defended=hit & fan_defended[index],
        shots=np.where(hit, fan_shots[index], 0),
        sites=np.where(hit, fan_sites[index], 0),
        fan_trajectories=fan.row.size,
        city_threatened=city_hit,
        city_defended=city_hit & fan_defended[city_index],
    )


def analyse_footprint(
    scenario: Scenario,
    *,
    resolution_deg: float = 1.0,
    region: tuple[float, float, float, float] = DEFAULT_REGION,
    cluster: str | None = None,
) -> FootprintResult:
    """Defended footprint of the scenario's architecture against its threat configurations.

    Each configuration is one task: run here on all cores (the kernels are
    parallel), or on the Dask cluster at `cluster`, with the same results.
    """
    lat, lon = region_grid(region, resolution_deg)
    configs = _configs(scenario)
    n_lat, n_lon = lat.size, lon.size
    needed = n_lat * n_lon * len(configs) * BYTES_PER_CELL_AND_CONFIG
    if needed > MEMORY_LIMIT_BYTES:
        coarser = resolution_deg * math.sqrt(needed / MEMORY_LIMIT_BYTES) * 1.1
        raise RoofError(
            f"a {resolution_deg:g} degree grid has {n_lat * n_lon:,} cells: its results would "
            f"need about {needed / 1e9:,.1f} GB.",
            parameter="resolution_deg",
            fix=f"Use a resolution of {coarser:.3g} degrees or coarser, or a smaller region.",
        )
    prepared = prepare(scenario)
    planet = prepared.planet
    if not prepared.sensors:
        raise RoofError(
            "the scenario has no sensors: nothing can be tracked, so nothing is defended.",
            where=str(scenario.path),
        )
    batteries = prepared.batteries
    if not batteries:
        raise RoofError(
            "the scenario has no interceptor battery: nothing can be defended.",
            where=str(scenario.path),
            fix="Name an architecture or add sites with interceptors.",
        )
    if len(batteries) > 63:
        raise RoofError("at most 63 interceptor batteries fit a footprint's site masks.")
    city_lat, city_lon, city_pop, city_country, city_name = cities_in_region(
        region, CITY_MIN_POPULATION
    )
    # One fan trajectory per cell spacing in range and across: each cell gets
    # the trajectory landing nearest to it, at most about 0.7 cell away.
    step_m = resolution_deg * math.pi / 180.0 * planet.a_m
    tasks = [
        _ConfigTask(prepared, config, lat, lon, city_lat, city_lon, step_m) for config in configs
    ]
    parts = run_chunks(_config_footprint, tasks, cluster=cluster)
    city_threatened = np.zeros(city_lat.shape, dtype=bool)
    city_undefended = np.zeros(city_lat.shape, dtype=bool)
    for part in parts:
        city_threatened |= part.city_threatened
        city_undefended |= part.city_threatened & ~part.city_defended
    cities = [
        City(
            name=str(city_name[i]),
            country=str(city_country[i]),
            lat_deg=float(np.degrees(city_lat[i])),
            lon_deg=float(np.degrees(city_lon[i])),
            population=float(city_pop[i]),
            threatened=bool(city_threatened[i]),
            defended=bool(city_threatened[i] and not city_undefended[i]),
        )
        for i in range(city_lat.size)
    ]
    return FootprintResult(
        scenario=scenario,
        region=region,
        resolution_deg=resolution_deg,
        lat_deg=lat,
        lon_deg=lon,
        configs=configs,
        threatened=np.stack([p.threatened for p in parts]),
        defended=np.stack([p.defended for p in parts]),
        shots=np.stack([p.shots for p in parts]),
        sites=np.stack([p.sites for p in parts]),
        batteries=[f"{b.site}/{b.interceptor}" for b in batteries],
        fan_trajectories=sum(p.fan_trajectories for p in parts),
        cities=cities,
    )


def cueing_variants(scenario: Scenario) -> list[tuple[str, Scenario]]:
    """The scenario with its cueing rules varied across the NATO/Russia line.

    What Russian sensors add to NATO interceptors, and the other way round:
    each side on its own sensors (tracks within each party), Russian tracks
    passed to NATO parties only, NATO tracks passed to Russia only, and
    tracks passed across every party line.
    """
    parties = scenario.catalog.parties
    nato = [p for p in scenario.parties if parties[p].nato]
    others = [p for p in scenario.parties if not parties[p].nato]
    to_nato = frozenset((o, n) for o in others for n in nato)
    to_others = frozenset((n, o) for o in others for n in nato)
    return [
        (
            "each party on its own sensors",
            replace(scenario, cueing="within-party", cueing_pairs=frozenset()),
        ),
        (
            "non-NATO sensors cue NATO interceptors",
            replace(scenario, cueing="within-party", cueing_pairs=to_nato),
        ),
        (
            "NATO sensors cue non-NATO interceptors",
            replace(scenario, cueing="within-party", cueing_pairs=to_others),
        ),
        ("tracks shared across every party", replace(scenario, cueing="across-parties")),
    ]
