"""Invariants of drag-free flight, and the effect of the Earth's rotation.

- Energy and angular momentum are conserved in drag-free flight (with J2:
  energy including the J2 potential, and the polar component of angular
  momentum; Vallado, "Fundamentals of Astrodynamics and Applications", 4th
  ed. (2013), eq. 8-16 for the J2 potential).
- On a rotating Earth an eastward launch goes farther than a westward one;
  the amounts are checked against an independent integration in the
  Earth-fixed frame (Coriolis and centrifugal terms, scipy DOP853), which
  shares no code with the flight kernel's inertial formulation.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from securityroof.core.earth import ecef_to_geodetic, ecef_to_geodetic_batch
from securityroof.core.flight import (
    DEFAULT_SETTINGS,
    IntegratorSettings,
    burnout_state_ecef,
    fly_free,
)
from securityroof.core.planet import Planet


def _energy(samples, planet):
    r = samples[..., :3]
    v = samples[..., 3:]
    rn = np.linalg.norm(r, axis=-1)
    sin_lat = r[..., 2] / rn
    p2 = 0.5 * (3.0 * sin_lat**2 - 1.0)
    potential = -planet.gm_m3_s2 / rn * (1.0 - planet.j2 * (planet.j2_radius_m / rn) ** 2 * p2)
    return 0.5 * np.sum(v * v, axis=-1) + potential


TIGHT = IntegratorSettings(position_tolerance_m=1e-3, velocity_tolerance_m_s=1e-6)


@pytest.mark.parametrize("j2", [False, True])
@pytest.mark.parametrize(
    ("settings", "allowed_drift"),
    # Relative drift; 1e-7 of ~3e7 J/kg is 3 J/kg, a speed error of 0.5 mm/s.
    [(DEFAULT_SETTINGS, 1e-7), (TIGHT, 1e-9)],
    ids=["default-tolerance", "tight-tolerance"],
)
def test_energy_and_angular_momentum_are_conserved(j2, settings, allowed_drift):
    planet = Planet.build("wgs84", rotating=False, j2=j2)
    rng = np.random.default_rng(7)
    n = 200
    position, velocity = burnout_state_ecef(
        np.radians(rng.uniform(-80, 80, n)),
        np.radians(rng.uniform(-180, 180, n)),
        rng.uniform(50e3, 400e3, n),
        rng.uniform(2000.0, 7000.0, n),
        np.radians(rng.uniform(5, 75, n)),
        np.radians(rng.uniform(0, 360, n)),
        planet,
    )
    flight = fly_free(
        planet,
        position,
        velocity,
        drag=False,
        sample_dt_s=20.0,
        sample_until_s=4000.0,
        settings=settings,
    )
    assert np.all(flight.status == 0)
    # A non-rotating Earth's fixed frame is inertial: samples are inertial states.
    energy = _energy(flight.samples, planet)
    drift = np.nanmax(np.abs(energy - energy[:, :1]) / np.abs(energy[:, :1]))
    assert drift < allowed_drift
    h = np.cross(flight.samples[..., :3], flight.samples[..., 3:])
    h0 = h[:, :1]
    if j2:
        # J2 is symmetric about the polar axis: only h_z is conserved.
        assert (
            np.nanmax(np.abs(h[..., 2] - h0[..., 2]) / np.linalg.norm(h0, axis=-1)) < allowed_drift
        )
    else:
        assert (
            np.nanmax(np.linalg.norm(h - h0, axis=-1) / np.linalg.norm(h0, axis=-1)) < allowed_drift
        )


def _rotating_frame_flight(planet, position, velocity):
    """Independent reference: integrate in the Earth-fixed frame."""
    w = np.array([0.0, 0.0, planet.omega_rad_s])
    mu, j2, re = planet.gm_m3_s2, planet.j2, planet.j2_radius_m

    def rhs(_t, s):
        r, v = s[:3], s[3:]
        rn = np.linalg.norm(r)
        zr2 = (r[2] / rn) ** 2
        k = 1.5 * j2 * (re / rn) ** 2
        g = (
            -mu
            / rn**3
            * r
            * np.array([1 + k * (1 - 5 * zr2), 1 + k * (1 - 5 * zr2), 1 + k * (3 - 5 * zr2)])
        )
        a = g - 2.0 * np.cross(w, v) - np.cross(w, np.cross(w, r))
        return np.concatenate((v, a))

    def ground(_t, s):
        return ecef_to_geodetic(s[0], s[1], s[2], planet.a_m, planet.f)[2]

    ground.terminal = True
    ground.direction = -1
    sol = solve_ivp(
        rhs,
        (0.0, 20000.0),
        np.concatenate((position, velocity)),
        method="DOP853",
        rtol=1e-12,
        atol=1e-6,
        events=ground,
    )
    return sol.t_events[0][0], sol.y_events[0][0][:3]


def test_rotation_east_beats_west_by_the_independent_amount():
    planet = Planet.build("wgs84", rotating=True, j2=True)
    azimuths = np.radians([90.0, 270.0])
    position, velocity = burnout_state_ecef(
        0.0, np.radians(30.0), 100e3, 6500.0, np.radians(25.0), azimuths, planet
    )
    flight = fly_free(planet, position, velocity, drag=False)
    _, lon, _ = ecef_to_geodetic_batch(*flight.impact_position_ecef_m.T, planet.a_m, planet.f)
    ranges = planet.a_m * np.abs(lon - np.radians(30.0))
    assert ranges[0] > ranges[1] + 500e3  # east is much farther at this speed
    for i in range(2):
        t_ref, impact_ref = _rotating_frame_flight(planet, position[i], velocity[i])
        # Impact time within 1 ms and impact point within 1 m of the reference.
        assert flight.impact_time_s[i] == pytest.approx(t_ref, abs=1e-3)
        assert np.linalg.norm(flight.impact_position_ecef_m[i] - impact_ref) < 1.0
