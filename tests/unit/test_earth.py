"""Frames, look angles, horizon and line of sight (core.earth and core.horizon)."""

import math

import numpy as np
import pytest

from securityroof.core.constants import (
    OMEGA_EARTH_RAD_S,
    SPHERE_RADIUS_M,
    WGS84_A_M,
    WGS84_B_M,
    WGS84_E2,
    WGS84_F,
)
from securityroof.core.earth import (
    ecef_to_eci,
    ecef_to_eci_batch,
    ecef_to_eci_state,
    ecef_to_eci_state_batch,
    ecef_to_geodetic,
    eci_to_ecef,
    eci_to_ecef_batch,
    eci_to_ecef_state,
    eci_to_ecef_state_batch,
    geodetic_to_ecef,
    geodetic_to_ecef_batch,
)
from securityroof.core.horizon import (
    azimuth_angle,
    ecef_to_enu,
    elevation_angle,
    enu_basis,
    enu_to_ecef,
    enu_to_look_angles,
    geodetic_up,
    horizon_dip_angle,
    horizon_ground_range,
    horizon_slant_range,
    line_of_sight,
    line_of_sight_batch,
    look_angles,
    look_angles_batch,
    mutual_horizon_ground_range,
    radius_of_curvature,
    slant_range,
)

R = SPHERE_RADIUS_M
WGS = (WGS84_A_M, WGS84_F)
SPHERE = (R, 0.0)


def _ecef(
    lat_deg: float, lon_deg: float, h_m: float, a_m: float, f: float
) -> tuple[float, float, float]:
    return geodetic_to_ecef(math.radians(lat_deg), math.radians(lon_deg), h_m, a_m, f)


# ---------------------------------------------------------------------------
# Line of sight
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("ell", [WGS, SPHERE], ids=["wgs84", "sphere"])
def test_opposite_sides_of_the_earth_are_blocked(ell: tuple[float, float]) -> None:
    p1 = _ecef(10.0, 20.0, 500e3, *ell)
    p2 = _ecef(-10.0, -160.0, 500e3, *ell)
    assert not line_of_sight(*p1, *p2, *ell)


@pytest.mark.parametrize("ell", [WGS, SPHERE], ids=["wgs84", "sphere"])
def test_points_above_the_same_spot_are_clear(ell: tuple[float, float]) -> None:
    p1 = _ecef(48.0, 11.0, 10.0, *ell)
    p2 = _ecef(48.0, 11.0, 1000e3, *ell)
    assert line_of_sight(*p1, *p2, *ell)
    assert line_of_sight(*p2, *p1, *ell)
    assert line_of_sight(*p1, *p1, *ell)  # a degenerate segment


@pytest.mark.parametrize("target_h_m", [100.0, 10e3, 300e3, 1000e3])
def test_ground_radar_horizon_on_the_sphere(target_h_m: float) -> None:
    # A radar on the surface and a target at height h whose line of sight grazes the
    # surface at the radar itself: the tangent length is sqrt(2 R h + h²) and the
    # central angle acos(R / (R + h)). 5 m nearer in ground range is clear, 5 m
    # farther is blocked.
    radar = _ecef(0.0, 0.0, 0.0, *SPHERE)
    theta = float(horizon_dip_angle(target_h_m, R))
    target = geodetic_to_ecef(0.0, theta, target_h_m, *SPHERE)
    assert slant_range(*radar, *target) == pytest.approx(
        math.sqrt(2.0 * R * target_h_m + target_h_m**2), rel=1e-12
    )
    for dtheta, visible in [(-5.0 / R, True), (5.0 / R, False)]:
        t = geodetic_to_ecef(0.0, theta + dtheta, target_h_m, *SPHERE)
        assert line_of_sight(*radar, *t, *SPHERE) is visible
        assert line_of_sight(*t, *radar, *SPHERE) is visible


