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
from dataclasses import dataclass, field
from functools import lru_cache

import numba
import numpy as np

from securityroof.core.constants import G0_M_S2, SPHERE_RADIUS_M
from securityroof.core.flight import (
    IntegratorSettings,
    VehicleArrays,
    fly_boosted,
)
from securityroof.core.planet import Planet

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

# Mean Earth radius that turns the central angle into ground range (m); the
# 6,371.0 km of the arms-control literature and of `constants.SPHERE_RADIUS_M`.
MEAN_EARTH_RADIUS_M = SPHERE_RADIUS_M

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

# --- Assumptions of the synthesized vehicle ----------------------------------------------
# Vacuum specific impulse (s). Assumption: a solid-propellant booster (open
# figures for such motors lie between about 250 and 290 s). Only the product
# with the propellant fraction matters for the burnout speed, which is matched
# exactly; Isp sets how the acceleration grows during the burn.
DEFAULT_ISP_S = 260.0
# Launch mass per reference area (kg/m^2). Assumption: of the order of a
# THAAD-class interceptor (about 900 kg on a 0.37 m diameter, ~8,400 kg/m^2).
# With thrust and mass scaled together only this ratio enters the dynamics.
DEFAULT_MASS_PER_AREA_KG_M2 = 8000.0
LAUNCH_MASS_KG = 1000.0  # scale only: see DEFAULT_MASS_PER_AREA_KG_M2
# Zero-lift drag coefficient of a slender body against Mach number: Forden,
# "GUI_Missile_Flyout", Science & Global Security 15 (2007), Fig. 1, as in
# the catalog's `default-missile` table.
CD_MACH = np.array([0.0, 0.8, 1.0, 1.2, 2.0, 3.0, 5.0, 10.0])
CD = np.array([0.20, 0.20, 0.27, 0.27, 0.20, 0.20, 0.20, 0.20])
# Ballistic coefficient m / (Cd A) after burnout (kg/m^2). Assumption: a
# burnt-out slender missile coasting through the air, a few thousand kg/m^2 of
# mass per area over a drag coefficient of 0.2-0.3; a kill vehicle that is
# lighter per area separates only above the atmosphere. Held fixed, not
# derived from the stand-in's dry mass: that would make a faster stand-in
# (less dry mass) coast worse through the air, an artefact of folding all
# stages into one.
DEFAULT_COAST_BALLISTIC_COEFFICIENT_KG_M2 = 10000.0
# Steering: a short vertical rise and a quick pitch-over, as fractions of the
# burn time, then a gravity turn. Assumption; see `synthesize_interceptor`.
VERTICAL_RISE_FRACTION = 0.02
PITCH_OVER_FRACTION = 0.10
# Largest kick (rad). A kick of 180 degrees sweeps the thrust from vertical to
# straight down during the pitch-over and leaves the velocity about
# horizontal; beyond that the shot dives. Diving shots fill the ground fringe
# near the launcher, below the flattest trajectory that climbs.
MAX_KICK = math.radians(240.0)
# Feasibility limits of a single-stage stand-in.
MAX_PROPELLANT_FRACTION = 0.99
MIN_THRUST_TO_WEIGHT = 1.5
CALIBRATION_ANGLE = math.radians(45.0)
CALIBRATION_KICKS = 49  # kick values flown per calibration iteration (5 degree steps)
CALIBRATION_TOLERANCE_M_S = 0.01
CALIBRATION_MAX_ITERATIONS = 30

# The fan is flown 25 % past the maximum flight time, and cells reached later
# are then dropped. Otherwise the fan would be cut where the limit falls, and
# the ground between the impact of one trajectory before the limit and that
# of its neighbour after it, reached in between by the kicks in between,
# would be lost; the table would then depend on the limit beyond the limit.
FAN_TIME_MARGIN = 0.25
# The fan: 0.5 m / 0.5 mm/s per step is ample for cells of kilometres.
FAN_POSITION_TOLERANCE_M = 0.5
FAN_VELOCITY_TOLERANCE_M_S = 5e-4


class ReachError(ValueError):
    """The interceptor parameters describe no vehicle this model can fly."""


