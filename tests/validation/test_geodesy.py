"""Frames (earth.py) and geodesics (geodesy.py) against PROJ, GeographicLib and closed forms.

Sources
-------
* PROJ through ``pyproj`` 3.7.2 (test extra), ``Transformer`` EPSG:4979 (WGS 84
  geographic 3D) -> EPSG:4978 (WGS 84 geocentric), and ``pyproj.Geod``, whose
  geodesics are Karney's C library.
* GeographicLib 2.1 (runtime dependency), ``Geodesic.WGS84``: Karney, C. F. F.
  (2013), "Algorithms for geodesics", J. Geodesy 87, 43-55, round-off accurate
  (15 nm in distance).
* The haversine formula (Sinnott, R. W. (1984), "Virtues of the Haversine", Sky
  and Telescope 68(2), 159) and spherical trigonometry for the sphere.

Finding recorded here: PROJ's geocentric -> geodetic conversion is itself
approximate at high altitude (measured: 0.1 mm at 100 km, 8 mm at 1,000 km,
0.3 m at 40,000 km in height), so the ECEF -> geodetic direction is compared
with PROJ only up to 200 km; above that it is validated by the round trip
through the forward conversion, which agrees with PROJ to 3e-8 m everywhere.

The reference values are computed in the test from these libraries, with the
versions above, rather than stored.
"""

import math
from types import ModuleType

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from securityroof.core.constants import SPHERE_RADIUS_M, WGS84_A_M, WGS84_B_M, WGS84_F
from securityroof.core.earth import (
    ecef_to_geodetic,
    ecef_to_geodetic_batch,
    geodetic_to_ecef,
    geodetic_to_ecef_batch,
)
from securityroof.core.geodesy import (
    geodesic_direct,
    geodesic_direct_batch,
    geodesic_inverse,
    geodesic_inverse_batch,
)

MILLIMETRE = 1e-3
MICROMETRE = 1e-6
AZIMUTH_TOL_RAD = 1e-9  # 0.2 milliarcsecond
H_MIN_M = -10e3
H_MAX_M = 40_000e3


@pytest.fixture(scope="module")
def pyproj() -> ModuleType:
    return pytest.importorskip(
        "pyproj", reason="pyproj (test extra) is the PROJ reference for frames and geodesics"
    )


def _wrap(x: np.ndarray) -> np.ndarray:
    """Angle differences reduced to [-pi, pi)."""
    return (x + np.pi) % (2.0 * np.pi) - np.pi


