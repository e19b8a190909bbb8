"""Invariants of the geodesic solutions (securityroof.core.geodesy), on WGS 84 and the sphere.

Tolerances follow the method's accuracy: Vincenty's series are within 0.1 mm of
the exact geodesic (see tests/validation/test_geodesy.py), so metric identities
hold to 0.2 mm and round trips to 1 mm.
"""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from securityroof.core.constants import SPHERE_RADIUS_M, WGS84_A_M, WGS84_F
from securityroof.core.earth import geodetic_to_ecef
from securityroof.core.geodesy import geodesic_direct_batch, geodesic_inverse_batch

MILLIMETRE = 1e-3
METHOD_TOL_M = 2e-4

lats = st.floats(min_value=-math.pi / 2, max_value=math.pi / 2, allow_nan=False)
lons = st.floats(min_value=-math.pi, max_value=math.pi, allow_nan=False)
points = st.tuples(lats, lons)
ellipsoids = st.sampled_from([(WGS84_A_M, WGS84_F), (SPHERE_RADIUS_M, 0.0)])


def _dist(p: tuple[float, float], q: tuple[float, float], a_m: float, f: float) -> float:
    d, _, _ = geodesic_inverse_batch(p[0], p[1], q[0], q[1], a_m, f)
    return float(d)


@settings(deadline=None, max_examples=300)
@given(points, points, ellipsoids)
def test_inverse_distance_is_symmetric(
    p: tuple[float, float], q: tuple[float, float], ell: tuple[float, float]
) -> None:
    assert abs(_dist(p, q, *ell) - _dist(q, p, *ell)) <= METHOD_TOL_M


@settings(deadline=None, max_examples=300)
@given(points, points, points, ellipsoids)
def test_triangle_inequality(
    p: tuple[float, float], q: tuple[float, float], r: tuple[float, float], ell: tuple[float, float]
) -> None:
    assert _dist(p, r, *ell) <= _dist(p, q, *ell) + _dist(q, r, *ell) + METHOD_TOL_M


@settings(deadline=None, max_examples=300)
@given(points, points, ellipsoids)
def test_direct_of_inverse_returns_to_the_end_point(
    p: tuple[float, float], q: tuple[float, float], ell: tuple[float, float]
) -> None:
    # Travel from p along the inverse's azimuth for the inverse's distance: arrive at q.
    d, az1, _ = geodesic_inverse_batch(p[0], p[1], q[0], q[1], *ell)
    lat2, lon2, _ = geodesic_direct_batch(p[0], p[1], az1, d, *ell)
    end = np.array(geodetic_to_ecef(float(lat2), float(lon2), 0.0, *ell))
    target = np.array(geodetic_to_ecef(q[0], q[1], 0.0, *ell))
    assert np.linalg.norm(end - target) <= MILLIMETRE


@settings(deadline=None, max_examples=300)
@given(
    points,
    st.floats(min_value=-math.pi, max_value=math.pi, allow_nan=False),
    st.floats(min_value=1.0, max_value=15_000e3, allow_nan=False),
    ellipsoids,
)
def test_inverse_of_direct_recovers_distance_and_azimuth(
    p: tuple[float, float], az: float, s_m: float, ell: tuple[float, float]
) -> None:
    # Geodesics of up to 15,000 km are shortest paths (the cut locus of a point lies
    # near its antipode, some 20,000 km away), so the inverse finds the same line.
    lat2, lon2, az2 = geodesic_direct_batch(p[0], p[1], az, s_m, *ell)
    d, az1_back, az2_back = geodesic_inverse_batch(p[0], p[1], lat2, lon2, *ell)
    assert abs(float(d) - s_m) <= METHOD_TOL_M
    if abs(p[0]) < math.pi / 2 - 1e-6:  # at a pole the azimuth is a convention
        dev = math.remainder(float(az1_back) - az, 2 * math.pi)
        assert abs(dev) * s_m <= MILLIMETRE
    if abs(float(lat2)) < math.pi / 2 - 1e-6:
        dev = math.remainder(float(az2_back) - float(az2), 2 * math.pi)
        assert abs(dev) * s_m <= MILLIMETRE
