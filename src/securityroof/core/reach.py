"""Kinematic reach of an interceptor: the earliest time it can be at a place.

An interceptor is described the way the open literature describes it: by its
burnout speed, its burn time and the limits of its engagement envelope
(minimum and maximum intercept altitude, maximum ground range, maximum
flight time). From these the module

1. synthesizes a single-stage vehicle for the flight core whose flown burnout
   speed equals the given one (`synthesize_interceptor`);
2. flies a fan of trajectories over the steering (kick) angle, from vertical
   to horizontal, with drag, on the non-rotating WGS 84 Earth with J2, in one
   batch of the flight core;
3. turns the fan's dense samples into a reach table on a regular grid of
   (ground range, altitude) cells: for each cell the earliest time after
   launch at which the fan is inside it, with the interceptor's speed and
   flight-path angle at that moment (`build_reach_table`);
4. answers "how soon, how fast, at what angle" and "why not" for any point,
   in compiled kernels that the engagement code calls (`time_to_reach`,
   `envelope_reason`).

The reach table depends only on the interceptor. Where an interceptor site
stands and where it aims enter through the ground-range metric
(`ground_range_and_altitude`), which the engagement code uses on the same
terms as this module.

Conventions
-----------
Ground range
    The central angle between the geocentric position vectors of the launch
    site and of the point, times the Earth's mean radius 6,371,000 m
    (`MEAN_EARTH_RADIUS_M`). Cheap, symmetric and independent of the azimuth.
Altitude
    The height of the point above the WGS 84 ellipsoid along the geocentric
    radius ("radial altitude"); it differs from the geodetic height by about
    h e^4 / 8 at most (6 m at 1,000 km), as in `dynamics._air_altitude`.
Flight-path angle
    The angle of the Earth-relative velocity above the plane normal to the
    geocentric radius (rad); the same horizontal as the altitude above.
Burnout speed
    The Earth-relative speed at burnout, flown in vacuum (no drag, vacuum
    specific impulse) on the non-rotating WGS 84 Earth with J2 by the fan
    member whose burnout flight-path angle is 45 degrees. The same vehicle
    flown with drag burns out slower: that loss is the atmosphere's and is
    part of the reach.
The table's fan
    Launched from sea level on the equator, due east, on the non-rotating
    Earth: every trajectory stays in the equatorial plane, where J2 is
    symmetric. On a non-rotating Earth another site or heading changes the
    reach only through the ellipsoid's curvature and J2, by well under one
    grid cell (e.g. 0.5 km of altitude at 1,000 km range from the difference
    of meridional and equatorial curvature).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numba
import numpy as np

from securityroof.core.flight import (
    IntegratorSettings,
    fly_boosted,
)
from securityroof.core.planet import Planet
from securityroof.core.reach_fan import fan_points, rasterise_fan
from securityroof.core.reach_metric import (
    MEAN_EARTH_RADIUS_M,
    ground_range_and_altitude,
    ground_range_and_altitude_batch,
)
from securityroof.core.reach_vehicle import (
    DEFAULT_COAST_BALLISTIC_COEFFICIENT_KG_M2,
    DEFAULT_ISP_S,
    DEFAULT_MASS_PER_AREA_KG_M2,
    FAN_AZIMUTH,
    FAN_SITE,
    ReachError,
    SynthesizedInterceptor,
    fan_kicks,
    synthesize_interceptor,
)

__all__ = [
    "ABOVE_MAX_ALTITUDE",
    "BELOW_MIN_ALTITUDE",
    "BEYOND_MAX_GROUND_RANGE",
    "GRID_FIELDS",
    "MEAN_EARTH_RADIUS_M",
    "NOT_REACHABLE_IN_TIME",
    "REACHABLE",
    "REASON_TEXT",
    "ReachError",
    "ReachTable",
    "SynthesizedInterceptor",
    "build_reach_table",
    "envelope_reason",
    "envelope_reason_batch",
    "ground_range_and_altitude",
    "ground_range_and_altitude_batch",
    "synthesize_interceptor",
    "time_to_reach",
    "time_to_reach_batch",
]


# Why a point is or is not in the envelope (`envelope_reason`).
REACHABLE = 0
BELOW_MIN_ALTITUDE = 1
ABOVE_MAX_ALTITUDE = 2
BEYOND_MAX_GROUND_RANGE = 3
NOT_REACHABLE_IN_TIME = 4
REASON_TEXT = {
    REACHABLE: "reachable",
    BELOW_MIN_ALTITUDE: "below the minimum intercept altitude",
    ABOVE_MAX_ALTITUDE: "above the maximum intercept altitude",
    BEYOND_MAX_GROUND_RANGE: "beyond the maximum ground range",
    NOT_REACHABLE_IN_TIME: "not reachable within the maximum flight time",
}

# Fields of the packed grid array that the kernels read.
(
    GRID_RANGE0_M,
    GRID_RANGE_STEP_M,
    GRID_ALTITUDE0_M,
    GRID_ALTITUDE_STEP_M,
    GRID_MIN_ALTITUDE_M,
    GRID_MAX_ALTITUDE_M,
    GRID_MAX_RANGE_M,
    GRID_MAX_TIME_S,
) = range(8)
GRID_FIELDS = 8

# The fan is flown 25 % past the maximum flight time, and cells reached later
# are then dropped. Otherwise the fan would be cut where the limit falls, and
# the ground between the impact of one trajectory before the limit and that
# of its neighbour after it, reached in between by the kicks in between,
# would be lost; the table would then depend on the limit beyond the limit.
FAN_TIME_MARGIN = 0.25
# The fan: 0.5 m / 0.5 mm/s per step is ample for cells of kilometres.
FAN_POSITION_TOLERANCE_M = 0.5
FAN_VELOCITY_TOLERANCE_M_S = 5e-4


@dataclass(frozen=True, eq=False)
class ReachTable:
    """Earliest arrival of an interceptor on a (ground range, altitude) grid.

    Cell (i, j) spans ground range ``range_edges_m[i]`` to
    ``range_edges_m[i + 1]`` and altitude ``altitude_edges_m[j]`` to
    ``altitude_edges_m[j + 1]`` (m; see the module notes for the metric).
    Arrays are read-only: tables are cached and shared.

    Attributes
    ----------
    range_edges_m, altitude_edges_m
        (n_range + 1,) and (n_altitude + 1,) cell edges (m).
    time_s
        (n_range, n_altitude) earliest time after launch at which a fan
        trajectory is inside the cell (s); +inf where none is.
    speed_m_s
        Earth-relative speed at that moment (m/s); NaN where unreached.
    flight_path_angle
        Flight-path angle at that moment (rad); NaN where unreached.
    grid
        (GRID_FIELDS,) the grid and envelope packed for the kernels.
    burnout_speed_m_s, burn_time_s, max_flight_time_s
        The interceptor as given (m/s, s, s).
    max_ground_range_m, min_altitude_m, max_altitude_m
        Its envelope (m).
    kicks
        Kick angles (rad) of the fan.
    interceptor
        The synthesized vehicle.
    drag
        Whether the fan was flown with drag.
    planet
        The Earth model the fan was flown on.
    sample_dt_s
        Spacing of the fan's dense samples (s).
    fan_flight_time_s
        How long the fan was flown (s): `FAN_TIME_MARGIN` past the maximum
        flight time.
    """

    range_edges_m: np.ndarray
    altitude_edges_m: np.ndarray
    time_s: np.ndarray
    speed_m_s: np.ndarray
    flight_path_angle: np.ndarray
    grid: np.ndarray
    burnout_speed_m_s: float
    burn_time_s: float
    max_flight_time_s: float
    max_ground_range_m: float
    min_altitude_m: float
    max_altitude_m: float
    kicks: np.ndarray
    interceptor: SynthesizedInterceptor
    drag: bool
    planet: Planet
    sample_dt_s: float
    fan_flight_time_s: float

    @property
    def range_step_m(self) -> float:
        """Width of a cell in ground range (m)."""
        return float(self.grid[GRID_RANGE_STEP_M])

    @property
    def altitude_step_m(self) -> float:
        """Height of a cell (m)."""
        return float(self.grid[GRID_ALTITUDE_STEP_M])

    def kernel_args(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(grid, time_s, speed_m_s, flight_path_angle): the leading arguments
        of `time_to_reach` and, the first two, of `envelope_reason`."""
        return self.grid, self.time_s, self.speed_m_s, self.flight_path_angle


