"""Where may a battery stand without engaging strategic trajectories?

For one interceptor type of the scenario, a map over a region (by default
Europe, the Middle East and the adjacent seas) of the places where a battery
of that type could stand without being able to engage the strategic
trajectories of another party; on sea cells that is where a ship may sail,
so the engaging sea cells are its keep-out zones. A declared patrol area (a
polygon, `securityroof.model.scenario.PatrolArea`) gets one verdict for the
whole area: every point of it on the map's grid, its vertices and its edges.

A candidate battery is the type's first battery in the scenario moved to
the candidate place, with its owner and track rules:

- tracks of the scenario's other sensors as its rules allow them (launch on
  or engage on remote, across party lines only where the cueing rules let
  them pass); they do not depend on where it stands and are computed once
  (`securityroof.analysis.engagement.evaluate` of the strategic set);
- its own fire-control radar: the radar of the template site (if it has
  one whose tracks the type may launch or be guided on), moved with it,
  facing the threat (the azimuth sector is not limited; elevation, reach in
  its band against the RV, cue gain and delays are the catalog's), cued by
  the sensors the cueing rules let cue it.

The trajectories and their detections are computed once for all candidate
places (`securityroof.analysis.stability.StrategicGeometry`); each place
costs only the scan in `securityroof.core.siting`. Under uncertainty, each
place gets the probability that it engages some strategic trajectory over
the draws of the scenario's value space, and a place is kept out when that
probability exceeds one minus the probability the envelope asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from securityroof.analysis.distributed import run_chunks
from securityroof.analysis.engagement import (
    Observation,
    detect_all,
    root_rcs_for,
    track_times,
)
from securityroof.analysis.grid import region_grid
from securityroof.analysis.prepare import Prepared
from securityroof.analysis.stability import StrategicGeometry
from securityroof.analysis.uncertainty import DRAW_CHUNK, box_observation, wilson
from securityroof.core.detection import (
    CUE_GAIN,
    DETECTION_DELAY_S,
    MAX_ELEVATION,
    MIN_ELEVATION,
    RANGE_PER_ROOT_RCS,
    TRACK_DELAY_S,
    DetectionArrays,
)
from securityroof.core.earth import geodetic_to_ecef_batch
from securityroof.core.sensors import KIND_INFRARED, KIND_RADAR
from securityroof.core.signatures import OBJECT_RV
from securityroof.core.siting import (
    N_RADAR_PARAMETERS,
    RADAR_CUE_GAIN,
    RADAR_MAX_ELEVATION,
    RADAR_MIN_ELEVATION,
    RADAR_TRACK_NEED_S,
    SampleGroups,
    candidate_margins,
    sample_groups,
)
from securityroof.errors import RoofError
from securityroof.model.geography import land_mask
from securityroof.model.scenario import PatrolArea, Scenario

# Europe, the Middle East and the adjacent seas (degrees): lat min, lat max,
# lon min, lon max.
DEFAULT_REGION = (25.0, 75.0, -30.0, 70.0)
DEFAULT_RESOLUTION_DEG = 1.0
MAX_CELLS = 2_000_000


@dataclass(frozen=True)
class Candidate:
    """How a battery of one type would stand anywhere (see the module notes)."""

    interceptor: str
    type_index: int  # into the prepared scenario's interceptor types
    template: int  # the battery it copies: index into the prepared batteries
    template_site: str
    party: str
    radar: int | None  # its own radar: index into the prepared sensors
    own_launch: bool
    own_guidance: bool
    protected: frozenset[str]  # the parties whose strategic forces it must not engage
    rows: np.ndarray  # the strategic threats it is judged against (indices)


def candidate(prepared: Prepared, interceptor: str, protected: frozenset[str]) -> Candidate:
    """The candidate battery of a type, judged against the protected parties' forces."""
    scenario = prepared.scenario
    if interceptor not in prepared.interceptor_types:
        raise RoofError(
            f"the scenario has no battery of interceptor {interceptor!r} to place.",
            parameter="interceptor",
            fix="Choose one of: " + ", ".join(prepared.interceptor_types) + ".",
        )
    template = next(b for b, x in enumerate(prepared.batteries) if x.interceptor == interceptor)
    battery = prepared.batteries[template]
    kind = scenario.interceptors[interceptor]
    qualities = {*kind.launch_on, *kind.guided_on}
    radar, reach = None, -1.0
    for j, placement in enumerate(prepared.sensors):
        sensor = scenario.sensor_types[placement.type]
        if placement.site != battery.site or sensor.kind != "radar" or sensor.role not in qualities:
            continue
        nominal = sensor.detection_range_km.nominal if sensor.detection_range_km else 0.0
        if nominal > reach:
            radar, reach = j, nominal
    role = scenario.sensor_types[prepared.sensors[radar].type].role if radar is not None else None
    rows = np.array(
        [
            i
            for i, t in enumerate(prepared.threats)
            if (t.party or "unknown") != battery.party and (t.party or "unknown") in protected
        ],
        dtype=np.int64,
    )
    return Candidate(
        interceptor=interceptor,
        type_index=prepared.interceptor_types.index(interceptor),
        template=template,
        template_site=battery.site,
        party=battery.party,
        radar=radar,
        own_launch=role in kind.launch_on if role else False,
        own_guidance=role in kind.guided_on if role else False,
        protected=protected,
        rows=rows,
    )