def _geodetic_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points uniform on the sphere, heights spread over -10 km .. 40,000 km.

    Includes both poles, the equator, the date line and heights from 0 to 1 m.
    """
    rng = np.random.default_rng(seed)
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-np.pi, np.pi, n)
    h = np.where(
        rng.uniform(size=n) < 0.5,
        rng.uniform(H_MIN_M, H_MAX_M, n),
        np.clip(
            np.sign(rng.uniform(-0.2, 1.0, n)) * 10.0 ** rng.uniform(-3, 7.6, n), H_MIN_M, H_MAX_M
        ),
    )
    lat[:50] = np.pi / 2
    lat[50:100] = -np.pi / 2
    lat[100:150] = 0.0
    lon[150:200] = np.pi
    h[200:210] = [H_MIN_M, H_MAX_M, 0.0, 1.0, -1.0, 1e3, 1e5, 1e6, 3.6e7, 2e7]
    return lat, lon, h


# ---------------------------------------------------------------------------
# Geodetic <-> ECEF
# ---------------------------------------------------------------------------


def test_geodetic_to_ecef_matches_proj(pyproj: ModuleType) -> None:
    # PROJ EPSG:4979 -> EPSG:4978; tolerance 1 mm (measured 3e-8 m).
    lat, lon, h = _geodetic_sample(20_000, seed=1)
    x, y, z = geodetic_to_ecef_batch(lat, lon, h, WGS84_A_M, WGS84_F)
    tr = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    xr, yr, zr = tr.transform(np.degrees(lon), np.degrees(lat), h)
    err_m = np.sqrt((x - xr) ** 2 + (y - yr) ** 2 + (z - zr) ** 2)
    assert err_m.max() < MILLIMETRE


def test_ecef_to_geodetic_matches_proj_to_200_km(pyproj: ModuleType) -> None:
    # PROJ EPSG:4978 -> EPSG:4979 below 200 km (see the module note); tolerance 1 mm in
    # height and in horizontal position.
    lat, lon, h = _geodetic_sample(20_000, seed=2)
    h = np.clip(h, H_MIN_M, 200e3)
    x, y, z = geodetic_to_ecef_batch(lat, lon, h, WGS84_A_M, WGS84_F)
    lat_c, lon_c, h_c = ecef_to_geodetic_batch(x, y, z, WGS84_A_M, WGS84_F)
    tr = pyproj.Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    lon_r, lat_r, h_r = tr.transform(x, y, z)
    lat_r = np.radians(lat_r)
    lon_r = np.radians(lon_r)
    r_m = WGS84_A_M + h
    assert np.abs(h_c - h_r).max() < MILLIMETRE
    assert (np.abs(lat_c - lat_r) * r_m).max() < MILLIMETRE
    assert (np.abs(_wrap(lon_c - lon_r)) * r_m * np.cos(lat_r)).max() < MILLIMETRE


@pytest.mark.parametrize(
    ("a_m", "f"), [(WGS84_A_M, WGS84_F), (SPHERE_RADIUS_M, 0.0)], ids=["wgs84", "sphere"]
)
def test_geodetic_round_trips(a_m: float, f: float) -> None:
    # Round trips both ways, -10 km .. 40,000 km incl. poles: tolerance 1e-6 m
    # (measured 3e-8 m, the spacing of doubles near 4e7 m).
    lat, lon, h = _geodetic_sample(50_000, seed=3)
    x, y, z = geodetic_to_ecef_batch(lat, lon, h, a_m, f)
    lat2, lon2, h2 = ecef_to_geodetic_batch(x, y, z, a_m, f)
    r_m = a_m + np.abs(h)
    assert np.abs(h2 - h).max() < MICROMETRE
    assert (np.abs(lat2 - lat) * r_m).max() < MICROMETRE
    off_axis = np.abs(lat) < np.pi / 2
    assert (np.abs(_wrap(lon2 - lon)) * r_m * np.cos(lat))[off_axis].max() < MICROMETRE
    x2, y2, z2 = geodetic_to_ecef_batch(lat2, lon2, h2, a_m, f)
    assert np.sqrt((x2 - x) ** 2 + (y2 - y) ** 2 + (z2 - z) ** 2).max() < MICROMETRE


def test_ecef_to_geodetic_near_the_centre() -> None:
    # Inside the evolute (within ~43 km of the centre) several normals pass through
    # a point; the result must still be one of them: ECEF round trip to 1e-6 m.
    rng = np.random.default_rng(4)
    p = rng.uniform(-60e3, 60e3, (3, 20_000))
    p[2, :2000] = 0.0  # equatorial plane
    p[0:2, 2000:4000] = 0.0  # polar axis
    lat, lon, h = ecef_to_geodetic_batch(p[0], p[1], p[2], WGS84_A_M, WGS84_F)
    q = np.array(geodetic_to_ecef_batch(lat, lon, h, WGS84_A_M, WGS84_F))
    assert np.linalg.norm(q - p, axis=0).max() < MICROMETRE
    lat0, _, h0 = ecef_to_geodetic(0.0, 0.0, 0.0, WGS84_A_M, WGS84_F)
    assert lat0 == pytest.approx(np.pi / 2)
    assert h0 == pytest.approx(-WGS84_B_M, abs=MICROMETRE)


def test_sphere_geodetic_is_geocentric() -> None:
    # f = 0: latitude = atan2(z, rho), height = |r| - R exactly (to rounding).
    rng = np.random.default_rng(5)
    p = rng.normal(size=(3, 1000)) * rng.uniform(1e3, 4e7, 1000)
    lat, lon, h = ecef_to_geodetic_batch(p[0], p[1], p[2], SPHERE_RADIUS_M, 0.0)
    rho = np.hypot(p[0], p[1])
    np.testing.assert_allclose(lat, np.arctan2(p[2], rho), rtol=0, atol=1e-15)
    np.testing.assert_allclose(lon, np.arctan2(p[1], p[0]), rtol=0, atol=1e-15)
    # 1e-7 m: a few units in the last place of coordinates up to 8e7 m.
    np.testing.assert_allclose(h, np.linalg.norm(p, axis=0) - SPHERE_RADIUS_M, rtol=0, atol=1e-7)
    x, y, z = geodetic_to_ecef(0.3, -2.0, 1234.5, SPHERE_RADIUS_M, 0.0)
    r = SPHERE_RADIUS_M + 1234.5
    assert (x, y, z) == pytest.approx(
        (r * math.cos(0.3) * math.cos(-2.0), r * math.cos(0.3) * math.sin(-2.0), r * math.sin(0.3)),
        abs=1e-9,
    )


# ---------------------------------------------------------------------------
# Geodesics
# ---------------------------------------------------------------------------


def _pair_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random pairs plus near-antipodal, polar, equatorial and short pairs (rad)."""
    rng = np.random.default_rng(seed)
    lat1 = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon1 = rng.uniform(-np.pi, np.pi, n)
    lat2 = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon2 = rng.uniform(-np.pi, np.pi, n)
    k = n // 8
    # Near-antipodal: offsets from the antipode of 1e-7 .. 1 rad in a random direction.
    s = slice(0, 2 * k)
    eps = 10.0 ** rng.uniform(-7, 0, 2 * k)
    th = rng.uniform(0, 2 * np.pi, 2 * k)
    la_a, lo_a = -lat1[s], lon1[s] + np.pi
    lat2[s] = np.arcsin(np.sin(la_a) * np.cos(eps) + np.cos(la_a) * np.sin(eps) * np.cos(th))
    lon2[s] = lo_a + np.arctan2(
        np.sin(th) * np.sin(eps) * np.cos(la_a), np.cos(eps) - np.sin(la_a) * np.sin(lat2[s])
    )
    # Nearly antipodal along the equator (Vincenty's hardest case) and exactly antipodal.
    s = slice(2 * k, 2 * k + 200)
    lat1[s] = rng.normal(0.0, 1e-3, 200)
    lat2[s] = rng.normal(0.0, 1e-3, 200)
    lon2[s] = lon1[s] + np.pi - rng.uniform(0.0, 0.02, 200)
    lat2[2 * k + 200 : 2 * k + 210] = -lat1[2 * k + 200 : 2 * k + 210]
    lon2[2 * k + 200 : 2 * k + 210] = lon1[2 * k + 200 : 2 * k + 210] + np.pi
    # One end at a pole (exactly, and within 1e-9 rad).
    s = slice(3 * k, 4 * k)
    lat1[s] = rng.choice([np.pi / 2, -np.pi / 2, np.pi / 2 - 1e-9, -np.pi / 2 + 1e-9], k)
    # Along the equator and along meridians.
    s = slice(4 * k, 4 * k + 200)
    lat1[s] = 0.0
    lat2[s] = 0.0
    lon2[s] = lon1[s] + rng.uniform(-2.5, 2.5, 200)
    s = slice(4 * k + 200, 4 * k + 400)
    lon2[s] = lon1[s]
    # Short lines, 1 mm .. 10 km.
    s = slice(5 * k, 6 * k)
    d = 10.0 ** rng.uniform(-9, -3, k)
    lat2[s] = np.clip(lat1[s] + d * rng.normal(size=k), -np.pi / 2, np.pi / 2)
    lon2[s] = lon1[s] + d * rng.normal(size=k)
    return lat1, lon1, lat2, _wrap(lon2)


