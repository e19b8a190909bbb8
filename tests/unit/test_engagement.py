"""The engagement kernel on hand-built threat paths over a site on the equator."""

from __future__ import annotations

import numpy as np
import pytest

from securityroof.core.constants import WGS84_A_M, WGS84_F
from securityroof.core.engagement import (
    REASON_ABOVE_MAX_ALTITUDE,
    REASON_CANNOT_CATCH,
    REASON_NO_TRACK,
    REASON_NONE,
    REASON_OUT_OF_RANGE,
    REASON_TOO_LATE,
    SiteArrays,
    engage,
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
