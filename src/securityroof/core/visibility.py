"""Whether a sensor sees a target at one instant: the scalar kernels.

Compiled (numba) functions on plain floats, called from the batch kernels of
`securityroof.core.sightlines`, `securityroof.core.detection` and
`securityroof.core.measurement`. The sensor model they implement is described
in `securityroof.core.sensors`; sensors are passed packed
(`SensorArrays.packed`, columns indexed by the constants of that module) with
their local frames (`sensor_frames`).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

from securityroof.core.earth import ecef_to_geodetic
from securityroof.core.horizon import enu_basis, enu_to_look_angles, line_of_sight
from securityroof.core.sensors import (
    BORESIGHT,
    HALF_WIDTH,
    KIND,
    KIND_INFRARED,
    MAX_ELEVATION,
    MIN_ELEVATION,
    MIN_PLUME_ALTITUDE_M,
    X,
    Y,
    Z,
)

__all__ = [
    "infrared_visible",
    "radar_visible",
    "sensor_frames",
    "visible",
]

FloatArray = NDArray[np.float64]

_TWO_PI = 2.0 * math.pi


@numba.njit(cache=True)
def radar_visible(
    sx: float,
    sy: float,
    sz: float,
    east: tuple[float, float, float],
    north: tuple[float, float, float],
    up: tuple[float, float, float],
    tx: float,
    ty: float,
    tz: float,
    boresight: float,
    half_width: float,
    min_elevation: float,
    max_elevation: float,
    range_m: float,
    a_m: float,
    f: float,
) -> bool:
    """Whether a radar sees a target at one instant.

    Parameters
    ----------
    sx, sy, sz : float
        Radar position, ECEF, m.
    east, north, up : tuple of float
        The radar's local unit vectors in ECEF (`securityroof.core.horizon.enu_basis`
        at its geodetic latitude and longitude).
    tx, ty, tz : float
        Target position, ECEF, m; NaN is never visible.
    boresight, half_width : float
        Azimuth sector: centre (clockwise from north) and half-width, rad;
        ``half_width >= pi`` is all-round.
    min_elevation, max_elevation : float
        Geodetic elevation limits, rad.
    range_m : float
        Detection range against this target (`detection_range_m`), m.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    bool
        True when the slant range is at most ``range_m``, the elevation lies
        within the limits, the azimuth within the sector (wrapping through
        north), and the line of sight clears the ellipsoid
        (`securityroof.core.horizon.line_of_sight`). A target at the radar's
        zenith has azimuth 0 by convention.
    """
    dx = tx - sx
    dy = ty - sy
    dz = tz - sz
    # Cheapest test first; written so that NaN fails it.
    if not dx * dx + dy * dy + dz * dz <= range_m * range_m:
        return False
    e = east[0] * dx + east[1] * dy + east[2] * dz
    n = north[0] * dx + north[1] * dy + north[2] * dz
    u = up[0] * dx + up[1] * dy + up[2] * dz
    az, el, _ = enu_to_look_angles(e, n, u)
    if el < min_elevation or el > max_elevation:
        return False
    if half_width < math.pi:
        off = az - boresight
        off -= _TWO_PI * math.floor((off + math.pi) / _TWO_PI)  # into [-pi, pi)
        if abs(off) > half_width:
            return False
    return line_of_sight(sx, sy, sz, tx, ty, tz, a_m, f)


@numba.njit(cache=True)
def infrared_visible(
    sx: float,
    sy: float,
    sz: float,
    tx: float,
    ty: float,
    tz: float,
    altitude_m: float,
    boosting: bool,
    min_plume_altitude_m: float,
    a_m: float,
    f: float,
) -> bool:
    """Whether an infrared satellite sees a missile's plume at one instant.

    Parameters
    ----------
    sx, sy, sz : float
        Satellite position, ECEF, m.
    tx, ty, tz : float
        Missile position, ECEF, m.
    altitude_m : float
        Missile altitude above the ellipsoid, m; NaN is never visible.
    boosting : bool
        Whether the motor is burning.
    min_plume_altitude_m : float
        Lowest altitude at which the plume is seen (cloud tops), m.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    bool
        True while boosting, at or above the plume altitude, with a line of
        sight that clears the ellipsoid.
    """
    if not boosting or not altitude_m >= min_plume_altitude_m:
        return False
    return line_of_sight(sx, sy, sz, tx, ty, tz, a_m, f)


@numba.njit(cache=True)
def visible(
    packed: FloatArray,
    frames: FloatArray,
    j: int,
    tx: float,
    ty: float,
    tz: float,
    altitude_m: float,
    boosting: bool,
    range_m: float,
    a_m: float,
    f: float,
) -> bool:
    """Whether sensor ``j`` sees a target at one instant (either kind).

    Parameters
    ----------
    packed : ndarray, shape (n_sensors, N_FIELDS)
        `SensorArrays.packed`.
    frames : ndarray, shape (n_sensors, 9)
        `sensor_frames` of the same sensors.
    j : int
        Sensor index.
    tx, ty, tz : float
        Target position, ECEF, m.
    altitude_m : float
        Target altitude above the ellipsoid, m; read by infrared sensors only
        (pass NaN when no infrared sensor is asked).
    boosting : bool
        Whether the target is under thrust; read by infrared sensors only.
    range_m : float
        The radar's detection range against this target
        (`detection_range_m`), m; read by radars only.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    bool
        `radar_visible` or `infrared_visible`, by the sensor's kind.
    """
    p = packed[j]
    if p[KIND] == KIND_INFRARED:
        return infrared_visible(
            p[X], p[Y], p[Z], tx, ty, tz, altitude_m, boosting, p[MIN_PLUME_ALTITUDE_M], a_m, f
        )
    fr = frames[j]
    return radar_visible(
        p[X],
        p[Y],
        p[Z],
        (fr[0], fr[1], fr[2]),
        (fr[3], fr[4], fr[5]),
        (fr[6], fr[7], fr[8]),
        tx,
        ty,
        tz,
        p[BORESIGHT],
        p[HALF_WIDTH],
        p[MIN_ELEVATION],
        p[MAX_ELEVATION],
        range_m,
        a_m,
        f,
    )


@numba.njit(cache=True)
def sensor_frames(packed: FloatArray, a_m: float, f: float) -> FloatArray:
    """Local east, north and up unit vectors of each sensor, ECEF.

    Parameters
    ----------
    packed : ndarray, shape (n_sensors, N_FIELDS)
        `SensorArrays.packed`.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    ndarray, shape (n_sensors, 9)
        East (columns 0-2), north (3-5) and up (6-8) at each sensor's geodetic
        latitude and longitude (`securityroof.core.horizon.enu_basis`),
        dimensionless.
    """
    n = packed.shape[0]
    out = np.empty((n, 9))
    for j in range(n):
        lat, lon, _ = ecef_to_geodetic(packed[j, X], packed[j, Y], packed[j, Z], a_m, f)
        east, north, up = enu_basis(lat, lon)
        for c in range(3):
            out[j, c] = east[c]
            out[j, 3 + c] = north[c]
            out[j, 6 + c] = up[c]
    return out
