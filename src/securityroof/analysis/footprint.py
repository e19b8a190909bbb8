"""Defended footprints: which aim points an architecture defends, against what.

For every threat configuration (a launch area, a missile, a trajectory shape)
a fan of trajectories is flown toward the region: azimuths across the
region as seen from the launch area, ranges from the nearest to the farthest
cell (or the missile's reach), spaced by the grid resolution.
Guidance per range comes from a one-dimensional table along the fan's
central azimuth (minimum energy: thrust cutoff at the range-maximising kick;
lofted/depressed: all stages burnt, kick on that branch); the impact points
are those actually flown, so the small azimuth dependence of the guidance
only moves impacts, never mislabels them.

Each fan trajectory goes through the same chain as `roof engage` (sensors,
cueing rules, reach tables, windows), by chunks, keeping only per-trajectory
summaries. Each grid cell (and each city) takes the result of the fan
trajectory that lands nearest to it; a cell farther than the missile's reach
is not threatened by that configuration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial import cKDTree

from securityroof.analysis.distributed import run_chunks
from securityroof.analysis.engagement import evaluate, given_flights, observe
from securityroof.analysis.prepare import MISSILE_CASE_U, Prepared, prepare
from securityroof.analysis.sharing import cities_in_region
from securityroof.core.flight import STATUS_IMPACT, fly_boosted
from securityroof.core.geodesy import geodesic_inverse_batch
from securityroof.core.targeting import KICK_GRID, Launch, impacts_of, max_range
from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario

# Europe and European Russia (degrees): lat min, lat max, lon min, lon max.
DEFAULT_REGION = (34.0, 72.0, -12.0, 60.0)
CHUNK = 2_000
MEMORY_LIMIT_BYTES = 4e9  # refuse grids whose results alone would pass this
BYTES_PER_CELL_AND_CONFIG = 40
CITY_MIN_POPULATION = 100_000


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
        times = flight.impact[:, 0].reshape(kk.shape)[np.arange(len(cutoffs)), best]
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
    longest = float(np.nanmax(flight.impact[branch, 0][keep])) if keep.any() else 0.0
    return r[keep][order], k[keep][order], np.full(order.size, np.inf), longest


def _fan(vehicle, planet, launch, shape, centre_az, azimuths, distances, step_m, drag):
    """Azimuth, kick and cutoff of every fan trajectory (arrays of one length)
    and a flight-time horizon (s) for their samples, or None if the shape
    cannot reach the cells."""
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
    n_az = max(2, math.ceil((az_hi - az_lo) * r_hi / step_m) + 1)
    fan_ranges = np.linspace(r_lo, r_hi, n_range)
    kicks = np.interp(fan_ranges, ranges_tab, kicks_tab)
    if shape == "minimum-energy":
        cutoffs = np.interp(fan_ranges, ranges_tab, cutoffs_tab)
    else:
        cutoffs = np.full(n_range, np.inf)
    az = centre_az + np.linspace(az_lo, az_hi, n_az)
    aa, rr = np.meshgrid(az, np.arange(n_range), indexing="ij")
    # The fan's kicks and cutoffs lie within the table's; azimuth changes the
    # flight time by a few percent at most (Earth rotation).
    horizon_s = 1.2 * longest_s + 60.0
    return aa.ravel(), kicks[rr.ravel()], cutoffs[rr.ravel()], horizon_s


def _fly_fan(prepared: Prepared, vehicle, launch, fan, missile_id: str):
    """Fly a fan by chunks through the engagement chain; return a KD-tree of
    the impact points and, per landed trajectory, defended, shots and the
    bit mask of the engaging batteries."""
    scenario = prepared.scenario
    planet = prepared.planet
    a = scenario.assumptions
    dt = a.sample_interval_s
    n_b = len(prepared.batteries)
    bit_values = 1 << np.arange(n_b, dtype=np.int64)
    missile_index = prepared.missiles.index(missile_id)
    u = MISSILE_CASE_U[scenario.threat_case]
    fan_az, fan_kick, fan_cutoff, horizon_s = fan
    impact_xyz, defended, shots, sites = [], [], [], []
    for start in range(0, fan_az.size, CHUNK):
        part = slice(start, start + CHUNK)
        args = (vehicle, planet, launch.lat, launch.lon, 0.0, fan_az[part], fan_kick[part])
        flight = fly_boosted(
            *args, cutoff_s=fan_cutoff[part], drag=a.drag, sample_dt_s=dt, sample_until_s=horizon_s
        )
        last = float(np.nanmax(flight.impact[:, 0]))
        if last > horizon_s:  # a longer flight than the table's: sample all of it
            flight = fly_boosted(
                *args,
                cutoff_s=fan_cutoff[part],
                drag=a.drag,
                sample_dt_s=dt,
                sample_until_s=last + dt,
            )
        times = np.arange(flight.samples.shape[1]) * dt
        rows = flight.status.size
        seen = observe(
            prepared,
            flights=given_flights(flight, times, u),
            missile_of=np.full(rows, missile_index, dtype=np.int64),
            skip_unreachable=True,
        )
        windows = evaluate(seen).windows.single()
        landed = flight.status == STATUS_IMPACT
        impact_xyz.append(np.where(landed[:, None], flight.impact[:, 1:4], np.nan))
        defended.append(windows.engageable.any(axis=1))
        shots.append(windows.shots.sum(axis=1))
        sites.append((windows.engageable * bit_values).sum(axis=1))
    xyz = np.concatenate(impact_xyz)
    ok = np.isfinite(xyz[:, 0])
    tree = cKDTree(xyz[ok] / np.linalg.norm(xyz[ok], axis=1)[:, None])
    return (
        tree,
        np.concatenate(defended)[ok],
        np.concatenate(shots)[ok],
        np.concatenate(sites)[ok],
    )


def _nearest(tree, match_angle, lat_r, lon_r):
    """Whether a fan impact lies within `match_angle` (rad) of each point, and which."""
    unit = np.stack(
        [np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)], axis=-1
    )
    gap, index = tree.query(unit.reshape(-1, 3))
    return gap.reshape(lat_r.shape) <= match_angle, index.reshape(lat_r.shape)


@dataclass(frozen=True)
class _ConfigTask:
    """One threat configuration's footprint: a unit of work for a worker."""

    scenario: Scenario
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
    scenario, config = task.scenario, task.config
    a = scenario.assumptions
    prepared = prepare(scenario)
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
    tree, fan_defended, fan_shots, fan_sites = _fly_fan(
        prepared, vehicle, launch, fan, config.missile
    )
    match_angle = 1.5 * task.step_m / planet.a_m
    hit, index = _nearest(tree, match_angle, grid_lat, grid_lon)
    hit &= near
    city_hit = np.zeros(task.city_lat.shape, dtype=bool)
    city_ok = np.zeros(task.city_lat.shape, dtype=bool)
    if task.city_lat.size:
        city_hit, city_index = _nearest(tree, match_angle, task.city_lat, task.city_lon)
        d_city, _, _ = geodesic_inverse_batch(
            launch.lat, launch.lon, task.city_lat, task.city_lon, planet.a_m, planet.f
        )
        city_hit &= d_city <= reach
        city_ok = city_hit & fan_defended[city_index]
    return _ConfigResult(
        threatened=hit,
        defended=hit & fan_defended[index],
        shots=np.where(hit, fan_shots[index], 0),
        sites=np.where(hit, fan_sites[index], 0),
        fan_trajectories=int(fan[0].size),
        city_threatened=city_hit,
        city_defended=city_ok,
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
    lat_min, lat_max, lon_min, lon_max = region
    if not (math.isfinite(resolution_deg) and resolution_deg > 0):
        raise RoofError(
            f"the resolution must be a positive number of degrees, got {resolution_deg}.",
            where="--resolution-deg",
        )
    if not (-90 <= lat_min < lat_max <= 90 and -180 <= lon_min < lon_max <= 360):
        raise RoofError(
            f"the region {region} is empty or outside the globe.",
            where="region",
            fix="Give lat min < lat max and lon min < lon max, in degrees.",
        )
    configs = _configs(scenario)
    n_lat = max(1, round((lat_max - lat_min) / resolution_deg))
    n_lon = max(1, round((lon_max - lon_min) / resolution_deg))
    needed = n_lat * n_lon * len(configs) * BYTES_PER_CELL_AND_CONFIG
    if needed > MEMORY_LIMIT_BYTES:
        coarser = resolution_deg * math.sqrt(needed / MEMORY_LIMIT_BYTES) * 1.1
        raise RoofError(
            f"a {resolution_deg:g} degree grid has {n_lat * n_lon:,} cells: its results would "
            f"need about {needed / 1e9:,.1f} GB.",
            where="--resolution-deg",
            fix=f"Use --resolution-deg {coarser:.3g} or coarser, or a smaller region.",
        )
    lat = lat_min + (np.arange(n_lat) + 0.5) * (lat_max - lat_min) / n_lat
    lon = lon_min + (np.arange(n_lon) + 0.5) * (lon_max - lon_min) / n_lon
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
        _ConfigTask(scenario, config, lat, lon, city_lat, city_lon, step_m) for config in configs
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