@dataclass(frozen=True, eq=False)
class SynthesizedInterceptor:
    """The single-stage vehicle that stands in for an interceptor.

    Attributes
    ----------
    vehicle
        The packed vehicle flown by the flight core.
    isp_s
        Vacuum (= sea-level) specific impulse (s).
    propellant_fraction
        Propellant mass over launch mass.
    launch_mass_kg, reference_area_m2
        Scale of the vehicle; only their ratio matters.
    vertical_rise_s, pitch_over_s
        Steering timeline (s).
    burnout_speed_m_s
        The flown vacuum burnout speed at a 45 degree burnout flight-path
        angle (m/s): the calibrated value.
    thrust_to_weight
        Thrust over sea-level weight at launch.
    calibration_kicks, calibration_burnout_angles
        Kick angles (rad) and the vacuum burnout flight-path angles (rad) of
        the last calibration batch; NaN where the trajectory came down
        before burnout.
    iterations
        Calibration flights (batches) used.
    """

    vehicle: VehicleArrays
    isp_s: float
    propellant_fraction: float
    launch_mass_kg: float
    reference_area_m2: float
    vertical_rise_s: float
    pitch_over_s: float
    burnout_speed_m_s: float
    thrust_to_weight: float
    calibration_kicks: np.ndarray = field(repr=False)
    calibration_burnout_angles: np.ndarray = field(repr=False)
    iterations: int


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
# The ground-range metric
# ---------------------------------------------------------------------------


@numba.njit(cache=True)
def ground_range_and_altitude(site_xyz, point_xyz, a_m, f):
    """Ground range from a site and radial altitude of a point.

    Parameters
    ----------
    site_xyz : array or tuple of 3 float
        ECEF position of the launch site (m).
    point_xyz : array or tuple of 3 float
        ECEF position of the point (m).
    a_m : float
        Equatorial radius of the ellipsoid (m).
    f : float
        Flattening (0 for a sphere).

    Returns
    -------
    ground_range_m : float
        Central angle between the two geocentric position vectors times
        `MEAN_EARTH_RADIUS_M` (m).
    altitude_m : float
        Distance from the ellipsoid surface along the geocentric radius of the
        point (m): |r| minus the ellipse radius a b / sqrt(b^2 cos^2(phi) +
        a^2 sin^2(phi)) at geocentric latitude phi (polar equation of the
        ellipse about its centre).

    Notes
    -----
    The angle comes from atan2(|s x p|, s . p), accurate at all angles,
    including 0 and pi.
    """
    sx, sy, sz = site_xyz[0], site_xyz[1], site_xyz[2]
    px, py, pz = point_xyz[0], point_xyz[1], point_xyz[2]
    cx = sy * pz - sz * py
    cy = sz * px - sx * pz
    cz = sx * py - sy * px
    angle = math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), sx * px + sy * py + sz * pz)
    r2 = px * px + py * py + pz * pz
    if r2 == 0.0:
        return MEAN_EARTH_RADIUS_M * angle, -a_m * (1.0 - f)
    sin2 = pz * pz / r2
    b = a_m * (1.0 - f)
    surface = a_m * b / math.sqrt(b * b * (1.0 - sin2) + a_m * a_m * sin2)
    return MEAN_EARTH_RADIUS_M * angle, math.sqrt(r2) - surface


@numba.njit(cache=True, parallel=True)
def _metric_loop(site, points, a_m, f):
    n = points.shape[0]
    ground = np.empty(n)
    alt = np.empty(n)
    for i in numba.prange(n):
        g, h = ground_range_and_altitude(site, points[i], a_m, f)
        ground[i] = g
        alt[i] = h
    return ground, alt


def ground_range_and_altitude_batch(
    site_xyz: np.ndarray, points_xyz: np.ndarray, a_m: float, f: float
) -> tuple[np.ndarray, np.ndarray]:
    """Array version of `ground_range_and_altitude`.

    Parameters
    ----------
    site_xyz
        (3,) ECEF site position (m).
    points_xyz
        (..., 3) ECEF points (m).
    a_m, f
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    ground_range_m, altitude_m
        Arrays of shape ``points_xyz.shape[:-1]`` (m).
    """
    points = np.asarray(points_xyz, dtype=np.float64)
    shape = points.shape[:-1]
    flat = np.ascontiguousarray(points.reshape(-1, 3))
    site = np.ascontiguousarray(np.asarray(site_xyz, dtype=np.float64).reshape(3))
    ground, alt = _metric_loop(site, flat, float(a_m), float(f))
    return ground.reshape(shape), alt.reshape(shape)


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
# The synthesized vehicle
# ---------------------------------------------------------------------------


