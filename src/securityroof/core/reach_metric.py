"""The ground-range metric shared by reach tables and engagements: ground
range from a site along the mean sphere and height above the ellipsoid along
the geocentric radius. Part of the reach-table model (see `reach`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from securityroof.core.constants import SPHERE_RADIUS_M

# Mean Earth radius that turns the central angle into ground range (m); the
# 6,371.0 km of the arms-control literature and of `constants.SPHERE_RADIUS_M`.
MEAN_EARTH_RADIUS_M = SPHERE_RADIUS_M

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