@pytest.mark.parametrize(("h1_m", "h2_m"), [(30.0, 10e3), (5e3, 5e3), (10.0, 1200e3)])
def test_grazing_between_two_heights(h1_m: float, h2_m: float) -> None:
    # Radar on a mast and an airborne target: visible up to the sum of the two horizon
    # ground ranges (the ray grazes the sphere between them); +-5 m decides.
    radar = geodetic_to_ecef(0.3, 0.1, h1_m, *SPHERE)
    limit = float(mutual_horizon_ground_range(h1_m, h2_m, R))
    for d_m, visible in [(limit - 5.0, True), (limit + 5.0, False)]:
        t = geodetic_to_ecef(0.3 + d_m / R, 0.1, h2_m, *SPHERE)  # along the meridian
        assert line_of_sight(*radar, *t, *SPHERE) is visible


def test_horizon_along_the_wgs84_equator() -> None:
    # The equator of the ellipsoid is a circle of radius a, and the plane of the
    # equator contains the ray, so the spherical horizon formula is exact there.
    h_m = 2000e3
    radar = _ecef(0.0, 30.0, 0.0, *WGS)
    theta = float(horizon_dip_angle(h_m, WGS84_A_M))
    for dtheta, visible in [(-5.0 / WGS84_A_M, True), (5.0 / WGS84_A_M, False)]:
        t = geodetic_to_ecef(0.0, math.radians(30.0) - theta - dtheta, h_m, *WGS)
        assert line_of_sight(*radar, *t, *WGS) is visible


def test_clearance_raises_the_grazing_surface() -> None:
    # Two points at 100 km symmetric about a ray that grazes at 20 km (on the sphere):
    # (R + h) cos(half angle) = R + 20 km.
    half = math.acos((R + 20e3) / (R + 100e3))
    p1 = geodetic_to_ecef(0.0, -half, 100e3, *SPHERE)
    p2 = geodetic_to_ecef(0.0, half, 100e3, *SPHERE)
    assert line_of_sight(*p1, *p2, *SPHERE)
    assert line_of_sight(*p1, *p2, *SPHERE, 19_990.0)
    assert not line_of_sight(*p1, *p2, *SPHERE, 20_010.0)
    assert not line_of_sight(*p1, *p2, *SPHERE, clearance_m=30e3)


def test_end_below_the_surface_sees_rising_rays() -> None:
    # A ship at -30 m ellipsoidal height (a geoid low) looks 1 deg up: not blocked by
    # the ellipsoid it starts under. Looking 1 deg down it is.
    lat, lon = math.radians(5.0), math.radians(80.0)
    ship = geodetic_to_ecef(lat, lon, -30.0, *WGS)
    for el_deg, visible in [(1.0, True), (-1.0, False)]:
        el = math.radians(el_deg)
        d = enu_to_ecef(0.0, 300e3 * math.cos(el), 300e3 * math.sin(el), lat, lon)
        target = (ship[0] + d[0], ship[1] + d[1], ship[2] + d[2])
        assert line_of_sight(*ship, *target, *WGS) is visible


def test_line_of_sight_batch_broadcasts() -> None:
    radar = _ecef(0.0, 0.0, 0.0, *SPHERE)
    lon = np.linspace(0.01, 1.0, 50)
    tx, ty, tz = geodetic_to_ecef_batch(0.0, lon, 300e3, *SPHERE)
    vis = line_of_sight_batch(*radar, tx, ty, tz, *SPHERE)
    assert vis.shape == (50,)
    expected = [line_of_sight(*radar, tx[i], ty[i], tz[i], *SPHERE) for i in range(50)]
    assert vis.tolist() == expected
    assert vis[0] and not vis[-1]
    vis_c = line_of_sight_batch(*radar, tx, ty, tz, *SPHERE, clearance_m=np.zeros((2, 1)))
    assert vis_c.shape == (2, 50)