def _vehicle(
    propellant_fraction: float,
    burn_time_s: float,
    isp_s: float,
    mass_per_area_kg_m2: float,
    vertical_rise_s: float,
    pitch_over_s: float,
    coast_ballistic_coefficient_kg_m2: float,
) -> VehicleArrays:
    area = LAUNCH_MASS_KG / mass_per_area_kg_m2
    propellant = propellant_fraction * LAUNCH_MASS_KG
    dry = LAUNCH_MASS_KG - propellant
    return VehicleArrays(
        stages=np.array([[propellant, dry, burn_time_s, isp_s, isp_s, area]]),
        payload_kg=0.0,
        ballistic_coefficient_kg_m2=coast_ballistic_coefficient_kg_m2,
        vertical_rise_s=vertical_rise_s,
        pitch_over_s=pitch_over_s,
        cd_mach=CD_MACH.copy(),
        cd=CD.copy(),
    )


_SITE = (0.0, 0.0, 0.0)  # latitude, longitude (rad), altitude (m) of the table's launch
_AZIMUTH = 0.5 * math.pi  # due east along the equator


def _burnout_speed_and_angle(flight) -> tuple[np.ndarray, np.ndarray]:
    r = flight.burnout[:, 1:4]
    v = flight.burnout[:, 4:7]
    speed = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore"):
        sin_gamma = np.sum(r * v, axis=1) / (speed * np.linalg.norm(r, axis=1))
        gamma = np.arcsin(np.clip(sin_gamma, -1.0, 1.0))
    return speed, gamma


def _speed_at_angle(kicks, speed, gamma, target):
    """Burnout speed at burnout angle `target` along the kick fan, by linear
    interpolation where the angle first falls through the target."""
    ok = np.isfinite(gamma)
    for k in range(1, kicks.size):
        if not (ok[k] and ok[k - 1]):
            break
        if gamma[k] <= target < gamma[k - 1] or gamma[k] == target:
            w = (gamma[k - 1] - target) / (gamma[k - 1] - gamma[k])
            return float(speed[k - 1] + w * (speed[k] - speed[k - 1]))
    return math.nan


