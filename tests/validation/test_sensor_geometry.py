"""Sensor coverage against analytic geometry: radar horizon, overhead passes, RCS scaling.

The references are closed-form results on a sphere, so no table is kept in
references/:

- Geometric horizon. A point at height h above a sphere of radius R sees the
  surface out to the tangent point, at slant distance sqrt(2 R h + h^2) and
  central angle acos(R / (R + h)) (right triangle centre-observer-tangent
  point). Two points at heights h1 and h2 see each other up to the sum of their
  central angles. This is the radar horizon with the effective-Earth-radius
  factor k = 1, i.e. without refraction; radar texts draw the same construction
  with k = 4/3 (Skolnik, Introduction to Radar Systems, 3rd ed., 2001, ch. 8).
- Slant range over a sphere. A target at height h and central angle theta
  from a sensor on the surface is at d^2 = R^2 + (R + h)^2 - 2 R (R + h) cos theta
  (law of cosines).
- Radar equation. The detection range goes as the fourth root of the radar
  cross section (Skolnik, op. cit., Sec. 1.2).

Tolerances are one sample interval, stated in metres (ground distance) or
seconds: detection is decided on the sample grid.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from securityroof.core.constants import SPHERE_RADIUS_M, WGS84_A_M, WGS84_F
from securityroof.core.detection import detect
from securityroof.core.earth import ecef_to_geodetic_batch, geodetic_to_ecef
from securityroof.core.flight import VehicleArrays, fly_boosted
from securityroof.core.planet import Planet
from securityroof.core.sensors import SensorArrays

R = SPHERE_RADIUS_M  # 6,371 km
ROUNDING_M = 1e-6  # float rounding of the positions, m


def _equator_track(
    altitude_m: float, theta0: float, theta_rate: float, times: np.ndarray
) -> np.ndarray:
    """(n_times, 3) ECEF positions on the sphere's equator at a constant height.

    Central angle (= longitude) theta0 + theta_rate * t, rad.
    """
    theta = theta0 + theta_rate * times
    r = R + altitude_m
    return np.stack((r * np.cos(theta), r * np.sin(theta), np.zeros_like(theta)), axis=-1)


# ---------------------------------------------------------------------------
# Radar horizon
# ---------------------------------------------------------------------------

SAMPLE_GROUND_M = 100.0  # ground distance between samples at the surface, m
GROUND_SPEED_M_S = 1000.0  # along the surface below the target, m/s


@pytest.mark.parametrize("radar_height_m", [0.0, 30.0, 2000.0])
def test_last_visible_ground_distance_is_the_geometric_horizon(radar_height_m: float) -> None:
    # A radar at longitude 0 on the equator of the 6,371 km sphere, range and
    # elevation unlimited (only the Earth blocks), and targets at three heights
    # flying east away from it along the equator. The horizon ground distance,
    # R (acos(R/(R + h_radar)) + acos(R/(R + h))), must fall between the last
    # visible sample and the next one: within one sample spacing (100 m).
    heights_m = np.array([1e3, 100e3, 300e3, 1000e3])
    horizon_m = R * (np.arccos(R / (R + radar_height_m)) + np.arccos(R / (R + heights_m)))
    dt = SAMPLE_GROUND_M / GROUND_SPEED_M_S
    times = np.arange(0.0, horizon_m.max() / GROUND_SPEED_M_S + 10.0, dt)
    samples = np.stack([_equator_track(h, 0.0, GROUND_SPEED_M_S / R, times) for h in heights_m])
    radar = SensorArrays.radars(
        (R + radar_height_m, 0.0, 0.0),
        reference_range_m=1e9,
        reference_rcs_m2=1.0,
        min_elevation=-0.5 * math.pi,
    )
    det = detect(samples, times, 1.0, radar, R, 0.0)
    last_ground_m = det.last_visible_s[:, 0] * GROUND_SPEED_M_S
    assert np.all(last_ground_m <= horizon_m + ROUNDING_M)
    assert np.all(last_ground_m > horizon_m - SAMPLE_GROUND_M)
    # Every sample up to the horizon was visible (nothing else limits).
    np.testing.assert_array_equal(det.n_visible[:, 0], np.rint(last_ground_m / SAMPLE_GROUND_M) + 1)


def test_slant_range_at_the_horizon() -> None:
    # A radar on the ground: the last visible sample of a target at height h is
    # at most sqrt(2 R h + h^2) away, the tangent length, and the next sample is
    # beyond it; within the slant change over one sample (< 100 m here).
    h = 500e3
    tangent_m = math.sqrt(2.0 * R * h + h * h)
    rate = GROUND_SPEED_M_S / R
    times = np.arange(0.0, 3000.0, SAMPLE_GROUND_M / GROUND_SPEED_M_S)
    track = _equator_track(h, 0.0, rate, times)
    radar = SensorArrays.radars(
        (R, 0.0, 0.0), reference_range_m=1e9, reference_rcs_m2=1.0, min_elevation=-0.5 * math.pi
    )
    det = detect(track[None], times, 1.0, radar, R, 0.0)
    k = int(np.searchsorted(times, det.last_visible_s[0, 0]))
    slant = np.linalg.norm(track[k : k + 2] - np.array([R, 0.0, 0.0]), axis=1)
    assert slant[0] <= tangent_m + ROUNDING_M < slant[1]
    assert slant[1] - slant[0] < SAMPLE_GROUND_M


def test_minimum_elevation_zero_is_the_horizon_of_a_ground_radar() -> None:
    # For a radar at height 0 the horizontal plane is tangent to the sphere, so a
    # 0 deg elevation limit and the Earth's mask cut at the same sample.
    times = np.arange(0.0, 2000.0, SAMPLE_GROUND_M / GROUND_SPEED_M_S)
    samples = _equator_track(300e3, 0.0, GROUND_SPEED_M_S / R, times)[None]
    by_mask = SensorArrays.radars(
        (R, 0.0, 0.0), reference_range_m=1e9, reference_rcs_m2=1.0, min_elevation=-0.5 * math.pi
    )
    by_elevation = SensorArrays.radars(
        (R, 0.0, 0.0), reference_range_m=1e9, reference_rcs_m2=1.0, min_elevation=0.0
    )
    a = detect(samples, times, 1.0, by_mask, R, 0.0)
    b = detect(samples, times, 1.0, by_elevation, R, 0.0)
    assert abs(a.last_visible_s[0, 0] - b.last_visible_s[0, 0]) <= times[1]


# ---------------------------------------------------------------------------
# Overhead pass and radar-equation scaling
# ---------------------------------------------------------------------------

PASS_HEIGHT_M = 400e3  # below R_ref / 2; its horizon, 2,293 km of slant range, beyond 2 R_ref
PASS_SPEED_M_S = 3000.0  # at the target's height
PASS_DT_S = 0.5
REFERENCE_RANGE_M = 1000e3


def _crossing_times(detect_range_m: float) -> tuple[float, float]:
    """Times at which the overhead pass enters and leaves slant range ``detect_range_m``."""
    r = R + PASS_HEIGHT_M
    cos_theta = (R * R + r * r - detect_range_m**2) / (2.0 * R * r)
    theta = math.acos(cos_theta)
    rate = PASS_SPEED_M_S / r
    theta0 = -0.5  # rad: starts 3,186 km of ground distance (3,276 km slant) before the radar
    return (-theta - theta0) / rate, (theta - theta0) / rate


def _overhead_pass(rcs_m2: list[float]):
    r = R + PASS_HEIGHT_M
    times = np.arange(0.0, 1.0 * r / PASS_SPEED_M_S, PASS_DT_S)
    track = _equator_track(PASS_HEIGHT_M, -0.5, PASS_SPEED_M_S / r, times)
    samples = np.repeat(track[None], len(rcs_m2), axis=0)
    radar = SensorArrays.radars(
        (R, 0.0, 0.0), reference_range_m=REFERENCE_RANGE_M, reference_rcs_m2=1.0
    )
    return detect(samples, times, rcs_m2, radar, R, 0.0)


def test_threat_passing_overhead_is_detected_at_the_detection_range() -> None:
    # Enters the 1,000 km sphere at t_in and leaves it at t_out (law of cosines);
    # detection within one sample after t_in, last sight within one before t_out.
    det = _overhead_pass([1.0])
    t_in, t_out = _crossing_times(REFERENCE_RANGE_M)
    assert t_in <= det.first_detection_s[0, 0] < t_in + PASS_DT_S
    assert t_out - PASS_DT_S < det.last_visible_s[0, 0] <= t_out


def test_cross_section_sixteen_times_smaller_halves_the_range() -> None:
    # Radar equation, R proportional to sigma^(1/4): sigma / 16 -> R / 2, 16 sigma -> 2 R.
    det = _overhead_pass([1.0 / 16.0, 16.0])
    for i, factor in enumerate((0.5, 2.0)):
        t_in, t_out = _crossing_times(factor * REFERENCE_RANGE_M)
        assert t_in <= det.first_detection_s[i, 0] < t_in + PASS_DT_S
        assert t_out - PASS_DT_S < det.last_visible_s[i, 0] <= t_out


# ---------------------------------------------------------------------------
# A flown missile seen by a geostationary infrared satellite
# ---------------------------------------------------------------------------

# A generic two-stage missile (the one of tests/unit/test_flight.py): burns 110 s.
TWO_STAGE = VehicleArrays(
    stages=np.array(
        [
            [20000.0, 2000.0, 60.0, 280.0, 250.0, 2.0],
            [2000.0, 400.0, 50.0, 300.0, 300.0, 1.0],
        ]
    ),
    payload_kg=700.0,
    ballistic_coefficient_kg_m2=5000.0,
    vertical_rise_s=6.0,
    pitch_over_s=8.0,
    cd_mach=np.array([0.0, 1.0, 2.0, 10.0]),
    cd=np.array([0.2, 0.4, 0.3, 0.2]),
)


def test_infrared_satellite_sees_the_boost_from_the_cloud_tops_to_burnout() -> None:
    # On rotating WGS 84 with drag: the plume is seen from the first sample at or
    # above 12 km (the flight's own upward crossing of 12 km) to the last sample
    # before burnout, within one sample interval (1 s) of those events.
    planet = Planet.build("wgs84")
    plume_m = 12e3
    flight = fly_boosted(
        TWO_STAGE,
        planet,
        math.radians(35.0),
        math.radians(50.0),
        0.0,
        math.radians(300.0),
        math.radians(20.0),
        levels_m=(plume_m,),
        sample_dt_s=1.0,
        sample_until_s=2000.0,
    )
    times = np.arange(flight.samples.shape[1]) * 1.0
    geo = geodetic_to_ecef(0.0, math.radians(57.0), 35_786e3, WGS84_A_M, WGS84_F)
    ir = SensorArrays.infrared_satellites(geo, min_plume_altitude_m=plume_m)
    burnout_s = flight.burnout_time_s
    det = detect(flight.samples, times, 1.0, ir, WGS84_A_M, WGS84_F, burnout_s=burnout_s)
    up_s = flight.crossings[0, 0, 0]
    assert up_s <= det.first_detection_s[0, 0] < up_s + 1.0
    assert burnout_s[0] - 1.0 < det.last_visible_s[0, 0] <= burnout_s[0]
    # The heights of the samples agree: the first visible one is above the plume altitude.
    k = int(det.first_detection_s[0, 0])
    _, _, h = ecef_to_geodetic_batch(*flight.samples[0, k - 1 : k + 1, :3].T, WGS84_A_M, WGS84_F)
    assert h[0] < plume_m <= h[1]
