"""Behaviour of the flight kernel's parts: staging, dense output, events, step control."""

from __future__ import annotations

import numpy as np
import pytest

from securityroof.core.dynamics import (
    MODE_GRAVITY_TURN,
    MODE_PITCH_OVER,
    MODE_VERTICAL,
    SEG_MASS0,
    SEG_MDOT,
    SEG_MODE,
    SEG_T0,
    SEG_T1,
    build_segments,
)
from securityroof.core.flight import (
    STATUS_IMPACT,
    STATUS_NO_IMPACT,
    IntegratorSettings,
    VehicleArrays,
    burnout_state_ecef,
    fly_boosted,
    fly_free,
)
from securityroof.core.planet import Planet
from securityroof.core.propagator import _interpolate

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


def _segments(cutoff_s):
    seg = np.empty((7, 8))
    n = build_segments(TWO_STAGE.stages, TWO_STAGE.payload_kg, 6.0, 8.0, cutoff_s, seg)
    return seg[:n]


def test_segments_cover_the_burn_with_continuous_mass_and_staging_drops():
    seg = _segments(np.inf)
    assert seg[0, SEG_T0] == 0.0 and seg[-1, SEG_T1] == pytest.approx(110.0)
    np.testing.assert_array_equal(seg[1:, SEG_T0], seg[:-1, SEG_T1])  # no gaps
    assert list(seg[:, SEG_MODE]) == [MODE_VERTICAL, MODE_PITCH_OVER] + [MODE_GRAVITY_TURN] * 2
    assert seg[0, SEG_MASS0] == pytest.approx(20000 + 2000 + 2000 + 400 + 700)
    # Within stage 1 the mass falls by mdot * t; at staging the 2,000 kg dry stage drops.
    end_of_stage1 = seg[2, SEG_MASS0] - seg[2, SEG_MDOT] * (seg[2, SEG_T1] - seg[2, SEG_T0])
    assert end_of_stage1 == pytest.approx(2000 + 2000 + 400 + 700)
    assert seg[3, SEG_MASS0] == pytest.approx(2000 + 400 + 700)


def test_cutoff_ends_the_burn_early_and_skips_later_stages():
    seg = _segments(40.0)
    assert seg[-1, SEG_T1] == pytest.approx(40.0)
    assert len(seg) == 3  # vertical, pitch-over, gravity turn, all in stage 1


@pytest.mark.parametrize("degree", range(6))
def test_hermite_is_exact_for_quintic_polynomials(degree):
    rng = np.random.default_rng(degree)
    c = rng.normal(size=degree + 1)
    p = np.polynomial.Polynomial(c)
    h = 3.7
    y0 = np.array([p(0.0), 0, 0, p.deriv()(0.0), 0, 0])
    y1 = np.array([p(h), 0, 0, p.deriv()(h), 0, 0])
    f0 = np.array([p.deriv()(0.0), 0, 0, p.deriv(2)(0.0), 0, 0])
    f1 = np.array([p.deriv()(h), 0, 0, p.deriv(2)(h), 0, 0])
    out = np.empty(6)
    for s in (0.0, 0.3, 0.77, 1.0):
        _interpolate(s, h, y0, f0, y1, f1, out)
        assert out[0] == pytest.approx(p(s * h), abs=1e-12)
        assert out[3] == pytest.approx(p.deriv()(s * h), abs=1e-12)


def test_tighter_tolerance_converges():
    planet = Planet.build("wgs84")
    position, velocity = burnout_state_ecef(0.5, 0.5, 100e3, 6000.0, 0.5, 1.0, planet)
    impacts = []
    for tol in (1.0, 1e-2, 1e-4):
        flight = fly_free(
            planet,
            position,
            velocity,
            drag=False,
            settings=IntegratorSettings(
                position_tolerance_m=tol, velocity_tolerance_m_s=tol * 1e-3
            ),
        )
        impacts.append(flight.impact_position_ecef_m[0])
    error_loose = np.linalg.norm(impacts[0] - impacts[2])
    error_mid = np.linalg.norm(impacts[1] - impacts[2])
    assert error_mid < error_loose
    assert error_mid < 1.0  # metres


def test_dense_samples_agree_with_events_and_stop_at_impact():
    planet = Planet.build("wgs84")
    position, velocity = burnout_state_ecef(0.2, 0.3, 0.0, 3000.0, 0.7, 2.0, planet)
    flight = fly_free(
        planet, position, velocity, drag=False, sample_dt_s=1.0, sample_until_s=2000.0
    )
    samples = flight.samples[0]
    t_impact = flight.impact_time_s[0]
    valid = ~np.isnan(samples[:, 0])
    assert valid.sum() == int(np.floor(t_impact)) + 1
    np.testing.assert_allclose(samples[0, :3], position[0], atol=1e-6)
    r = np.linalg.norm(samples[valid, :3], axis=1)
    assert r.max() == pytest.approx(planet.a_m * 0 + r.max())  # finite


def test_orbital_speed_never_impacts():
    planet = Planet.build("sphere", rotating=False, j2=False)
    v_circular = np.sqrt(planet.gm_m3_s2 / (planet.a_m + 300e3))
    position, velocity = burnout_state_ecef(0.0, 0.0, 300e3, v_circular, 0.0, 1.0, planet)
    flight = fly_free(
        planet,
        position,
        velocity,
        drag=False,
        settings=IntegratorSettings(max_flight_time_s=9000.0),
    )
    assert flight.status[0] == STATUS_NO_IMPACT
    assert np.isnan(flight.impact_time_s[0])


def test_boosted_flight_records_burnout_at_the_end_of_the_last_stage():
    planet = Planet.build("wgs84")
    flight = fly_boosted(TWO_STAGE, planet, 0.6, 0.9, 0.0, 1.0, np.radians([3.0, 10.0]))
    assert np.all(flight.status == STATUS_IMPACT)
    np.testing.assert_allclose(flight.burnout_time_s, 110.0)
    # A bigger kick flies a flatter, lower trajectory.
    assert flight.apogee_altitude_m[0] > flight.apogee_altitude_m[1]


def test_the_atmosphere_shortens_the_flight():
    planet = Planet.build("wgs84")
    kicks = np.radians([4.0])
    with_drag = fly_boosted(TWO_STAGE, planet, 0.6, 0.9, 0.0, 1.0, kicks, drag=True)
    vacuum = fly_boosted(TWO_STAGE, planet, 0.6, 0.9, 0.0, 1.0, kicks, drag=False)
    speed_drag = np.linalg.norm(with_drag.burnout_velocity_m_s[0])
    speed_vacuum = np.linalg.norm(vacuum.burnout_velocity_m_s[0])
    assert speed_drag < speed_vacuum
