"""Invariants of the engagement model (the issue's list)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from securityroof.analysis.engagement import run_engagements
from securityroof.core.constants import WGS84_A_M, WGS84_F
from securityroof.core.engagement import SiteArrays, engage
from securityroof.core.reach import build_reach_table
from securityroof.model.scenario import load_scenario
from tests.unit.test_engagement import TIMES, path

SLOW = build_reach_table(3000.0, 40.0, 400.0, 900e3, 450e3, 70e3, n_range=90, n_altitude=60)
FAST = build_reach_table(3600.0, 40.0, 400.0, 900e3, 450e3, 70e3, n_range=90, n_altitude=60)
ROOT = Path(__file__).resolve().parents[2]

paths = st.tuples(
    st.floats(-900e3, 1_500e3),  # ground range at t = 0 (m), east of the site
    st.floats(-4000.0, 4000.0),  # ground speed (m/s), negative = toward the west
    st.floats(60e3, 500e3),  # altitude (m)
)


def _sites(delays, tables, positions=None):
    n = len(delays)
    positions = positions if positions is not None else np.tile([[WGS84_A_M, 0.0, 0.0]], (n, 1))
    return SiteArrays(positions, np.array(delays, float), np.full(n, 30.0), np.array(tables))


def _run(threat, sites, tables, fire_control=0.0):
    ground0, speed, altitude = threat
    samples = path(ground0 + speed * TIMES, np.full(TIMES.shape, altitude))
    fc = np.full((1, len(sites.delay_s)), fire_control)
    return engage(samples, TIMES, fc, sites, tables, WGS84_A_M, WGS84_F)


@settings(max_examples=40, deadline=None)
@given(paths)
def test_a_faster_interceptor_never_shrinks_a_window(threat):
    result = _run(threat, _sites([20.0, 20.0], [0, 1]), [SLOW, FAST])
    if result.engageable[0, 0]:
        assert result.engageable[0, 1]
        # Tables hold the earliest entry into a cell: allow one sample (2 s).
        assert result.first_intercept_s[0, 1] <= result.first_intercept_s[0, 0] + 2.0
        assert result.last_intercept_s[0, 1] >= result.last_intercept_s[0, 0] - 2.0


@settings(max_examples=40, deadline=None)
@given(paths, st.floats(0.0, 120.0))
def test_a_longer_delay_never_widens_a_window(threat, extra_delay_s):
    result = _run(threat, _sites([20.0, 20.0 + extra_delay_s], [0, 0]), [SLOW])
    if result.engageable[0, 1]:
        assert result.engageable[0, 0]
        assert result.first_intercept_s[0, 1] >= result.first_intercept_s[0, 0]
        assert result.last_intercept_s[0, 1] <= result.last_intercept_s[0, 0]
        assert result.shots[0, 1] <= result.shots[0, 0]


@settings(max_examples=25, deadline=None)
@given(paths, st.permutations([0, 1, 2]))
def test_results_do_not_depend_on_the_order_of_sites(threat, order):
    lon = np.radians([0.0, 3.0, -4.0])
    positions = np.column_stack([WGS84_A_M * np.cos(lon), WGS84_A_M * np.sin(lon), np.zeros(3)])
    delays, tables = [10.0, 20.0, 30.0], [0, 1, 0]
    base = _run(threat, _sites(delays, tables, positions), [SLOW, FAST])
    order = list(order)
    shuffled = _run(
        threat,
        _sites([delays[i] for i in order], [tables[i] for i in order], positions[order]),
        [SLOW, FAST],
    )
    for field in ("engageable", "first_intercept_s", "last_intercept_s", "shots", "reason"):
        np.testing.assert_array_equal(getattr(shuffled, field), getattr(base, field)[:, order])


def test_adding_a_sensor_never_removes_an_engagement(tmp_path):
    base_text = (ROOT / "examples/epaa-phase-2.toml").read_text()
    extra = tmp_path / "more-sensors.toml"
    extra.write_text(
        base_text
        + '\n[[sites]]\nid = "extra-radar"\nparty = "usa"\nlat_deg = 41.0\nlon_deg = 29.0\n'
        + 'sensors = [{ type = "an-tpy-2-fbm", boresight_deg = 100.0 }]\n'
    )
    before = run_engagements(load_scenario(ROOT / "examples/epaa-phase-2.toml"))
    after = run_engagements(load_scenario(extra))
    assert np.all(after.windows.engageable >= before.windows.engageable)
    both = before.windows.engageable
    assert np.all(after.windows.first_intercept_s[both] <= before.windows.first_intercept_s[both])
    assert np.all(
        np.nan_to_num(after.launch_track_s, nan=np.inf)
        <= np.nan_to_num(before.launch_track_s, nan=np.inf)
    )