def synthesize_interceptor(
    burnout_speed_m_s: float,
    burn_time_s: float,
    *,
    isp_s: float = DEFAULT_ISP_S,
    mass_per_area_kg_m2: float = DEFAULT_MASS_PER_AREA_KG_M2,
    coast_ballistic_coefficient_kg_m2: float = DEFAULT_COAST_BALLISTIC_COEFFICIENT_KG_M2,
    planet: Planet | None = None,
) -> SynthesizedInterceptor:
    """A single-stage vehicle whose flown vacuum burnout speed is the given one.

    Parameters
    ----------
    burnout_speed_m_s
        Burnout speed (m/s), in the convention of the module notes: in vacuum,
        for the trajectory that burns out at a 45 degree flight-path angle.
    burn_time_s
        Burn time (s), the whole boost.
    isp_s
        Vacuum specific impulse (s), also used at sea level so that drag alone
        carries the atmosphere's effect.
    mass_per_area_kg_m2
        Launch mass per reference area (kg/m^2); sets the drag in the boost.
    coast_ballistic_coefficient_kg_m2
        m / (Cd A) after burnout (kg/m^2); sets the drag in the coast.
    planet
        Earth model of the calibration flights; default non-rotating WGS 84
        with J2.

    Returns
    -------
    SynthesizedInterceptor

    Raises
    ------
    ReachError
        If the speed needs a propellant fraction above 0.99, or the burn is so
        long that thrust would not lift the vehicle off (thrust-to-weight
        below 1.5).

    Notes
    -----
    Steering: a vertical rise of 2 % of the burn time, a pitch-over of 10 %
    that sweeps the thrust linearly from vertical to the kick angle, then a
    gravity turn (`dynamics`). Interceptors turn hard and early, while they
    are slow. With the 1-2 s vertical rise of a ballistic missile and kicks
    up to 90 degrees, a 9 g interceptor (3 km/s in 20 s) burns out no flatter
    than about 53 degrees (measured), so its fan would miss the low, fast
    trajectories. After a short rise the velocity leaves the pitch-over
    tilted by about half the kick (the mean of the swept thrust direction),
    so kicks from 0 to 180 degrees span burnout angles from vertical to about
    horizontal; kicks up to 240 degrees add diving shots. The sweep costs
    some speed (thrust off the velocity), the more the flatter the shot; the
    calibration at 45 degrees sits in the middle.

    The propellant fraction zeta is found by the secant method on
    u = ln(1 / (1 - zeta)) (the ideal speed gain over the exhaust speed,
    Tsiolkovsky), starting from u = (v_bo + g0 T_b / sqrt 2) / c with a
    gravity-loss guess; each iteration flies a batch of 49 kicks in vacuum
    to burnout and interpolates the speed at 45 degrees. Converges to
    0.01 m/s in 3-6 batches.
    """
    planet = planet or Planet.build("wgs84", rotating=False)
    if not (burnout_speed_m_s > 0.0 and burn_time_s > 0.0 and isp_s > 0.0):
        raise ReachError(
            "burnout speed, burn time and specific impulse must be positive, got "
            f"{burnout_speed_m_s} m/s, {burn_time_s} s, {isp_s} s"
        )
    c = isp_s * G0_M_S2
    rise = VERTICAL_RISE_FRACTION * burn_time_s
    pitch = PITCH_OVER_FRACTION * burn_time_s
    kicks = np.linspace(0.0, MAX_KICK, CALIBRATION_KICKS)
    settings = IntegratorSettings(max_flight_time_s=burn_time_s)
    u_max = -math.log(1.0 - MAX_PROPELLANT_FRACTION)

    def flown(u: float) -> tuple[float, np.ndarray, VehicleArrays]:
        zeta = -math.expm1(-u)
        tw = zeta * c / (burn_time_s * G0_M_S2)
        if tw < MIN_THRUST_TO_WEIGHT:
            raise ReachError(
                f"a burn of {burn_time_s} s to {burnout_speed_m_s} m/s gives a thrust-to-weight "
                f"of {tw:.2f} at launch, below {MIN_THRUST_TO_WEIGHT}: the stand-in vehicle "
                "cannot lift off. Give a shorter burn_time_s or a higher burnout speed."
            )
        vehicle = _vehicle(
            zeta,
            burn_time_s,
            isp_s,
            mass_per_area_kg_m2,
            rise,
            pitch,
            coast_ballistic_coefficient_kg_m2,
        )
        flight = fly_boosted(
            vehicle, planet, *_SITE, _AZIMUTH, kicks, drag=False, settings=settings
        )
        speed, gamma = _burnout_speed_and_angle(flight)
        return _speed_at_angle(kicks, speed, gamma, CALIBRATION_ANGLE), gamma, vehicle

    u0 = min((burnout_speed_m_s + G0_M_S2 * burn_time_s / math.sqrt(2.0)) / c, u_max)
    v0, gamma, vehicle = flown(u0)
    iterations = 1
    if not math.isfinite(v0):
        raise ReachError(
            f"no trajectory of the stand-in for {burnout_speed_m_s} m/s in {burn_time_s} s "
            "burns out at 45 degrees; give a shorter burn_time_s"
        )
    u1 = min(u0 + (burnout_speed_m_s - v0) / c, u_max)
    v1 = v0
    while abs(v1 - burnout_speed_m_s) > CALIBRATION_TOLERANCE_M_S:
        if iterations >= CALIBRATION_MAX_ITERATIONS:
            raise ReachError(
                f"the stand-in vehicle's burnout speed did not converge to {burnout_speed_m_s} "
                f"m/s (last {v1:.2f} m/s)"
            )
        v1, gamma, vehicle = flown(u1)
        iterations += 1
        if not math.isfinite(v1):
            raise ReachError(
                f"no trajectory of the stand-in for {burnout_speed_m_s} m/s in {burn_time_s} s "
                "burns out at 45 degrees; give a shorter burn_time_s"
            )
        if abs(v1 - burnout_speed_m_s) <= CALIBRATION_TOLERANCE_M_S:
            break
        if u1 >= u_max and v1 < burnout_speed_m_s:
            raise ReachError(
                f"{burnout_speed_m_s} m/s in {burn_time_s} s needs more than a "
                f"{MAX_PROPELLANT_FRACTION} propellant fraction at a specific impulse of "
                f"{isp_s} s (the stand-in reaches {v1:.0f} m/s); give a lower burnout speed, "
                "a shorter burn_time_s or a higher isp_s"
            )
        slope = (v1 - v0) / (u1 - u0) if u1 != u0 else c
        if not slope > 0.0:
            slope = c
        u0, v0 = u1, v1
        u1 = min(u1 + (burnout_speed_m_s - v1) / slope, u_max)
    zeta = float(vehicle.stages[0, 0] / LAUNCH_MASS_KG)
    kicks.flags.writeable = False
    gamma.flags.writeable = False
    return SynthesizedInterceptor(
        vehicle=vehicle,
        isp_s=float(isp_s),
        propellant_fraction=zeta,
        launch_mass_kg=LAUNCH_MASS_KG,
        reference_area_m2=LAUNCH_MASS_KG / mass_per_area_kg_m2,
        vertical_rise_s=rise,
        pitch_over_s=pitch,
        burnout_speed_m_s=float(v1),
        thrust_to_weight=zeta * c / (burn_time_s * G0_M_S2),
        calibration_kicks=kicks,
        calibration_burnout_angles=gamma,
        iterations=iterations,
    )