@dataclass(frozen=True)
class _DrawInputs:
    """What a candidate needs under each draw that does not depend on its place."""

    trajectory: np.ndarray  # (n_draws, n_rows)
    remote_launch_s: np.ndarray
    remote_guidance_s: np.ndarray
    cue_s: np.ndarray
    radar_reach_m: np.ndarray
    radar: np.ndarray  # (n_draws, N_RADAR_PARAMETERS)
    params: np.ndarray  # (n_draws, N_BATTERY_PARAMETERS)


def _remote_mask(scenario: Scenario, prepared, qualities, remote: bool, party: str) -> np.ndarray:
    """(n_sensors,) the sensors whose tracks a battery elsewhere may use."""
    return np.array(
        [
            remote
            and scenario.sensor_types[s.type].role in qualities
            and scenario.may_cue(s.party, party)
            for s in prepared.sensors
        ],
        dtype=bool,
    )


def _cue_times(prepared, detections: DetectionArrays, party: str) -> np.ndarray:
    """(n_draws, n_threats) when the candidate's own radar is first cued (NaN: never)."""
    scenario = prepared.scenario
    kinds = prepared.sensor_arrays.kind
    may = np.array([scenario.may_cue(s.party, party) for s in prepared.sensors], dtype=bool)
    track = detections.track_s  # (n_draws, n_threats, n_sensors)
    radar = np.nonzero(may & (kinds == KIND_RADAR))[0]
    cue = np.full(track.shape[:2], np.nan)
    if radar.size:
        cue = np.fmin.reduce(track[..., radar], axis=-1)
    infrared = np.nonzero(may & (kinds == KIND_INFRARED))[0]
    if infrared.size >= 2:  # infrared cues only in stereo: the second track
        ordered = np.sort(np.where(np.isnan(track[..., infrared]), np.inf, track[..., infrared]))
        second = ordered[..., 1]
        cue = np.fmin(cue, np.where(np.isfinite(second), second, np.nan))
    return cue


