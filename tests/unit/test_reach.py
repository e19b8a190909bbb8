"""Behaviour of the interceptor reach table: metric, envelope, vehicle, monotony."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from securityroof.core import reach, reach_vehicle
from securityroof.core.flight import IntegratorSettings, fly_boosted
from securityroof.core.planet import Planet

WGS84 = Planet.build("wgs84", rotating=False)
SPHERE = Planet.build("sphere", rotating=False, j2=False)
SITE = np.array([WGS84.a_m, 0.0, 0.0])  # where reach tables are launched from

# A THAAD-like interceptor in round numbers: 3 km/s in 20 s, intercepts from
# 10 to 250 km altitude out to 400 km within 300 s.
ARGS = (3000.0, 20.0, 300.0, 400e3, 250e3, 10e3)


@pytest.fixture(scope="module")
def table():
    return reach.build_reach_table(*ARGS)


def _fly_fan(table, kicks=None):
    """The fan's trajectories again, exactly as the builder flies them."""
    kicks = table.kicks if kicks is None else kicks
    settings = IntegratorSettings(
        position_tolerance_m=reach.FAN_POSITION_TOLERANCE_M,
        velocity_tolerance_m_s=reach.FAN_VELOCITY_TOLERANCE_M_S,
        max_flight_time_s=table.fan_flight_time_s,
    )
    flight = fly_boosted(
        table.interceptor.vehicle,
        table.planet,
        0.0,
        0.0,
        0.0,
        math.pi / 2,
        kicks,
        drag=table.drag,
        sample_dt_s=table.sample_dt_s,
        sample_until_s=table.fan_flight_time_s,
        settings=settings,
    )
    ground, alt = reach.ground_range_and_altitude_batch(
        SITE, flight.samples[:, :, :3], table.planet.a_m, table.planet.f
    )
    speed = np.linalg.norm(flight.samples[:, :, 3:], axis=2)
    times = np.arange(flight.samples.shape[1]) * table.sample_dt_s
    return ground, alt, speed, times


# --- the metric ------------------------------------------------------------------------


def test_metric_on_a_sphere_is_arc_length_and_height():
    angle = 0.1  # rad
    site = np.array([SPHERE.a_m, 0.0, 0.0])
    point = (SPHERE.a_m + 50e3) * np.array([math.cos(angle), 0.0, math.sin(angle)])
    ground, alt = reach.ground_range_and_altitude(site, point, SPHERE.a_m, SPHERE.f)
    assert ground == pytest.approx(reach.MEAN_EARTH_RADIUS_M * angle, abs=1e-6)  # metre
    assert alt == pytest.approx(50e3, abs=1e-6)  # metre


def test_metric_altitude_is_radial_height_above_the_ellipsoid():
    b = WGS84.a_m * (1.0 - WGS84.f)
    # Over the pole and over the equator the radius is the ellipsoid normal.
    _, at_pole = reach.ground_range_and_altitude(SITE, (0.0, 0.0, b + 7e3), WGS84.a_m, WGS84.f)
    _, at_equator = reach.ground_range_and_altitude(
        SITE, (0.0, WGS84.a_m + 7e3, 0.0), WGS84.a_m, WGS84.f
    )
    assert at_pole == pytest.approx(7e3, abs=1e-6)
    assert at_equator == pytest.approx(7e3, abs=1e-6)
    # A quarter turn away, whatever the direction.
    ground, _ = reach.ground_range_and_altitude(SITE, (0.0, 0.0, b), WGS84.a_m, WGS84.f)
    assert ground == pytest.approx(reach.MEAN_EARTH_RADIUS_M * math.pi / 2, abs=1e-6)


def test_metric_batch_matches_the_scalar_kernel():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(5, 4, 3)) * 7e6
    ground, alt = reach.ground_range_and_altitude_batch(SITE, points, WGS84.a_m, WGS84.f)
    assert ground.shape == alt.shape == (5, 4)
    g, h = reach.ground_range_and_altitude(SITE, points[2, 1], WGS84.a_m, WGS84.f)
    assert (ground[2, 1], alt[2, 1]) == (g, h)


# --- envelope and lookup ---------------------------------------------------------------


def test_outside_the_envelope_is_inf_with_the_reason(table):
    cases = [
        (100e3, 5e3, reach.BELOW_MIN_ALTITUDE),
        (100e3, 260e3, reach.ABOVE_MAX_ALTITUDE),
        (410e3, 100e3, reach.BEYOND_MAX_GROUND_RANGE),
        (100e3, math.nan, reach.BELOW_MIN_ALTITUDE),
        (math.nan, 100e3, reach.BEYOND_MAX_GROUND_RANGE),
        # Below min and beyond range: the altitude limits are named first.
        (500e3, 5e3, reach.BELOW_MIN_ALTITUDE),
    ]
    for ground, alt, code in cases:
        t, v, g = reach.time_to_reach(*table.kernel_args(), ground, alt)
        assert t == math.inf and math.isnan(v) and math.isnan(g)
        assert reach.envelope_reason(table.grid, table.time_s, ground, alt) == code