def _fan_kicks(interceptor: SynthesizedInterceptor, n_kicks: int) -> np.ndarray:
    """Kick angles (rad) of the fan.

    Where the trajectories burn out and their burnout angle falls as the
    kick grows (vertical down to about horizontal), the kicks are chosen so
    that the vacuum burnout angles are evenly spread; beyond, up to
    `MAX_KICK`, the shots dive or come down during the burn and the kicks
    are spread evenly, no denser than at the end of the first part, with at
    most a quarter of `n_kicks`.
    """
    kicks = interceptor.calibration_kicks
    gamma = interceptor.calibration_burnout_angles
    n_ok = 1
    while n_ok < kicks.size and np.isfinite(gamma[n_ok]) and gamma[n_ok] < gamma[n_ok - 1]:
        n_ok += 1
    n_dive = n_kicks // 4 if n_ok < kicks.size else 0
    n_main = n_kicks - n_dive
    targets = np.linspace(gamma[0], gamma[n_ok - 1], n_main)
    chosen = np.interp(targets, gamma[:n_ok][::-1], kicks[:n_ok][::-1])
    chosen[0] = 0.0
    if n_dive > 0:
        step = max(chosen[-1] - chosen[-2], (MAX_KICK - chosen[-1]) / n_dive)
        n_dive = max(1, min(n_dive, math.floor((MAX_KICK - chosen[-1]) / step)))
        chosen = np.concatenate((chosen, chosen[-1] + step * np.arange(1, n_dive + 1)))
    return np.unique(chosen)


# ---------------------------------------------------------------------------
# The fan and its rasterisation
# ---------------------------------------------------------------------------


@numba.njit(cache=True, parallel=True)
def _fan_points(samples, impact, dt, site, a_m, f):
    """Ground range, altitude, time, speed and flight-path angle of every
    sample of every fan trajectory, the impact appended after the last
    sample; NaN beyond."""
    n_rays, n_samples = samples.shape[0], samples.shape[1]
    out = np.full((5, n_rays, n_samples + 1), np.nan)
    for k in numba.prange(n_rays):
        last = -1
        for i in range(n_samples):
            p = samples[k, i]
            if not np.isfinite(p[0]):
                break
            _point(out, k, i, i * dt, p[0:3], p[3:6], site, a_m, f)
            last = i
        if np.isfinite(impact[k, 0]) and last + 1 <= n_samples:
            _point(out, k, last + 1, impact[k, 0], impact[k, 1:4], impact[k, 4:7], site, a_m, f)
    return out


@numba.njit(cache=True, inline="always")
def _point(out, k, i, t, r, v, site, a_m, f):
    g, h = ground_range_and_altitude(site, r, a_m, f)
    speed = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    radius = math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
    sin_gamma = 0.0
    if speed > 0.0:
        sin_gamma = (r[0] * v[0] + r[1] * v[1] + r[2] * v[2]) / (speed * radius)
    out[0, k, i] = g
    out[1, k, i] = h
    out[2, k, i] = t
    out[3, k, i] = speed
    out[4, k, i] = math.asin(min(1.0, max(-1.0, sin_gamma)))