# ---------------------------------------------------------------------------
# Lookup kernels
# ---------------------------------------------------------------------------


@numba.njit(cache=True, inline="always")
def _cell(grid, n_range, n_altitude, ground_range_m, altitude_m):
    """Indices of the cell holding a point of the envelope.

    A point on the outer edge of the grid belongs to the last cell; callers
    check the envelope first.
    """
    i = math.floor((ground_range_m - grid[GRID_RANGE0_M]) / grid[GRID_RANGE_STEP_M])
    j = math.floor((altitude_m - grid[GRID_ALTITUDE0_M]) / grid[GRID_ALTITUDE_STEP_M])
    i = min(max(i, 0), n_range - 1)
    j = min(max(j, 0), n_altitude - 1)
    return i, j


@numba.njit(cache=True)
def envelope_reason(grid, time_s, ground_range_m, altitude_m):
    """Why a point is, or is not, inside an interceptor's envelope.

    Parameters
    ----------
    grid, time_s
        `ReachTable.grid` and `ReachTable.time_s`.
    ground_range_m
        Ground range of the point from the launch site (m), by
        `ground_range_and_altitude`.
    altitude_m
        Radial altitude of the point (m).

    Returns
    -------
    int
        `REACHABLE`, or the first limit that excludes the point, checked in
        this order: `BELOW_MIN_ALTITUDE`, `ABOVE_MAX_ALTITUDE`,
        `BEYOND_MAX_GROUND_RANGE`, `NOT_REACHABLE_IN_TIME` (no fan trajectory
        gets there within the maximum flight time). A NaN altitude counts as
        below the minimum, a NaN range as beyond the maximum.
    """
    if not altitude_m >= grid[GRID_MIN_ALTITUDE_M]:
        return BELOW_MIN_ALTITUDE
    if altitude_m > grid[GRID_MAX_ALTITUDE_M]:
        return ABOVE_MAX_ALTITUDE
    if not ground_range_m <= grid[GRID_MAX_RANGE_M]:
        return BEYOND_MAX_GROUND_RANGE
    i, j = _cell(grid, time_s.shape[0], time_s.shape[1], ground_range_m, altitude_m)
    if not time_s[i, j] <= grid[GRID_MAX_TIME_S]:
        return NOT_REACHABLE_IN_TIME
    return REACHABLE


