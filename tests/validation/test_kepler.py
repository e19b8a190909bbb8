"""Drag-free flight on a non-rotating sphere without J2 against the Kepler solution.

Reference: Bate, Mueller & White, "Fundamentals of Astrodynamics" (1971),
ch. 6 (see tests/kepler.py). The issue asks for relative errors below 1e-6 in
range, flight time and apogee altitude.
"""

from __future__ import annotations

import numpy as np
import pytest

from securityroof.core.flight import burnout_state_ecef, fly_free
from securityroof.core.planet import Planet
from securityroof.core.targeting import Launch, best_burnout_angle
from tests.kepler import arc, max_range_angle

SPHERE = Planet.build("sphere", rotating=False, j2=False)
MU, R = SPHERE.gm_m3_s2, SPHERE.a_m


def _fly(speed, gamma, altitude_m, levels=()):
    position, velocity = burnout_state_ecef(
        np.radians(20.0), np.radians(40.0), altitude_m, speed, gamma, np.radians(35.0), SPHERE
    )
    return position, fly_free(SPHERE, position, velocity, drag=False, levels_m=levels)


@pytest.mark.parametrize("altitude_m", [0.0, 250e3])
def test_range_time_apogee_match_kepler(altitude_m):
    speed, gamma = np.meshgrid(np.linspace(2000.0, 7200.0, 14), np.radians(np.linspace(5, 80, 16)))
    speed, gamma = speed.ravel(), gamma.ravel()
    position, flight = _fly(speed, gamma, altitude_m, levels=(100e3,))
    ref = arc(
        MU, R + altitude_m, speed, gamma, np.full(speed.shape, R), np.full(speed.shape, R + 100e3)
    )
    assert np.all(flight.status == 0)
    impact = flight.impact_position_ecef_m
    cos_angle = np.sum(impact * position, axis=1) / (
        np.linalg.norm(impact, axis=1) * np.linalg.norm(position, axis=1)
    )
    range_m = R * np.arccos(np.clip(cos_angle, -1, 1))
    # Relative error 1e-6 (10 m on 10,000 km; 2 ms on 2,000 s).
    np.testing.assert_allclose(range_m, R * ref.range_angle_rad, rtol=1e-6)
    np.testing.assert_allclose(flight.impact_time_s, ref.flight_time_s, rtol=1e-6)
    apogee_alt = ref.apogee_radius_m - R
    np.testing.assert_allclose(flight.apogee_altitude_m, apogee_alt, rtol=1e-6)
    # Altitude events: the upward crossing of 100 km, where the arc climbs through it.
    climbs = (altitude_m < 100e3) & (apogee_alt > 100e3 + 1.0)
    np.testing.assert_allclose(
        flight.crossings[climbs, 0, 0], ref.time_to_radius_up_s[climbs], rtol=1e-6, atol=1e-4
    )
    # ... and the downward crossing lies as far before impact as the climb took.
    np.testing.assert_allclose(
        flight.impact_time_s[climbs] - flight.crossings[climbs, 0, 1],
        ref.time_to_radius_up_s[climbs],
        rtol=1e-6,
        atol=1e-4,
    )


@pytest.mark.parametrize("speed", [3000.0, 5000.0, 7000.0])
def test_best_burnout_angle_is_the_analytic_optimum(speed):
    psi_max, gamma_opt = max_range_angle(MU, R, speed)
    best_range, gamma = best_burnout_angle(
        SPHERE, Launch(np.radians(10.0), np.radians(20.0)), speed, np.radians(80.0), drag=False
    )
    # Range within 1e-6 relative; the angle within 0.05 degrees (range is flat
    # at its maximum, so the angle is the less well determined of the two).
    assert best_range == pytest.approx(R * psi_max, rel=1e-6)
    assert np.degrees(gamma) == pytest.approx(np.degrees(gamma_opt), abs=0.05)