# ---------------------------------------------------------------------------
# Look angles
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("ell", [WGS, SPHERE], ids=["wgs84", "sphere"])
@pytest.mark.parametrize("lat_deg", [-89.0, -45.0, 0.0, 33.0, 60.0])
def test_target_straight_overhead_is_at_90_degrees(
    ell: tuple[float, float], lat_deg: float
) -> None:
    site = _ecef(lat_deg, 40.0, 120.0, *ell)
    target = _ecef(lat_deg, 40.0, 800e3, *ell)
    el = elevation_angle(*site, *target, *ell)
    assert el == pytest.approx(math.pi / 2, abs=1e-9)
    assert slant_range(*site, *target) == pytest.approx(800e3 - 120.0, abs=1e-6)


@pytest.mark.parametrize("ell", [WGS, SPHERE], ids=["wgs84", "sphere"])
def test_compass_azimuths_on_the_equator(ell: tuple[float, float]) -> None:
    site = _ecef(0.0, 0.0, 0.0, *ell)
    cases = [((1.0, 0.0), 0.0), ((0.0, 1.0), 90.0), ((-1.0, 0.0), 180.0), ((0.0, -1.0), 270.0)]
    for (lat_deg, lon_deg), az_deg in cases:
        az = azimuth_angle(*site, *_ecef(lat_deg, lon_deg, 0.0, *ell), *ell)
        assert az == pytest.approx(math.radians(az_deg), abs=1e-12)
        assert 0.0 <= az < 2.0 * math.pi


def test_elevation_of_a_surface_point_is_half_the_central_angle() -> None:
    # Chord geometry on the sphere: a point on the surface at central angle theta is
    # seen theta/2 below the horizontal at distance 2 R sin(theta/2).
    theta = 0.2
    site = geodetic_to_ecef(0.0, 0.0, 0.0, *SPHERE)
    tgt = geodetic_to_ecef(0.0, theta, 0.0, *SPHERE)
    az, el, rng = look_angles(*site, *tgt, *SPHERE)
    assert el == pytest.approx(-theta / 2, abs=1e-14)
    assert az == pytest.approx(math.pi / 2, abs=1e-14)
    assert rng == pytest.approx(2 * R * math.sin(theta / 2), rel=1e-14)


def test_geodetic_not_geocentric_elevation() -> None:
    # At 45 deg geodetic latitude on WGS 84 the normal and the radius differ by
    # ~0.19 deg; a target straight up along the radius is 0.19 deg off the zenith.
    site = _ecef(45.0, 0.0, 0.0, *WGS)
    far = 1e7
    r = math.sqrt(sum(c * c for c in site))
    k = 1.0 + far / r
    el = elevation_angle(*site, site[0] * k, site[1] * k, site[2] * k, *WGS)
    lat_gc = math.atan2(site[2], site[0])
    assert math.pi / 2 - el == pytest.approx(math.radians(45.0) - lat_gc, abs=1e-12)
    assert math.degrees(math.pi / 2 - el) == pytest.approx(0.192, abs=1e-3)


def test_enu_basis_is_right_handed_orthonormal_and_up_is_the_normal() -> None:
    for lat, lon in [(0.3, -2.0), (-1.2, 0.5), (math.pi / 2, 0.0), (0.0, math.pi)]:
        e, n, u = (np.array(v) for v in enu_basis(lat, lon))
        m = np.array([e, n, u])
        np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-15)
        np.testing.assert_allclose(np.cross(e, n), u, atol=1e-15)
        np.testing.assert_allclose(u, geodetic_up(lat, lon), atol=0)
        # The ellipsoid normal is the gradient of x²/a² + y²/a² + z²/b² at the foot point.
        p = np.array(geodetic_to_ecef(lat, lon, 0.0, *WGS))
        g = p / np.array([WGS84_A_M**2, WGS84_A_M**2, WGS84_B_M**2])
        np.testing.assert_allclose(g / np.linalg.norm(g), u, atol=1e-15)