def _assert_azimuths(dist: np.ndarray, az: np.ndarray, az_ref: np.ndarray) -> None:
    """Azimuths agree to 1e-9 rad on lines over 100 m.

    On shorter lines the azimuth is set by the last bits of the coordinates (the
    radian-to-degree conversion for the reference moves a point by ~1e-9 m), so
    there the test bounds the sideways offset it implies at the far end: 1e-6 m.
    """
    err = np.abs(_wrap(az - az_ref))
    long_line = dist > 100.0
    assert err[long_line].max() < AZIMUTH_TOL_RAD
    assert (err * dist)[~long_line].max() < MICROMETRE


def _karney_inverse(
    geod: Geodesic, lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    mask = Geodesic.DISTANCE | Geodesic.AZIMUTH
    out = np.empty((lat1.size, 3))
    for i in range(lat1.size):
        r = geod.Inverse(
            math.degrees(lat1[i]),
            math.degrees(lon1[i]),
            math.degrees(lat2[i]),
            math.degrees(lon2[i]),
            mask,
        )
        out[i] = r["s12"], math.radians(r["azi1"]), math.radians(r["azi2"])
    return out


def test_inverse_matches_geographiclib() -> None:
    # GeographicLib Geodesic.WGS84: 1 mm in distance (measured 7.6e-5 m), 1e-9 rad in
    # both azimuths (measured 2e-10 rad) over 8,000 pairs incl. near-antipodal and polar.
    lat1, lon1, lat2, lon2 = _pair_sample(8000, seed=6)
    dist, az1, az2 = geodesic_inverse_batch(lat1, lon1, lat2, lon2, WGS84_A_M, WGS84_F)
    ref = _karney_inverse(Geodesic.WGS84, lat1, lon1, lat2, lon2)
    assert np.isfinite(dist).all()
    assert np.abs(dist - ref[:, 0]).max() < MILLIMETRE
    _assert_azimuths(dist, az1, ref[:, 1])
    _assert_azimuths(dist, az2, ref[:, 2])


def test_inverse_matches_pyproj_geod(pyproj: ModuleType) -> None:
    # pyproj.Geod (Karney's C code): same tolerances. Geod.inv returns the back
    # azimuth at point 2, i.e. azimuth2 + 180 deg. Exactly antipodal pairs are left
    # out: their azimuth is not unique and the two codes may choose differently.
    lat1, lon1, lat2, lon2 = _pair_sample(8000, seed=7)
    keep = np.ones(lat1.size, dtype=bool)
    keep[8000 // 4 + 200 : 8000 // 4 + 210] = False
    lat1, lon1, lat2, lon2 = lat1[keep], lon1[keep], lat2[keep], lon2[keep]
    dist, az1, az2 = geodesic_inverse_batch(lat1, lon1, lat2, lon2, WGS84_A_M, WGS84_F)
    geod = pyproj.Geod(ellps="WGS84")
    fwd_deg, back_deg, dist_r = geod.inv(
        np.degrees(lon1), np.degrees(lat1), np.degrees(lon2), np.degrees(lat2)
    )
    assert np.abs(dist - dist_r).max() < MILLIMETRE
    _assert_azimuths(dist, az1, np.radians(fwd_deg))
    _assert_azimuths(dist, az2, np.radians(back_deg) + np.pi)


def _direct_sample(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    lat1 = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon1 = rng.uniform(-np.pi, np.pi, n)
    az1 = rng.uniform(-np.pi, np.pi, n)
    dist = rng.uniform(0.0, 2.5e7, n)  # beyond half the circumference too
    lat1[: n // 10] = rng.choice([np.pi / 2, -np.pi / 2, 0.0], n // 10)
    az1[n // 10 : n // 5] = rng.choice([0.0, np.pi / 2, np.pi, -np.pi / 2], n // 10)
    dist[n // 5 : n // 4] = 10.0 ** rng.uniform(-3, 4, n // 20)
    return lat1, lon1, az1, dist


def _position_error_m(
    lat: np.ndarray,
    lon: np.ndarray,
    lat_r: np.ndarray,
    lon_r: np.ndarray,
    a_m: float = WGS84_A_M,
    f: float = WGS84_F,
) -> np.ndarray:
    """Distance between two nearby points on the surface, m (the ECEF chord)."""
    p = np.array(geodetic_to_ecef_batch(lat, lon, 0.0, a_m, f))
    q = np.array(geodetic_to_ecef_batch(lat_r, lon_r, 0.0, a_m, f))
    return np.linalg.norm(p - q, axis=0)


def test_direct_matches_geographiclib() -> None:
    # GeographicLib: 1 mm in end position (measured 1.2e-4 m), 1e-9 rad in azimuth2
    # (measured 2e-11 rad), 5,000 lines up to 25,000 km incl. from the poles.
    lat1, lon1, az1, dist = _direct_sample(5000, seed=8)
    lat2, lon2, az2 = geodesic_direct_batch(lat1, lon1, az1, dist, WGS84_A_M, WGS84_F)
    geod = Geodesic.WGS84
    ref = np.array(
        [
            [r["lat2"], r["lon2"], r["azi2"]]
            for r in (
                geod.Direct(
                    math.degrees(lat1[i]), math.degrees(lon1[i]), math.degrees(az1[i]), dist[i]
                )
                for i in range(lat1.size)
            )
        ]
    )
    ref = np.radians(ref)
    assert _position_error_m(lat2, lon2, ref[:, 0], ref[:, 1]).max() < MILLIMETRE
    away_from_poles = np.abs(ref[:, 0]) < np.radians(89.99)  # azimuth is ill-defined at a pole
    assert np.abs(_wrap(az2 - ref[:, 2]))[away_from_poles].max() < AZIMUTH_TOL_RAD


def test_direct_matches_pyproj_geod(pyproj: ModuleType) -> None:
    lat1, lon1, az1, dist = _direct_sample(5000, seed=9)
    lat2, lon2, az2 = geodesic_direct_batch(lat1, lon1, az1, dist, WGS84_A_M, WGS84_F)
    geod = pyproj.Geod(ellps="WGS84")
    lon_r, lat_r, back_deg = geod.fwd(np.degrees(lon1), np.degrees(lat1), np.degrees(az1), dist)
    lat_r = np.radians(lat_r)
    lon_r = np.radians(lon_r)
    assert _position_error_m(lat2, lon2, lat_r, lon_r).max() < MILLIMETRE
    away_from_poles = np.abs(lat_r) < np.radians(89.99)
    err = np.abs(_wrap(az2 - np.radians(back_deg) - np.pi))
    assert err[away_from_poles].max() < AZIMUTH_TOL_RAD


def test_kernel_flags_antipodal_failure_and_batch_fills_it() -> None:
    # Nearly antipodal on the equator: Vincenty's iteration runs past lambda = pi.
    lat1, lon1, lat2, lon2 = 0.0, 0.0, math.radians(0.5), math.radians(179.7)
    assert all(math.isnan(v) for v in geodesic_inverse(lat1, lon1, lat2, lon2, WGS84_A_M, WGS84_F))
    dist, az1, az2 = geodesic_inverse_batch(lat1, lon1, lat2, lon2, WGS84_A_M, WGS84_F)
    ref = Geodesic.WGS84.Inverse(0.0, 0.0, 0.5, 179.7)
    assert float(dist) == pytest.approx(ref["s12"], abs=MILLIMETRE)
    assert float(az1) == pytest.approx(math.radians(ref["azi1"]), abs=AZIMUTH_TOL_RAD)
    assert float(az2) == pytest.approx(math.radians(ref["azi2"]), abs=AZIMUTH_TOL_RAD)


# ---------------------------------------------------------------------------
# The sphere (f = 0)
# ---------------------------------------------------------------------------


def _haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray, r_m: float
) -> np.ndarray:
    # Sinnott (1984): d = 2 R asin(sqrt(hav(dlat) + cos lat1 cos lat2 hav(dlon))).
    hav = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2.0 * r_m * np.arcsin(np.sqrt(hav))


def test_sphere_inverse_is_great_circle() -> None:
    # Haversine distance, 1 mm; the haversine itself loses digits near antipodes
    # (asin near 1), so the comparison stops 1 deg short of them, where it is 1e-7 m.
    lat1, lon1, lat2, lon2 = _pair_sample(8000, seed=10)
    dist, az1, az2 = geodesic_inverse_batch(lat1, lon1, lat2, lon2, SPHERE_RADIUS_M, 0.0)
    hav = _haversine_m(lat1, lon1, lat2, lon2, SPHERE_RADIUS_M)
    ok = hav < SPHERE_RADIUS_M * math.radians(179.0)
    assert ok.sum() > 5000
    assert np.abs(dist - hav)[ok].max() < MILLIMETRE
    # Initial bearing by spherical trigonometry (the four-part formula).
    bearing = np.arctan2(
        np.sin(lon2 - lon1) * np.cos(lat2),
        np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(lon2 - lon1),
    )
    not_polar = np.abs(lat1) < np.radians(89.9)
    assert np.abs(_wrap(az1 - bearing))[ok & not_polar & (dist > 1.0)].max() < AZIMUTH_TOL_RAD
    # Everywhere, incl. antipodes, against GeographicLib on the same sphere.
    ref = _karney_inverse(Geodesic(SPHERE_RADIUS_M, 0.0), lat1, lon1, lat2, lon2)
    assert np.abs(dist - ref[:, 0]).max() < MILLIMETRE
    _assert_azimuths(dist, az1, ref[:, 1])
    _assert_azimuths(dist, az2, ref[:, 2])


def test_sphere_direct_is_great_circle() -> None:
    # Destination on a great circle: lat2 = asin(sin lat1 cos d + cos lat1 sin d cos az),
    # lon2 = lon1 + atan2(sin az sin d cos lat1, cos d - sin lat1 sin lat2); 1 mm.
    lat1, lon1, az1, dist = _direct_sample(5000, seed=11)
    lat2, lon2, _ = geodesic_direct_batch(lat1, lon1, az1, dist, SPHERE_RADIUS_M, 0.0)
    d = dist / SPHERE_RADIUS_M
    lat_r = np.arcsin(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(az1))
    lon_r = lon1 + np.arctan2(
        np.sin(az1) * np.sin(d) * np.cos(lat1), np.cos(d) - np.sin(lat1) * np.sin(lat_r)
    )
    p = np.array(geodetic_to_ecef_batch(lat2, lon2, 0.0, SPHERE_RADIUS_M, 0.0))
    q = np.array(geodetic_to_ecef_batch(lat_r, lon_r, 0.0, SPHERE_RADIUS_M, 0.0))
    # The closed form loses longitude from a pole (0/0 in the atan2), so starts at
    # the poles are checked against GeographicLib on the sphere instead.
    polar = np.abs(lat1) == np.pi / 2
    assert polar.sum() > 100
    assert np.linalg.norm(p - q, axis=0)[~polar].max() < MILLIMETRE
    geod = Geodesic(SPHERE_RADIUS_M, 0.0)
    for i in np.flatnonzero(polar):
        r = geod.Direct(math.degrees(lat1[i]), math.degrees(lon1[i]), math.degrees(az1[i]), dist[i])
        err = _position_error_m(
            lat2[i : i + 1],
            lon2[i : i + 1],
            np.radians([r["lat2"]]),
            np.radians([r["lon2"]]),
            SPHERE_RADIUS_M,
            0.0,
        )
        assert err[0] < MILLIMETRE


def test_scalar_kernels_equal_batch() -> None:
    lat1, lon1, lat2, lon2 = _pair_sample(800, seed=12)
    dist, az1, az2 = geodesic_inverse_batch(lat1, lon1, lat2, lon2, WGS84_A_M, WGS84_F)
    for i in range(0, 800, 37):
        d, a1, a2 = geodesic_inverse(lat1[i], lon1[i], lat2[i], lon2[i], WGS84_A_M, WGS84_F)
        if not math.isnan(d):
            assert (d, a1, a2) == pytest.approx((dist[i], az1[i], az2[i]), abs=1e-3)
        la, lo, _ = geodesic_direct(lat1[i], lon1[i], az1[i], dist[i], WGS84_A_M, WGS84_F)
        assert (
            _position_error_m(np.array([la]), np.array([lo]), lat2[i : i + 1], lon2[i : i + 1])[0]
            < MILLIMETRE
        )