@numba.njit(cache=True, inline="always")
def _clip(src, n, axis, bound, keep_above, dst):
    """Sutherland-Hodgman: clip polygon src[:n] (rows x, y, t, v, gamma)
    to coordinate `axis` >= bound (keep_above) or <= bound, into dst.

    Attributes are carried linearly along the cut edges. Returns the new
    vertex count. Sutherland & Hodgman, "Reentrant polygon clipping",
    Comm. ACM 17 (1974) 32-42.
    """
    m = 0
    for p in range(n):
        q = p - 1 if p > 0 else n - 1
        cp = src[p, axis]
        cq = src[q, axis]
        in_p = cp >= bound if keep_above else cp <= bound
        in_q = cq >= bound if keep_above else cq <= bound
        if in_p != in_q:
            s = (bound - cq) / (cp - cq)
            for c in range(5):
                dst[m, c] = src[q, c] + s * (src[p, c] - src[q, c])
            dst[m, axis] = bound
            m += 1
        if in_p:
            for c in range(5):
                dst[m, c] = src[p, c]
            m += 1
    return m


@numba.njit(cache=True, inline="always")
def _keep_earliest(poly, n, i, j, t_out, v_out, g_out):
    for p in range(n):
        if poly[p, 2] < t_out[i, j]:
            t_out[i, j] = poly[p, 2]
            v_out[i, j] = poly[p, 3]
            g_out[i, j] = poly[p, 4]


@numba.njit(cache=True)
def _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b):
    """Lower each cell's time to the earliest time on the triangle inside it.

    `tri` (3, 5): vertices (range, altitude, time, speed, angle), all
    attributes linear over the triangle, so the earliest time over the part
    of the triangle inside a cell is at a vertex of that part (exact for the
    linear interpolant). `col`, `a`, `b` are (16, 5) scratch polygons.
    """
    x0, dx, y0, dy = grid_f[0], grid_f[1], grid_f[2], grid_f[3]
    xmin = min(tri[0, 0], tri[1, 0], tri[2, 0])
    xmax = max(tri[0, 0], tri[1, 0], tri[2, 0])
    ymin = min(tri[0, 1], tri[1, 1], tri[2, 1])
    ymax = max(tri[0, 1], tri[1, 1], tri[2, 1])
    x_end = x0 + nx * dx
    y_end = y0 + ny * dy
    if xmax < x0 or xmin > x_end or ymax < y0 or ymin > y_end:
        return
    i0 = max(0, math.floor((xmin - x0) / dx))
    i1 = min(nx - 1, math.floor((xmax - x0) / dx))
    j0 = max(0, math.floor((ymin - y0) / dy))
    j1 = min(ny - 1, math.floor((ymax - y0) / dy))
    if (
        i0 == i1
        and j0 == j1
        and xmin > x0 + i0 * dx
        and xmax < x0 + (i0 + 1) * dx
        and ymin > y0 + j0 * dy
        and ymax < y0 + (j0 + 1) * dy
    ):
        # Inside one cell: the earliest vertex.
        _keep_earliest(tri, 3, i0, j0, t_out, v_out, g_out)
        return
    for i in range(i0, i1 + 1):
        for p in range(3):
            for c in range(5):
                a[p, c] = tri[p, c]
        n = _clip(a, 3, 0, x0 + i * dx, True, b)
        n = _clip(b, n, 0, x0 + (i + 1) * dx, False, col)
        if n == 0:
            continue
        for j in range(j0, j1 + 1):
            m = _clip(col, n, 1, y0 + j * dy, True, a)
            m = _clip(a, m, 1, y0 + (j + 1) * dy, False, b)
            _keep_earliest(b, m, i, j, t_out, v_out, g_out)


@numba.njit(cache=True, inline="always")
def _load(tri, row, pts, k, i):
    for c in range(5):
        tri[row, c] = pts[c, k, i]


@numba.njit(cache=True)
def _last_point(pts, k):
    """Index of the last finite point of trajectory k."""
    n = pts.shape[2]
    lo, hi = 0, n - 1
    if np.isfinite(pts[0, k, hi]):
        return hi
    while hi - lo > 1:  # NaN only after the end: bisect
        mid = (lo + hi) // 2
        if np.isfinite(pts[0, k, mid]):
            lo = mid
        else:
            hi = mid
    return lo