def test_inside_the_grid_but_too_far_for_the_flight_time():
    short = reach.build_reach_table(*ARGS[:2], 60.0, *ARGS[3:])
    # 3 km/s cannot cover 390 km in 60 s.
    t, _, _ = reach.time_to_reach(*short.kernel_args(), 390e3, 100e3)
    assert t == math.inf
    reason = reach.envelope_reason(short.grid, short.time_s, 390e3, 100e3)
    assert reason == reach.NOT_REACHABLE_IN_TIME
    assert reach.REASON_TEXT[reason] == "not reachable within the maximum flight time"


def test_a_reachable_point_has_time_speed_and_angle_of_its_cell(table):
    t, v, g = reach.time_to_reach(*table.kernel_args(), 150e3, 100e3)
    i = int(150e3 // table.range_step_m)
    j = int((100e3 - table.min_altitude_m) // table.altitude_step_m)
    assert (t, v, g) == (table.time_s[i, j], table.speed_m_s[i, j], table.flight_path_angle[i, j])
    assert 0.0 < t < table.max_flight_time_s
    assert 0.0 < v < table.burnout_speed_m_s
    assert -math.pi / 2 < g < math.pi / 2
    assert reach.envelope_reason(table.grid, table.time_s, 150e3, 100e3) == reach.REACHABLE


def test_the_outer_edges_belong_to_the_last_cells(table):
    # The top-right corner lies beyond 3 km/s's reach in 300 s; the bottom-left is the site.
    t, _, _ = reach.time_to_reach(*table.kernel_args(), 0.0, table.min_altitude_m)
    assert t == table.time_s[0, 0]
    reason = reach.envelope_reason(
        table.grid, table.time_s, table.max_ground_range_m, table.max_altitude_m
    )
    expected = reach.REACHABLE if np.isfinite(table.time_s[-1, -1]) else reach.NOT_REACHABLE_IN_TIME
    assert reason == expected


def test_batch_lookup_matches_the_kernel(table):
    ground = np.array([[0.0, 150e3], [300e3, 450e3]])
    alt = np.array([[20e3, 100e3], [5e3, 100e3]])
    t, v, g = reach.time_to_reach_batch(table, ground, alt)
    reasons = reach.envelope_reason_batch(table, ground, alt)
    assert t.shape == reasons.shape == (2, 2)
    for idx in np.ndindex(2, 2):
        expected = reach.time_to_reach(*table.kernel_args(), ground[idx], alt[idx])
        np.testing.assert_array_equal((t[idx], v[idx], g[idx]), expected)
        assert reasons[idx] == reach.envelope_reason(
            table.grid, table.time_s, ground[idx], alt[idx]
        )


@numba.njit(cache=False)
def _earliest_over(grid, time_s, speed, angle, ground, alt):
    best = np.inf
    for k in range(ground.size):
        t, _, _ = reach.time_to_reach(grid, time_s, speed, angle, ground[k], alt[k])
        best = min(best, t)
    return best


def test_the_lookup_kernel_runs_inside_other_kernels(table):
    ground = np.array([300e3, 150e3, 500e3])
    alt = np.array([100e3, 100e3, 100e3])
    expected = min(
        reach.time_to_reach(*table.kernel_args(), g, h)[0] for g, h in zip(ground, alt, strict=True)
    )
    assert _earliest_over(*table.kernel_args(), ground, alt) == expected


# --- the synthesized vehicle -----------------------------------------------------------


@pytest.mark.parametrize(("speed", "burn"), [(1500.0, 5.0), (3000.0, 20.0), (6000.0, 60.0)])
def test_the_synthesized_vehicle_reaches_the_burnout_speed(speed, burn):
    interceptor = reach.synthesize_interceptor(speed, burn)
    # Fly it independently: vacuum, a fine kick fan, the speed where the
    # burnout flight-path angle passes 45 degrees.
    kicks = np.radians(np.linspace(0.0, 180.0, 721))
    flight = fly_boosted(
        interceptor.vehicle,
        WGS84,
        0.3,
        1.0,
        0.0,
        0.4,  # another site and heading: on a still Earth they do not matter
        kicks,
        drag=False,
        settings=IntegratorSettings(max_flight_time_s=burn),
    )
    r, v = flight.burnout_position_ecef_m, flight.burnout_velocity_m_s
    # Flight-path angle above the geocentric horizontal, the module's convention.
    gamma = np.arcsin(np.sum(r * v, axis=1) / np.linalg.norm(r, axis=1) / np.linalg.norm(v, axis=1))
    k = int(np.nanargmin(np.abs(gamma - math.radians(45.0))))
    flown = np.linalg.norm(v[k])
    assert flown == pytest.approx(speed, rel=0.01)  # the brief's 1 %
    assert interceptor.burnout_speed_m_s == pytest.approx(speed, abs=0.01)  # m/s, the secant's goal
    assert 0.0 < interceptor.propellant_fraction < reach_vehicle.MAX_PROPELLANT_FRACTION
    assert interceptor.thrust_to_weight >= reach_vehicle.MIN_THRUST_TO_WEIGHT


def test_the_fan_spans_vertical_to_nearly_horizontal(table):
    angles = table.interceptor.calibration_burnout_angles
    assert table.kicks[0] == 0.0
    assert np.nanmax(angles) == pytest.approx(math.pi / 2, abs=1e-6)
    assert np.nanmin(angles) < math.radians(10.0)
    assert np.all(np.diff(table.kicks) > 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1000.0, 120.0), "thrust-to-weight"),
        ((20000.0, 20.0), "propellant fraction"),
        ((-1.0, 20.0), "must be positive"),
    ],
)
def test_impossible_interceptors_say_what_to_change(args, message):
    with pytest.raises(reach.ReachError, match=message):
        reach.synthesize_interceptor(*args)


