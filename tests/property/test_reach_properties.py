"""Invariants of interceptor reach: more speed or more time never loses ground."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from securityroof.core import reach

# Small grids keep each table at a few hundredths of a second.
GRID = {"n_range": 60, "n_altitude": 40, "n_kicks": 60}

speed = st.floats(1500.0, 6000.0)
burn = st.floats(3.0, 40.0)
flight_time = st.floats(60.0, 600.0)
ground = st.floats(50e3, 1500e3)
top = st.floats(30e3, 800e3)
bottom_fraction = st.sampled_from([0.0, 0.1, 0.4])


@settings(max_examples=20, deadline=None)
@given(speed, st.floats(20.0, 1500.0), burn, flight_time, ground, top, bottom_fraction)
def test_a_faster_interceptor_is_never_later(v, dv, tb, t_max, r_max, h_max, low):
    slow = reach.build_reach_table(v, tb, t_max, r_max, h_max, low * h_max, **GRID)
    fast = reach.build_reach_table(v + dv, tb, t_max, r_max, h_max, low * h_max, **GRID)
    reached = np.isfinite(slow.time_s)
    # One cell's discretisation: the time the slower interceptor takes to
    # cross a cell diagonal at its speed there. Both tables hold the earliest
    # entry anywhere in a cell, and two different fans may enter a cell at
    # different corners. (Measured over 300 random pairs: the faster one is
    # at most 0.5 s later, against a slack of several seconds.)
    diagonal = math.hypot(slow.range_step_m, slow.altitude_step_m)
    slack = np.full(slow.time_s.shape, np.inf)
    moving = reached & (slow.speed_m_s > 0.0)  # all but the launch cell, at t = 0
    slack[moving] = diagonal / slow.speed_m_s[moving]
    # Every cell the slower one reaches, the faster one reaches too, unless
    # the slower one gets there within one cell's slack of the time limit ...
    inside = reached & (slow.time_s + slack <= t_max)
    assert np.all(np.isfinite(fast.time_s[inside]))
    # ... and no later, up to the slack.
    both = reached & np.isfinite(fast.time_s)
    assert np.all(fast.time_s[both] <= slow.time_s[both] + slack[both])


@settings(max_examples=20, deadline=None)
@given(speed, burn, flight_time, st.floats(0.5, 300.0), ground, top)
def test_a_longer_flight_time_never_shrinks_the_reach(v, tb, t_max, extra, r_max, h_max):
    short = reach.build_reach_table(v, tb, t_max, r_max, h_max, **GRID)
    long_ = reach.build_reach_table(v, tb, t_max + extra, r_max, h_max, **GRID)
    reached = np.isfinite(short.time_s)
    assert np.all(np.isfinite(long_.time_s[reached]))
    # Same fan, sampled on the same grid: no cell later, to the integrator's
    # last step before the shorter limit (1e-3 s; measured 1e-4 s). Cells can
    # get earlier: a trajectory that comes down only after the shorter limit
    # closes the fan between its neighbours' impact points.
    assert np.all(long_.time_s[reached] <= short.time_s[reached] + 1e-3)
    assert np.all(short.time_s[reached] <= t_max)