def test_enu_round_trip_and_look_angles() -> None:
    lat, lon = 0.7, -1.3
    v = (123.0, -4567.0, 89.0)
    enu = ecef_to_enu(*v, lat, lon)
    assert enu_to_ecef(*enu, lat, lon) == pytest.approx(v, abs=1e-9)
    e, n, u = enu_basis(lat, lon)
    assert enu == pytest.approx((np.dot(v, e), np.dot(v, n), np.dot(v, u)), abs=1e-9)
    az, el, rng = enu_to_look_angles(-1.0, -1.0, math.sqrt(2.0))
    assert az == pytest.approx(math.radians(225.0))
    assert el == pytest.approx(math.radians(45.0))
    assert rng == pytest.approx(2.0)


def test_look_angles_batch_equals_kernel() -> None:
    rng = np.random.default_rng(0)
    p = rng.normal(size=(3, 100)) * 7e6
    site = _ecef(12.0, 34.0, 56.0, *WGS)
    az, el, sr = look_angles_batch(*site, p[0], p[1], p[2], *WGS)
    for i in range(0, 100, 9):
        assert (az[i], el[i], sr[i]) == look_angles(*site, p[0, i], p[1, i], p[2, i], *WGS)


# ---------------------------------------------------------------------------
# Horizon helpers
# ---------------------------------------------------------------------------


def test_horizon_helpers() -> None:
    h = 1000e3
    assert horizon_slant_range(h, R) == pytest.approx(math.sqrt(2 * R * h + h * h))
    assert horizon_dip_angle(h, R) == pytest.approx(math.acos(R / (R + h)))
    assert horizon_ground_range(h, R) == pytest.approx(R * math.acos(R / (R + h)))
    # Small heights: the familiar sqrt(2 R h), 3.57 km for a 1 m eye height.
    assert horizon_ground_range(1.0, R) == pytest.approx(math.sqrt(2 * R), rel=1e-6)
    assert horizon_ground_range(0.0, R) == 0.0
    hs = np.array([0.0, 1e3, 1e6])
    np.testing.assert_allclose(horizon_slant_range(hs, R), np.sqrt(2 * R * hs + hs * hs))


def test_radius_of_curvature() -> None:
    assert radius_of_curvature(0.7, 1.1, R, 0.0) == pytest.approx(R, rel=1e-15)
    # At the equator: east-west N = a, north-south M = a (1 - e²); at the pole both a²/b.
    assert radius_of_curvature(0.0, math.pi / 2, *WGS) == pytest.approx(WGS84_A_M, rel=1e-15)
    assert radius_of_curvature(0.0, 0.0, *WGS) == pytest.approx(
        WGS84_A_M * (1 - WGS84_E2), rel=1e-14
    )
    for az in (0.0, 0.8, math.pi / 2):
        assert radius_of_curvature(math.pi / 2, az, *WGS) == pytest.approx(
            WGS84_A_M**2 / WGS84_B_M, rel=1e-14
        )


# ---------------------------------------------------------------------------
# Geodetic conversion edge cases
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("ell", [WGS, SPHERE], ids=["wgs84", "sphere"])
def test_poles_and_equator(ell: tuple[float, float]) -> None:
    a_m, f = ell
    b_m = a_m * (1 - f)
    for z_sign in (1.0, -1.0):
        lat, lon, h = ecef_to_geodetic(0.0, 0.0, z_sign * (b_m + 1234.0), a_m, f)
        assert lat == z_sign * math.pi / 2
        assert lon == 0.0
        assert h == pytest.approx(1234.0, abs=1e-8)
    lat, lon, h = ecef_to_geodetic(0.0, -(a_m + 50.0), 0.0, a_m, f)
    assert (lat, lon) == (0.0, -math.pi / 2)
    assert h == pytest.approx(50.0, abs=1e-8)


# ---------------------------------------------------------------------------
# Inertial <-> Earth-fixed
# ---------------------------------------------------------------------------