def _draw_inputs(
    observation: Observation,
    found: Candidate,
    draws: np.ndarray,
    detected: tuple[np.ndarray, DetectionArrays],
) -> _DrawInputs:
    prepared = observation.prepared
    scenario = prepared.scenario
    kind = scenario.interceptors[found.interceptor]
    trajectory, detections = detected
    fire_control = detections.fire_control_s
    launch, _ = track_times(
        _remote_mask(scenario, prepared, kind.launch_on, kind.remote_launch, found.party)[None],
        fire_control,
    )
    guide, _ = track_times(
        _remote_mask(scenario, prepared, kind.guided_on, kind.remote_guidance, found.party)[None],
        fire_control,
    )
    rows = found.rows
    n_draws = draws.shape[0]
    radar = np.zeros((n_draws, N_RADAR_PARAMETERS))
    reach = np.zeros((n_draws, rows.size))
    cue = np.full((n_draws, rows.size), np.nan)
    if found.radar is not None:
        j = found.radar
        values = prepared.sensor_parameters(draws)[:, j]
        radar[:, RADAR_CUE_GAIN] = values[:, CUE_GAIN]
        radar[:, RADAR_MIN_ELEVATION] = values[:, MIN_ELEVATION]
        radar[:, RADAR_MAX_ELEVATION] = values[:, MAX_ELEVATION]
        radar[:, RADAR_TRACK_NEED_S] = values[:, DETECTION_DELAY_S] + values[:, TRACK_DELAY_S]
        band = int(prepared.sensor_arrays.band[j])
        root_rcs = root_rcs_for(observation, draws)[:, rows, OBJECT_RV, band]
        reach = values[:, RANGE_PER_ROOT_RCS][:, None] * root_rcs
        cue = _cue_times(prepared, detections, found.party)[:, rows]
    return _DrawInputs(
        trajectory=trajectory[:, rows],
        remote_launch_s=launch[:, rows, 0],
        remote_guidance_s=guide[:, rows, 0],
        cue_s=cue,
        radar_reach_m=reach,
        radar=radar,
        params=prepared.battery_parameters(draws)[:, found.template],
    )


def _places(lat_deg: np.ndarray, lon_deg: np.ndarray, planet) -> tuple[np.ndarray, np.ndarray]:
    """ECEF positions (m, at sea level) and local verticals of points in degrees."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64).ravel())
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64).ravel())
    x, y, z = geodetic_to_ecef_batch(lat, lon, np.zeros_like(lat), planet.a_m, planet.f)
    up = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    return np.column_stack([x, y, z]), up


def _margins(
    observation: Observation,
    groups: SampleGroups,
    found: Candidate,
    inputs: _DrawInputs,
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    **scan,
) -> tuple[np.ndarray, np.ndarray]:
    planet = observation.prepared.planet
    sites, up = _places(lat_deg, lon_deg, planet)
    return candidate_margins(
        sites,
        up,
        observation.flights.samples,
        observation.times_s,
        observation.lines.phases.last_boost,
        groups,
        inputs.trajectory,
        inputs.remote_launch_s,
        inputs.remote_guidance_s,
        inputs.cue_s,
        inputs.radar_reach_m,
        inputs.radar,
        found.own_launch,
        found.own_guidance,
        inputs.params,
        observation.tables,
        found.type_index,
        planet.a_m,
        planet.f,
        **scan,
    )


@dataclass(frozen=True)
class PlaceMargins:
    """Candidate places judged at the scenario's cases and, if asked, under draws.

    Arrays have the places' shape. `margin_s`: the best launch margin at the
    cases (>= 0: engages some strategic trajectory; -inf: none at least
    `floor_s`); `best_threat`: the trajectory that gives it ("" none);
    `probability`: P(engages some) over the draws (None without draws).
    """

    margin_s: np.ndarray
    floor_s: float
    best_threat: np.ndarray
    probability: np.ndarray | None
    draws: int

    def keep_out(self, probability: float) -> np.ndarray:
        """Places that engage some strategic trajectory, with more than 1 - p chance."""
        if self.probability is None:
            return np.asarray(self.margin_s >= 0.0)
        return np.asarray(self.probability > 1.0 - probability + 1e-12)


@dataclass(frozen=True)
class _Chunk:
    """One chunk of draws of a site map: a unit of work for a worker."""

    scenario: Scenario  # the strategic scenario
    box: tuple[np.ndarray, np.ndarray]
    interceptor: str
    protected: frozenset[str]
    draws: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray


def _chunk_hits(
    observation: Observation, groups: SampleGroups, found: Candidate, chunk: _Chunk
) -> np.ndarray:
    """(n_places,) how many of the chunk's draws engage at each place."""
    inputs = _draw_inputs(observation, found, chunk.draws, detect_all(observation, chunk.draws))
    margin, _ = _margins(
        observation,
        groups,
        found,
        inputs,
        chunk.lat_deg,
        chunk.lon_deg,
        floor_s=0.0,
        first_only=True,
    )
    return np.asarray((margin >= 0.0).sum(axis=0))