@numba.njit(cache=True)
def time_to_reach(grid, time_s, speed_m_s, flight_path_angle, ground_range_m, altitude_m):
    """Earliest time after launch at which the interceptor can be at a point.

    Parameters
    ----------
    grid, time_s, speed_m_s, flight_path_angle
        The arrays of a `ReachTable` (`ReachTable.kernel_args()`).
    ground_range_m
        Ground range of the point from the launch site (m), by
        `ground_range_and_altitude`.
    altitude_m
        Radial altitude of the point (m).

    Returns
    -------
    time_s : float
        Time after launch (s); +inf outside the envelope (see
        `envelope_reason` for why).
    speed_m_s : float
        Earth-relative speed of the interceptor then (m/s); NaN if unreached.
    flight_path_angle : float
        Its flight-path angle then (rad); NaN if unreached.

    Notes
    -----
    The value is that of the cell holding the point, not an interpolation.
    A cell holds the earliest moment the fan is anywhere inside it, so for a
    point inside it the answer is never later than the fan's own earliest
    arrival there, and earlier by at most the time the fan's front takes to
    cross the cell: the cell diagonal over the interceptor's speed (about
    2 s for 5 km by 3.3 km cells at 3 km/s) where the front moves along the
    trajectories, somewhat more where neighbouring trajectories of very
    different speed cross (flat, draggy shots). The bias favours the defence
    and is bounded; to lean the other way, add the crossing time. Bilinear
    interpolation between cell values would blend in the +inf of unreached
    neighbours at the envelope's edge, and inside it would still mix
    earliest-entry times, with no simpler bound.
    """
    if envelope_reason(grid, time_s, ground_range_m, altitude_m) != REACHABLE:
        return np.inf, np.nan, np.nan
    i, j = _cell(grid, time_s.shape[0], time_s.shape[1], ground_range_m, altitude_m)
    return time_s[i, j], speed_m_s[i, j], flight_path_angle[i, j]


@numba.njit(cache=True, parallel=True)
def _lookup_loop(grid, time_s, speed, fpa, ground, alt):
    n = ground.size
    t = np.empty(n)
    v = np.empty(n)
    g = np.empty(n)
    reason = np.empty(n, dtype=np.int8)
    for k in numba.prange(n):
        t[k], v[k], g[k] = time_to_reach(grid, time_s, speed, fpa, ground[k], alt[k])
        reason[k] = envelope_reason(grid, time_s, ground[k], alt[k])
    return t, v, g, reason