def test_eci_ecef_rotation() -> None:
    w = OMEGA_EARTH_RAD_S
    quarter_s = (math.pi / 2) / w
    # The inertial x axis seen from the Earth after a quarter turn lies along -y.
    assert eci_to_ecef(1.0, 0.0, 0.0, quarter_s, w) == pytest.approx((0.0, -1.0, 0.0), abs=1e-15)
    assert ecef_to_eci(0.0, -1.0, 0.0, quarter_s, w) == pytest.approx((1.0, 0.0, 0.0), abs=1e-15)
    assert eci_to_ecef(1.0, 2.0, 3.0, 0.0, w) == (1.0, 2.0, 3.0)
    p = (4e6, -3e6, 2e6)
    for t in (0.0, 123.4, 86164.0, -50.0):
        assert ecef_to_eci(*eci_to_ecef(*p, t, w), t, w) == pytest.approx(p, abs=1e-8)


def test_velocity_transport_theorem() -> None:
    # v_inertial = v_relative + omega x r: a launcher at rest on the ground at t = 0.
    w = OMEGA_EARTH_RAD_S
    r = _ecef(30.0, 50.0, 0.0, *WGS)
    state = ecef_to_eci_state(*r, 0.0, 0.0, 0.0, 0.0, w)
    expected_v = np.cross([0.0, 0.0, w], r)
    assert state[:3] == pytest.approx(r, abs=1e-9)
    assert state[3:] == pytest.approx(tuple(expected_v), abs=1e-12)
    # At t != 0 with a relative velocity: v_i = R^T (v_rel + omega x r_f).
    t = 1000.0
    vx, vy, vz = 100.0, -2000.0, 3000.0
    v_rel = np.array([vx, vy, vz])
    th = w * t
    rt = np.array([[math.cos(th), -math.sin(th), 0], [math.sin(th), math.cos(th), 0], [0, 0, 1]])
    state = ecef_to_eci_state(*r, vx, vy, vz, t, w)
    np.testing.assert_allclose(state[3:], rt @ (v_rel + np.cross([0, 0, w], r)), atol=1e-12)
    np.testing.assert_allclose(state[:3], rt @ np.array(r), atol=1e-8)
    # And back.
    back = eci_to_ecef_state(*state, t, w)
    np.testing.assert_allclose(back[:3], r, atol=1e-8)
    np.testing.assert_allclose(back[3:], v_rel, atol=1e-10)


def test_inertial_velocity_is_derivative_of_inertial_position() -> None:
    # Independent of the formula: a point fixed on the Earth traces r_i(t) =
    # ecef_to_eci(r_f, t); its central difference must equal the state's velocity.
    w = OMEGA_EARTH_RAD_S
    r = _ecef(-20.0, 140.0, 5e3, *WGS)
    t, dt = 500.0, 1e-2
    plus = np.array(ecef_to_eci(*r, t + dt, w))
    minus = np.array(ecef_to_eci(*r, t - dt, w))
    v_fd = (plus - minus) / (2 * dt)
    state = ecef_to_eci_state(*r, 0.0, 0.0, 0.0, t, w)
    np.testing.assert_allclose(state[3:], v_fd, atol=1e-6)


def test_frame_batches_broadcast() -> None:
    w = OMEGA_EARTH_RAD_S
    t = np.linspace(0.0, 3600.0, 7)
    x, y, z = eci_to_ecef_batch(7e6, 0.0, 1e5, t, w)
    assert x.shape == (7,)
    assert (x[3], y[3], z[3]) == eci_to_ecef(7e6, 0.0, 1e5, t[3], w)
    xi, yi, zi = ecef_to_eci_batch(x, y, z, t, w)
    np.testing.assert_allclose(zi, 1e5, atol=0)
    np.testing.assert_allclose(xi, 7e6, atol=1e-8)
    np.testing.assert_allclose(yi, 0.0, atol=1e-8)
    s = ecef_to_eci_state_batch(x, y, z, 0.0, 0.0, 0.0, t, w)
    assert s.shape == (6, 7)
    assert tuple(s[:, 2]) == ecef_to_eci_state(x[2], y[2], z[2], 0.0, 0.0, 0.0, t[2], w)
    back = eci_to_ecef_state_batch(s[0], s[1], s[2], s[3], s[4], s[5], t, w)
    np.testing.assert_allclose(back[3:], 0.0, atol=1e-9)