@pytest.mark.parametrize(
    "limits",
    [
        (300.0, 400e3, 250e3, 300e3),  # min altitude above max
        (0.0, 400e3, 250e3, 0.0),  # no flight time
        (300.0, -1.0, 250e3, 0.0),  # no range
    ],
)
def test_bad_envelopes_are_refused(limits):
    with pytest.raises(reach.ReachError):
        reach.build_reach_table(3000.0, 20.0, *limits)


def test_a_rotating_earth_is_refused():
    with pytest.raises(reach.ReachError, match="non-rotating"):
        reach.build_reach_table(*ARGS, planet=Planet.build("wgs84"))


# --- the table -------------------------------------------------------------------------


def test_tables_are_cached_and_read_only(table):
    assert reach.build_reach_table(*ARGS) is table
    for arr in (table.time_s, table.speed_m_s, table.flight_path_angle, table.grid):
        assert not arr.flags.writeable
    assert table.time_s.shape == (200, 150)
    assert table.range_edges_m[-1] == table.max_ground_range_m
    assert table.altitude_edges_m[0] == table.min_altitude_m


def test_unreached_cells_have_no_speed_or_angle(table):
    unreached = ~np.isfinite(table.time_s)
    assert np.all(np.isnan(table.speed_m_s[unreached]))
    assert np.all(np.isnan(table.flight_path_angle[unreached]))
    assert np.all(np.isfinite(table.speed_m_s[~unreached]))


def test_the_fan_is_in_every_cell_no_later_than_the_table_says(table):
    # Each trajectory of the fan passes each of its sample points at the
    # sample time; the table holds the earliest passage, so never later.
    ground, alt, _, times = _fly_fan(table)
    t, _, _ = reach.time_to_reach_batch(table, ground, alt)
    inside = np.isfinite(t)
    assert inside.sum() > 10_000
    assert np.all(t[inside] <= np.broadcast_to(times, t.shape)[inside] + 1e-9)


def test_the_vertical_column_fills_in_order_of_altitude(table):
    # Cells straight above the launcher: strictly later the higher they are,
    # up to the top of the vertical shot (or of the grid).
    column = table.time_s[0]
    reached = column[np.isfinite(column)]
    assert reached.size > 100
    assert np.all(np.diff(reached) > 0)


def test_cells_farther_along_a_fan_ray_take_longer(table):
    # Along each trajectory's ascent, consecutive sample points in the table
    # never get earlier by more than one cell's worth: the time the
    # trajectory takes to cross a cell diagonal at its own speed. (A cell
    # holds the earliest entry anywhere in it, and a neighbouring ray may
    # enter the next cell at a nearer corner.)
    ground, alt, speed, _ = _fly_fan(table)
    t, _, _ = reach.time_to_reach_batch(table, ground, alt)
    diagonal = math.hypot(table.range_step_m, table.altitude_step_m)
    checked = 0
    for k in range(table.kicks.size):
        ok = np.isfinite(t[k]) & (speed[k] > 0.0)
        tk, vk, hk = t[k][ok], speed[k][ok], alt[k][ok]
        climbing = np.diff(hk) > 0.0
        slack = diagonal / np.minimum(vk[1:], vk[:-1])
        assert np.all(np.diff(tk)[climbing] >= -slack[climbing])
        # And a steady rise overall: the end of the ascent is later than its start.
        if climbing.sum() > 20:
            assert tk[1:][climbing][-1] > tk[:-1][climbing][0]
        checked += climbing.sum()
    assert checked > 5_000