def _lookup(table: ReachTable, ground_range_m, altitude_m):
    g, h = np.broadcast_arrays(
        np.asarray(ground_range_m, dtype=np.float64), np.asarray(altitude_m, dtype=np.float64)
    )
    shape = g.shape
    out = _lookup_loop(
        table.grid,
        table.time_s,
        table.speed_m_s,
        table.flight_path_angle,
        np.ascontiguousarray(g).ravel().copy(),
        np.ascontiguousarray(h).ravel().copy(),
    )
    return tuple(a.reshape(shape) for a in out)


def time_to_reach_batch(
    table: ReachTable, ground_range_m: np.ndarray | float, altitude_m: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Array version of `time_to_reach`: (time_s, speed_m_s, flight_path_angle)
    for broadcast arrays of ground range (m) and altitude (m)."""
    t, v, g, _ = _lookup(table, ground_range_m, altitude_m)
    return t, v, g


def envelope_reason_batch(
    table: ReachTable, ground_range_m: np.ndarray | float, altitude_m: np.ndarray | float
) -> np.ndarray:
    """Array version of `envelope_reason` (int8 codes)."""
    return _lookup(table, ground_range_m, altitude_m)[3]


# ---------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------


def build_reach_table(
    burnout_speed_m_s: float,
    burn_time_s: float,
    max_flight_time_s: float,
    max_ground_range_m: float,
    max_altitude_m: float,
    min_altitude_m: float = 0.0,
    n_range: int = 200,
    n_altitude: int = 150,
    n_kicks: int = 80,
    *,
    sample_dt_s: float = 0.5,
    drag: bool = True,
    isp_s: float = DEFAULT_ISP_S,
    mass_per_area_kg_m2: float = DEFAULT_MASS_PER_AREA_KG_M2,
    coast_ballistic_coefficient_kg_m2: float = DEFAULT_COAST_BALLISTIC_COEFFICIENT_KG_M2,
    planet: Planet | None = None,
) -> ReachTable:
    """Reach table of an interceptor (cached in memory by its arguments).

    Parameters
    ----------
    burnout_speed_m_s
        Burnout speed (m/s), in the vacuum convention of the module notes.
    burn_time_s
        Burn time (s).
    max_flight_time_s
        Longest flight after launch (s) at which an intercept counts.
    max_ground_range_m
        Largest ground range of an intercept (m).
    max_altitude_m, min_altitude_m
        Highest and lowest intercept altitude (m).
    n_range, n_altitude
        Cells of the grid over [0, max_ground_range_m] and
        [min_altitude_m, max_altitude_m].
    n_kicks
        Trajectories in the fan.
    sample_dt_s
        Spacing of the fan's dense samples (s).
    drag
        Fly the fan through the atmosphere (default) or in vacuum.
    isp_s, mass_per_area_kg_m2, coast_ballistic_coefficient_kg_m2
        Assumptions of the synthesized vehicle (`synthesize_interceptor`).
    planet
        Earth model; default non-rotating WGS 84 with J2. Must not rotate:
        the table is meant to hold for any site and heading.

    Returns
    -------
    ReachTable
        Shared between calls with equal arguments; its arrays are read-only.

    Raises
    ------
    ReachError
        For limits that are not positive and ordered, or an interceptor that
        `synthesize_interceptor` cannot build.
    """
    planet = planet or Planet.build("wgs84", rotating=False)
    return _build_cached(
        float(burnout_speed_m_s),
        float(burn_time_s),
        float(max_flight_time_s),
        float(max_ground_range_m),
        float(max_altitude_m),
        float(min_altitude_m),
        int(n_range),
        int(n_altitude),
        int(n_kicks),
        float(sample_dt_s),
        bool(drag),
        float(isp_s),
        float(mass_per_area_kg_m2),
        float(coast_ballistic_coefficient_kg_m2),
        planet,
    )


@lru_cache(maxsize=64)
def _build_cached(
    burnout_speed_m_s: float,
    burn_time_s: float,
    max_flight_time_s: float,
    max_ground_range_m: float,
    max_altitude_m: float,
    min_altitude_m: float,
    n_range: int,
    n_altitude: int,
    n_kicks: int,
    sample_dt_s: float,
    drag: bool,
    isp_s: float,
    mass_per_area_kg_m2: float,
    coast_ballistic_coefficient_kg_m2: float,
    planet: Planet,
) -> ReachTable:
    if planet.omega_rad_s != 0.0:
        raise ReachError("reach tables are built on a non-rotating Earth (rotating=False)")
    if not (max_flight_time_s > 0.0 and max_ground_range_m > 0.0 and sample_dt_s > 0.0):
        raise ReachError(
            "max_flight_time_s, max_ground_range_m and sample_dt_s must be positive, got "
            f"{max_flight_time_s}, {max_ground_range_m}, {sample_dt_s}"
        )
    if not (0.0 <= min_altitude_m < max_altitude_m):
        raise ReachError(
            f"need 0 <= min_altitude_m < max_altitude_m, got {min_altitude_m} and {max_altitude_m}"
        )
    if n_range < 1 or n_altitude < 1 or n_kicks < 2:
        raise ReachError("need n_range >= 1, n_altitude >= 1 and n_kicks >= 2")
    interceptor = synthesize_interceptor(
        burnout_speed_m_s,
        burn_time_s,
        isp_s=isp_s,
        mass_per_area_kg_m2=mass_per_area_kg_m2,
        coast_ballistic_coefficient_kg_m2=coast_ballistic_coefficient_kg_m2,
        planet=planet,
    )
    kicks = fan_kicks(interceptor, n_kicks)
    fan_time_s = max_flight_time_s * (1.0 + FAN_TIME_MARGIN)
    settings = IntegratorSettings(
        position_tolerance_m=FAN_POSITION_TOLERANCE_M,
        velocity_tolerance_m_s=FAN_VELOCITY_TOLERANCE_M_S,
        max_flight_time_s=fan_time_s,
    )
    flight = fly_boosted(
        interceptor.vehicle,
        planet,
        *FAN_SITE,
        FAN_AZIMUTH,
        kicks,
        drag=drag,
        sample_dt_s=sample_dt_s,
        sample_until_s=fan_time_s,
        settings=settings,
    )
    site = np.array(
        [planet.a_m, 0.0, 0.0]  # geodetic_to_ecef(0, 0, 0): on the equator at longitude 0
    )
    pts = fan_points(flight.samples, flight.impact, sample_dt_s, site, planet.a_m, planet.f)
    range_step = max_ground_range_m / n_range
    altitude_step = (max_altitude_m - min_altitude_m) / n_altitude
    grid_f = np.array([0.0, range_step, min_altitude_m, altitude_step])
    n_chunks = max(1, min(kicks.size - 1, 4 * numba.get_num_threads()))
    time_s, speed, gamma = rasterise_fan(pts, grid_f, n_range, n_altitude, n_chunks)
    late = ~(time_s <= max_flight_time_s)
    time_s[late] = np.inf
    speed[late] = np.nan
    gamma[late] = np.nan
    grid = np.empty(GRID_FIELDS)
    grid[GRID_RANGE0_M] = 0.0
    grid[GRID_RANGE_STEP_M] = range_step
    grid[GRID_ALTITUDE0_M] = min_altitude_m
    grid[GRID_ALTITUDE_STEP_M] = altitude_step
    grid[GRID_MIN_ALTITUDE_M] = min_altitude_m
    grid[GRID_MAX_ALTITUDE_M] = max_altitude_m
    grid[GRID_MAX_RANGE_M] = max_ground_range_m
    grid[GRID_MAX_TIME_S] = max_flight_time_s
    arrays = (
        np.linspace(0.0, max_ground_range_m, n_range + 1),
        np.linspace(min_altitude_m, max_altitude_m, n_altitude + 1),
        time_s,
        speed,
        gamma,
        grid,
        kicks,
    )
    for arr in arrays:
        arr.flags.writeable = False
    return ReachTable(
        range_edges_m=arrays[0],
        altitude_edges_m=arrays[1],
        time_s=time_s,
        speed_m_s=speed,
        flight_path_angle=gamma,
        grid=grid,
        burnout_speed_m_s=burnout_speed_m_s,
        burn_time_s=burn_time_s,
        max_flight_time_s=max_flight_time_s,
        max_ground_range_m=max_ground_range_m,
        min_altitude_m=min_altitude_m,
        max_altitude_m=max_altitude_m,
        kicks=kicks,
        interceptor=interceptor,
        drag=drag,
        planet=planet,
        sample_dt_s=sample_dt_s,
        fan_flight_time_s=fan_time_s,
    )