def _run_chunk(chunk: _Chunk) -> np.ndarray:
    """`_chunk_hits` on a worker, which builds (and keeps) its own observation."""
    observation = box_observation(chunk.scenario, chunk.box)
    found = candidate(observation.prepared, chunk.interceptor, chunk.protected)
    return _chunk_hits(observation, sample_groups(observation.flights.samples), found, chunk)


def judge_places(
    geometry: StrategicGeometry,
    found: Candidate,
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    *,
    draws: np.ndarray | None = None,
    cluster: str | None = None,
    groups: SampleGroups | None = None,
    floor_s: float = -np.inf,
) -> PlaceMargins:
    """Judge a candidate battery at each place (degrees, any shape).

    Margins below `floor_s` are not sought (0 for a map: only engaging
    places' margins; -inf: every place's, how far from engaging it is).
    """
    observation = geometry.observation
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    groups = groups or sample_groups(observation.flights.samples)
    inputs = _draw_inputs(observation, found, geometry.case_draw, geometry.detected)
    margin, best = _margins(observation, groups, found, inputs, lat, lon, floor_s=floor_s)
    threats = geometry.prepared.threats
    names = np.array([""] + [threats[r].name for r in found.rows], dtype=object)
    probability = None
    n_draws = 0
    if draws is not None and draws.shape[0]:
        n_draws = int(draws.shape[0])
        box = geometry.prepared.space.bounds()
        chunks = [
            _Chunk(
                geometry.scenario,
                box,
                found.interceptor,
                found.protected,
                draws[i : i + DRAW_CHUNK],
                lat.ravel(),
                lon.ravel(),
            )
            for i in range(0, n_draws, DRAW_CHUNK)
        ]
        if cluster is None:
            hits = sum(_chunk_hits(observation, groups, found, c) for c in chunks)
        else:
            hits = sum(run_chunks(_run_chunk, chunks, cluster=cluster))
        probability = (np.asarray(hits) / n_draws).reshape(lat.shape)
    return PlaceMargins(
        margin_s=margin[0].reshape(lat.shape),
        floor_s=floor_s,
        best_threat=names[best[0] + 1].reshape(lat.shape),
        probability=probability,
        draws=n_draws,
    )


@dataclass(frozen=True)
class SiteMap:
    """One interceptor type's map; arrays are (n_lat, n_lon) over cell centres."""

    interceptor: str
    party: str
    template_site: str
    radar: str | None  # the sensor type of its own radar
    region: tuple[float, float, float, float]
    resolution_deg: float
    lat_deg: np.ndarray  # (n_lat,)
    lon_deg: np.ndarray  # (n_lon,)
    land: np.ndarray
    places: PlaceMargins
    keep_out: np.ndarray  # at the envelope's probability

    @property
    def keep_out_share(self) -> tuple[float, float]:
        """Shares of the land and of the sea cells kept out."""
        land = self.land
        return (
            float(self.keep_out[land].mean()) if land.any() else 0.0,
            float(self.keep_out[~land].mean()) if (~land).any() else 0.0,
        )


