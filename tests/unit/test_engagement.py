"""The engagement kernel on hand-built threat paths over a site on the equator."""

from __future__ import annotations

import numpy as np
import pytest

from securityroof.core.constants import WGS84_A_M, WGS84_F
from securityroof.core.engagement import (
    BURNOUT_SPEED_M_S,
    DELAY_S,
    KILL_ASSESSMENT_S,
    MAX_ALTITUDE_M,
    MAX_ENGAGEMENT_ANGLE,
    MAX_FLIGHT_TIME_S,
    MAX_GROUND_RANGE_M,
    MIN_ALTITUDE_M,
    MIN_CLOSING_SPEED_M_S,
    N_BATTERY_PARAMETERS,
    REASON_ABOVE_MAX_ALTITUDE,
    REASON_CANNOT_CATCH,
    REASON_KILL_VEHICLE,
    REASON_NO_GUIDANCE,
    REASON_NO_TRACK,
    REASON_NONE,
    REASON_OUT_OF_RANGE,
    REASON_TOO_LATE,
    InterceptorTables,
    SiteArrays,
    battery_lines,
    engage,
    engage_draws,
)
from securityroof.core.reach import build_reach_table

# An SM-3 IA-like interceptor: 3 km/s after a 40 s burn, 900 km reach, 70-450 km altitude.
TABLE = build_reach_table(3000.0, 40.0, 400.0, 900e3, 450e3, 70e3, n_range=90, n_altitude=60)
SITE = SiteArrays(
    position_ecef_m=np.array([[WGS84_A_M, 0.0, 0.0]]),
    delay_s=np.array([20.0]),
    kill_assessment_s=np.array([30.0]),
    table=np.array([0]),
)
TIMES = np.arange(0.0, 1200.0, 2.0)


def path(ground_range_m, altitude_m):
    """Samples along the equator at signed ground range from the site (east > 0)."""
    theta = np.asarray(ground_range_m) / 6_371_000.0
    r = WGS84_A_M + np.asarray(altitude_m)
    position = np.stack([r * np.cos(theta), r * np.sin(theta), np.zeros_like(theta)], axis=-1)
    velocity = np.gradient(position, TIMES, axis=0)
    return np.concatenate([position, velocity], axis=-1)[None, :, :]


def run(samples, fire_control_s=0.0, site=SITE):
    return engage(samples, TIMES, np.array([[fire_control_s]]), site, [TABLE], WGS84_A_M, WGS84_F)


OVERHEAD = path(1_500e3 - 3000.0 * TIMES, np.full(TIMES.shape, 200e3))


def test_a_threat_passing_overhead_is_engaged_inside_the_envelope():
    result = run(OVERHEAD)
    assert result.engageable[0, 0] and result.reason[0, 0] == REASON_NONE
    first, last = result.first_intercept_s[0, 0], result.last_intercept_s[0, 0]
    # The threat enters the 900 km envelope at t = 200 s and leaves it at
    # t = 800 s; the interceptor needs time to fly out, so the window lies inside.
    assert 200.0 < first < last <= 800.0
    assert result.min_altitude_m[0, 0] == pytest.approx(200e3, abs=1.0)  # metres
    assert result.shots[0, 0] >= 2
    # Head-on: the closing speed exceeds the threat's own 3 km/s.
    assert result.closing_speed_m_s[0, 0] > 3000.0


def test_no_track_means_no_engagement():
    assert run(OVERHEAD, fire_control_s=np.nan).reason[0, 0] == REASON_NO_TRACK


def test_a_track_after_the_threat_has_gone_is_too_late():
    assert run(OVERHEAD, fire_control_s=900.0).reason[0, 0] == REASON_TOO_LATE


def test_a_path_beyond_the_reach_is_out_of_range():
    far = path(np.full(TIMES.shape, 2_000e3), np.full(TIMES.shape, 200e3))
    assert run(far).reason[0, 0] == REASON_OUT_OF_RANGE


def test_a_path_above_the_ceiling_is_above_maximum_altitude():
    high = path(1_500e3 - 3000.0 * TIMES, np.full(TIMES.shape, 1_000e3))
    assert run(high).reason[0, 0] == REASON_ABOVE_MAX_ALTITUDE


def test_a_threat_running_away_faster_than_the_interceptor_cannot_be_caught():
    receding = path(300e3 + 6000.0 * TIMES, np.full(TIMES.shape, 150e3))
    result = run(receding)
    assert not result.engageable[0, 0]
    assert result.reason[0, 0] == REASON_CANNOT_CATCH


def test_a_longer_kill_assessment_never_adds_shots():
    quick = run(OVERHEAD)
    slow_site = SiteArrays(SITE.position_ecef_m, SITE.delay_s, np.array([300.0]), SITE.table)
    slow = run(OVERHEAD, site=slow_site)
    assert 1 <= slow.shots[0, 0] <= quick.shots[0, 0]
    assert slow.first_intercept_s[0, 0] == quick.first_intercept_s[0, 0]


# ---------------------------------------------------------------------------
# Guidance tracks, kill-vehicle limits, sub-sample windows and the launch margin
# ---------------------------------------------------------------------------