@numba.njit(cache=True, parallel=True)
def _rasterise_fan(pts, grid_f, nx, ny, n_chunks):
    """Earliest time, speed and angle per cell over the surface swept by the fan.

    Neighbouring trajectories k and k + 1 at sample times i and i + 1 bound a
    quadrilateral of the continuous fan (kick, time) -> (range, altitude); it
    is split into two triangles over which time, speed and angle are linear.
    Where one of the two has ended (impact) and the other flies on, the
    region between them is closed by triangles from the ended one's last
    point (its impact) to the other's remaining segments: the kicks between
    them come down in between. Each trajectory's own segments are rasterised
    as well (as degenerate triangles), so that every cell a trajectory
    crosses is marked, however fast it moves: no cell is skipped between
    samples.
    """
    n_rays = pts.shape[1]
    t_all = np.full((n_chunks, nx, ny), np.inf)
    v_all = np.full((n_chunks, nx, ny), np.nan)
    g_all = np.full((n_chunks, nx, ny), np.nan)
    for c in numba.prange(n_chunks):
        tri = np.empty((3, 5))
        col = np.empty((16, 5))
        a = np.empty((16, 5))
        b = np.empty((16, 5))
        t_out, v_out, g_out = t_all[c], v_all[c], g_all[c]
        for k in range(c * n_rays // n_chunks, (c + 1) * n_rays // n_chunks):
            end_k = _last_point(pts, k)
            for i in range(end_k):
                _load(tri, 0, pts, k, i)
                _load(tri, 1, pts, k, i + 1)
                _load(tri, 2, pts, k, i + 1)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
            if k + 1 == n_rays:
                continue
            end_n = _last_point(pts, k + 1)
            for i in range(min(end_k, end_n)):
                _load(tri, 0, pts, k, i)
                _load(tri, 1, pts, k, i + 1)
                _load(tri, 2, pts, k + 1, i + 1)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
                _load(tri, 1, pts, k + 1, i)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
            # The longer trajectory's remaining segments against the shorter one's end.
            short, long_, end_s, end_l = k, k + 1, end_k, end_n
            if end_k > end_n:
                short, long_, end_s, end_l = k + 1, k, end_n, end_k
            _load(tri, 0, pts, short, end_s)
            for i in range(end_s, end_l):
                _load(tri, 1, pts, long_, i)
                _load(tri, 2, pts, long_, i + 1)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
    t = t_all[0].copy()
    v = v_all[0].copy()
    g = g_all[0].copy()
    for c in range(1, n_chunks):
        for i in range(nx):
            for j in range(ny):
                if t_all[c, i, j] < t[i, j]:
                    t[i, j] = t_all[c, i, j]
                    v[i, j] = v_all[c, i, j]
                    g[i, j] = g_all[c, i, j]
    return t, v, g


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
    kicks = _fan_kicks(interceptor, n_kicks)
    fan_time_s = max_flight_time_s * (1.0 + FAN_TIME_MARGIN)
    settings = IntegratorSettings(
        position_tolerance_m=FAN_POSITION_TOLERANCE_M,
        velocity_tolerance_m_s=FAN_VELOCITY_TOLERANCE_M_S,
        max_flight_time_s=fan_time_s,
    )
    flight = fly_boosted(
        interceptor.vehicle,
        planet,
        *_SITE,
        _AZIMUTH,
        kicks,
        drag=drag,
        sample_dt_s=sample_dt_s,
        sample_until_s=fan_time_s,
        settings=settings,
    )
    site = np.array(
        [planet.a_m, 0.0, 0.0]  # geodetic_to_ecef(0, 0, 0): on the equator at longitude 0
    )
    pts = _fan_points(flight.samples, flight.impact, sample_dt_s, site, planet.a_m, planet.f)
    range_step = max_ground_range_m / n_range
    altitude_step = (max_altitude_m - min_altitude_m) / n_altitude
    grid_f = np.array([0.0, range_step, min_altitude_m, altitude_step])
    n_chunks = max(1, min(kicks.size - 1, 4 * numba.get_num_threads()))
    time_s, speed, gamma = _rasterise_fan(pts, grid_f, n_range, n_altitude, n_chunks)
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