def candidate_grid(
    region: tuple[float, float, float, float], resolution_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate places (cell centres, degrees) of a site map, at most `MAX_CELLS`."""
    return region_grid(region, resolution_deg, max_cells=MAX_CELLS)


def site_map(
    geometry: StrategicGeometry,
    interceptor: str,
    protected: frozenset[str],
    probability: float,
    *,
    region: tuple[float, float, float, float] = DEFAULT_REGION,
    resolution_deg: float = DEFAULT_RESOLUTION_DEG,
    draws: np.ndarray | None = None,
    cluster: str | None = None,
    groups: SampleGroups | None = None,
) -> SiteMap:
    """Where a battery of `interceptor` may stand (see the module notes)."""
    lat, lon = candidate_grid(region, resolution_deg)
    grid_lat, grid_lon = np.meshgrid(lat, lon, indexing="ij")
    found = candidate(geometry.prepared, interceptor, protected)
    places = judge_places(
        geometry,
        found,
        grid_lat,
        grid_lon,
        draws=draws,
        cluster=cluster,
        groups=groups,
        floor_s=0.0,
    )
    prepared = geometry.prepared
    return SiteMap(
        interceptor=interceptor,
        party=found.party,
        template_site=found.template_site,
        radar=prepared.sensors[found.radar].type if found.radar is not None else None,
        region=region,
        resolution_deg=resolution_deg,
        lat_deg=lat,
        lon_deg=lon,
        land=land_mask(grid_lat, grid_lon),
        places=places,
        keep_out=places.keep_out(probability),
    )


@dataclass(frozen=True)
class PatrolVerdict:
    """One declared patrol area against the strategic forces, for one interceptor type."""

    area: str
    interceptor: str
    points: int  # places judged: grid points inside, vertices and edge points
    keep_out: bool  # some place of the area engages (with more than 1 - p chance)
    engaged_places: int
    worst_margin_s: float  # the best launch margin anywhere in the area (< 0: none engages)
    worst_lat_deg: float
    worst_lon_deg: float
    worst_threat: str
    probability: tuple[float, float, float] | None  # P(engages) at the worst place


def patrol_points(area: PatrolArea, resolution_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Points (degrees) covering a patrol area: its vertices, its edges and the grid inside."""
    polygon = shapely.Polygon(list(zip(area.lon_deg, area.lat_deg, strict=True)))
    edge = shapely.segmentize(polygon.exterior, resolution_deg)
    lon_e, lat_e = np.asarray(edge.coords).T
    x0, y0, x1, y1 = polygon.bounds
    gx, gy = np.meshgrid(
        np.arange(x0 + 0.5 * resolution_deg, x1, resolution_deg),
        np.arange(y0 + 0.5 * resolution_deg, y1, resolution_deg),
    )
    inside = shapely.contains_xy(polygon, gx, gy)
    lon = np.concatenate([lon_e, gx[inside]])
    lat = np.concatenate([lat_e, gy[inside]])
    return lat, lon


def judge_patrol_area(
    geometry: StrategicGeometry,
    found: Candidate,
    area: PatrolArea,
    probability: float,
    resolution_deg: float,
    *,
    draws: np.ndarray | None = None,
    cluster: str | None = None,
    groups: SampleGroups | None = None,
) -> PatrolVerdict:
    """The verdict for a whole patrol area (see `PatrolVerdict`)."""
    lat, lon = patrol_points(area, resolution_deg)
    places = judge_places(geometry, found, lat, lon, draws=draws, cluster=cluster, groups=groups)
    keep = places.keep_out(probability)
    # The worst place: the likeliest to engage, then the widest margin.
    chance = places.probability if places.probability is not None else np.zeros(lat.size)
    worst = int(np.lexsort((places.margin_s, chance))[-1])
    return PatrolVerdict(
        area=area.name,
        interceptor=found.interceptor,
        points=int(lat.size),
        keep_out=bool(keep.any()),
        engaged_places=int(keep.sum()),
        worst_margin_s=float(places.margin_s[worst]),
        worst_lat_deg=float(lat[worst]),
        worst_lon_deg=float(lon[worst]),
        worst_threat=str(places.best_threat[worst]),
        probability=(
            wilson(round(float(places.probability[worst]) * places.draws), places.draws)
            if places.probability is not None
            else None
        ),
    )