def run_draw(samples, times=TIMES, launch_s=0.0, guide_s=0.0, delay_s=20.0, **limits):
    """One battery of the SM-3 IA-like table through `engage_draws`, one draw."""
    lines = battery_lines(samples, SITE.position_ecef_m, 900e3, 70e3, 450e3, WGS84_A_M, WGS84_F)
    params = np.zeros((1, 1, N_BATTERY_PARAMETERS))
    params[0, 0, DELAY_S] = delay_s
    params[0, 0, KILL_ASSESSMENT_S] = 30.0
    params[0, 0, MIN_ALTITUDE_M] = 70e3
    params[0, 0, MAX_ALTITUDE_M] = 450e3
    params[0, 0, MAX_GROUND_RANGE_M] = 900e3
    params[0, 0, MAX_FLIGHT_TIME_S] = 400.0
    params[0, 0, BURNOUT_SPEED_M_S] = 3000.0
    params[0, 0, MIN_CLOSING_SPEED_M_S] = limits.get("min_closing_m_s", 0.0)
    params[0, 0, MAX_ENGAGEMENT_ANGLE] = limits.get("max_angle", np.pi)
    out = engage_draws(
        lines,
        times,
        np.array([0]),
        InterceptorTables.stack([[TABLE]]),
        np.zeros((1, 1), dtype=np.int64),
        np.array([[[launch_s]]]),
        np.array([[[guide_s]]]),
        params,
        details=limits.get("details", True),
    )
    return out.single() if limits.get("details", True) else out


def test_a_tail_chase_the_kill_vehicle_cannot_close_is_not_an_intercept():
    # Source: the 2007 tail-chase dispute (catalog kv_limits). A threat receding at
    # 1 km/s is caught kinematically by the interceptor (about 2.1 km/s at 150 km
    # altitude after its climb), but only from behind: the engagement angle is near
    # 180 deg. Tolerance: exact reasons.
    receding = path(50e3 + 1000.0 * TIMES, np.full(TIMES.shape, 150e3))
    free = run_draw(receding)
    assert free.engageable[0, 0]
    assert np.degrees(free.engagement_angle[0, 0]) > 150.0
    assert free.closing_speed_m_s[0, 0] < 2000.0
    limited = run_draw(receding, max_angle=np.radians(90.0))
    assert not limited.engageable[0, 0]
    assert limited.reason[0, 0] == REASON_KILL_VEHICLE
    slow = run_draw(receding, min_closing_m_s=2000.0)
    assert slow.reason[0, 0] == REASON_KILL_VEHICLE
    # Head-on, the same limits allow it.
    assert run_draw(OVERHEAD, max_angle=np.radians(90.0), min_closing_m_s=2000.0).engageable[0, 0]


def test_no_guidance_track_by_the_intercept_means_no_intercept():
    # The threat leaves the envelope at 800 s; a guidance track at 900 s is too late.
    late = run_draw(OVERHEAD, guide_s=900.0)
    assert not late.engageable[0, 0] and late.reason[0, 0] == REASON_NO_GUIDANCE
    # A guidance track in the middle of the window cuts its start.
    mid = run_draw(OVERHEAD, guide_s=500.0)
    assert mid.engageable[0, 0]
    assert mid.first_intercept_s[0, 0] == pytest.approx(500.0, abs=1e-6)  # seconds


def test_window_ends_are_resolved_between_samples():
    # Source: the same path sampled every 10 s and every 0.5 s. Tolerance: the
    # interpolated first intercept agrees with the fine grid's within 2 s, where
    # the coarse samples alone could be 10 s off (reach-table cells of 10 km by
    # 6.5 km cross in about 3 s at these speeds, which bounds the agreement).
    coarse_t = np.arange(0.0, 1200.0, 10.0)
    fine_t = np.arange(0.0, 1200.0, 0.5)

    def sampled(times):
        theta = (1_500e3 - 3000.0 * times) / 6_371_000.0
        r = WGS84_A_M + 200e3
        pos = np.stack([r * np.cos(theta), r * np.sin(theta), np.zeros_like(theta)], axis=-1)
        vel = np.gradient(pos, times, axis=0)
        return np.concatenate([pos, vel], axis=-1)[None]

    coarse = run_draw(sampled(coarse_t), coarse_t, launch_s=3.0)
    fine = run_draw(sampled(fine_t), fine_t, launch_s=3.0)
    assert coarse.first_intercept_s[0, 0] == pytest.approx(fine.first_intercept_s[0, 0], abs=2.0)
    assert coarse.first_intercept_s[0, 0] % 10.0 != 0.0  # not a sample time
    # Where the window closes because the threat leaves the reach table's fan (no
    # flyout time beyond it to interpolate), the end stays on the last sample:
    # early by at most one interval.
    assert 0.0 <= fine.last_intercept_s[0, 0] - coarse.last_intercept_s[0, 0] <= 10.0


def test_the_launch_margin_is_the_delay_an_engagement_survives():
    # The margin is the largest added launch delay that still leaves an intercept.
    margin = run_draw(OVERHEAD, launch_s=100.0).launch_margin_s[0, 0]
    assert margin > 0.0
    assert run_draw(OVERHEAD, launch_s=100.0, delay_s=20.0 + margin - 0.5).engageable[0, 0]
    assert not run_draw(OVERHEAD, launch_s=100.0, delay_s=20.0 + margin + 0.5).engageable[0, 0]
    # The fast summary path agrees.
    summary = run_draw(OVERHEAD, launch_s=100.0, details=False)
    assert summary.launch_margin_s[0, 0, 0] == pytest.approx(margin, abs=1e-9)
    assert summary.engageable[0, 0, 0]
