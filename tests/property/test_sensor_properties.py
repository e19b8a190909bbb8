"""Invariants of detection timing (securityroof.core.detection).

Visibility is decided per (threat, sensor, sample), so sensors do not interact:
adding one cannot delay the earliest detection, their order does not matter,
and anything that enlarges a sensor's visible set (a longer detection range, a
larger cross section) can only make detection, track and last sight earlier or
equal (later or equal for last sight). The scenarios are random ballistic-like
arcs (great circle, parabolic height) seen by random radars and geostationary
infrared satellites on WGS 84; times come from the sample grid, so the
comparisons are exact (0 s tolerance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from securityroof.core.constants import WGS84_A_M, WGS84_F
from securityroof.core.detection import DetectionArrays, detect
from securityroof.core.earth import geodetic_to_ecef, geodetic_to_ecef_batch
from securityroof.core.sensors import SensorArrays

A, F = WGS84_A_M, WGS84_F
DT_S = 2.0
N_TIMES = 400
TIMES = np.arange(N_TIMES) * DT_S


@dataclass(frozen=True)
class Scenario:
    samples: np.ndarray  # (n_threats, N_TIMES, 3), m, NaN after impact
    rcs_m2: np.ndarray  # (n_threats,)
    burnout_s: np.ndarray  # (n_threats,)
    sensors: SensorArrays


def _arcs(draw: st.DrawFn, n: int) -> np.ndarray:
    """(n, N_TIMES, 3) ECEF samples of arcs: spherical great circles, parabolic heights."""
    u = st.floats(0.0, 1.0)
    out = np.full((n, N_TIMES, 3), np.nan)
    for i in range(n):
        lat0 = math.radians(25.0 + 15.0 * draw(u))
        lon0 = math.radians(40.0 + 20.0 * draw(u))
        az = 2.0 * math.pi * draw(u)
        range_m = 300e3 + 2700e3 * draw(u)
        tof_s = 200.0 + range_m / 4000.0
        s = TIMES / tof_s
        inflight = s <= 1.0
        d = range_m * s[inflight] / 6.371e6
        lat = np.arcsin(math.sin(lat0) * np.cos(d) + math.cos(lat0) * np.sin(d) * math.cos(az))
        lon = lon0 + np.arctan2(
            math.sin(az) * np.sin(d) * math.cos(lat0), np.cos(d) - math.sin(lat0) * np.sin(lat)
        )
        h = (0.15 + 0.3 * draw(u)) * range_m * 4.0 * s[inflight] * (1.0 - s[inflight])
        x, y, z = geodetic_to_ecef_batch(lat, lon, h, A, F)
        out[i, inflight] = np.column_stack((x, y, z))
    return out


def _radar(draw: st.DrawFn) -> SensorArrays:
    lat = math.radians(draw(st.floats(20.0, 55.0)))
    lon = math.radians(draw(st.floats(20.0, 65.0)))
    lo = draw(st.floats(-5.0, 30.0))
    return SensorArrays.radars(
        geodetic_to_ecef(lat, lon, draw(st.floats(0.0, 2000.0)), A, F),
        reference_range_m=draw(st.floats(100e3, 5000e3)),
        reference_rcs_m2=draw(st.sampled_from([0.01, 0.1, 1.0, 10.0])),
        boresight=math.radians(draw(st.floats(-180.0, 540.0))),
        half_width=math.radians(draw(st.floats(5.0, 200.0))),
        min_elevation=math.radians(lo),
        max_elevation=math.radians(lo + draw(st.floats(10.0, 95.0))),
        track_delay_s=draw(st.sampled_from([0.0, 4.0, 10.0, 30.0])),
        band=draw(st.integers(0, 3)),
        detection_delay_s=draw(st.sampled_from([0.0, 0.0, 2.0])),
    )


def _infrared(draw: st.DrawFn) -> SensorArrays:
    lon = math.radians(draw(st.floats(-30.0, 120.0)))
    return SensorArrays.infrared_satellites(
        geodetic_to_ecef(0.0, lon, 35_786e3, A, F),
        min_plume_altitude_m=draw(st.floats(5e3, 20e3)),
        detection_delay_s=draw(st.sampled_from([0.0, 4.0, 10.0])),
        track_delay_s=draw(st.sampled_from([0.0, 10.0, 40.0])),
    )


def _sensor(draw: st.DrawFn) -> SensorArrays:
    return _infrared(draw) if draw(st.integers(0, 3)) == 0 else _radar(draw)


one_sensor = st.composite(_sensor)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n_threats = draw(st.integers(1, 4))
    n_sensors = draw(st.integers(1, 4))
    sensors = SensorArrays.concat(*(_sensor(draw) for _ in range(n_sensors)))
    rcs = np.array([draw(st.sampled_from([0.001, 0.05, 0.3, 2.0])) for _ in range(n_threats)])
    burnout = np.array([draw(st.floats(30.0, 250.0)) for _ in range(n_threats)])
    return Scenario(_arcs(draw, n_threats), rcs, burnout, sensors)


def _run(sc: Scenario, sensors: SensorArrays | None = None, rcs: np.ndarray | None = None):
    return detect(
        sc.samples,
        TIMES,
        sc.rcs_m2 if rcs is None else rcs,
        sc.sensors if sensors is None else sensors,
        A,
        F,
        burnout_s=sc.burnout_s,
    )


def _never_later(a: np.ndarray, b: np.ndarray) -> bool:
    """Element-wise a <= b, with NaN (never) as +infinity."""
    return bool(np.all(np.where(np.isnan(a), np.inf, a) <= np.where(np.isnan(b), np.inf, b)))


def _equal(a: DetectionArrays, b: DetectionArrays) -> None:
    for name in ("first_visible_s", "first_detection_s", "last_visible_s", "track_s"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.fire_control_s, b.fire_control_s)
    np.testing.assert_array_equal(a.n_visible, b.n_visible)
    np.testing.assert_array_equal(a.n_samples, b.n_samples)


@settings(deadline=None, max_examples=80)
@given(scenarios(), one_sensor())
def test_adding_a_sensor_never_delays_the_earliest_detection(
    sc: Scenario, extra: SensorArrays
) -> None:
    before = _run(sc)
    after = _run(sc, SensorArrays.concat(sc.sensors, extra))
    assert _never_later(after.earliest_detection_s, before.earliest_detection_s)
    assert _never_later(after.earliest_track_s, before.earliest_track_s)
    assert _never_later(
        np.fmin.reduce(after.fire_control_s, axis=1), np.fmin.reduce(before.fire_control_s, axis=1)
    )
    # The sensors already there are unaffected.
    _equal(_columns(after, list(range(sc.sensors.n_sensors))), before)


def _columns(d: DetectionArrays, index: list[int]) -> DetectionArrays:
    return DetectionArrays(
        d.first_visible_s[:, index],
        d.first_detection_s[:, index],
        d.last_visible_s[:, index],
        d.track_s[:, index],
        d.rv_track_s[:, index],
        d.cued_rv_track_s[:, index],
        d.n_visible[:, index],
        d.n_samples,
    )


@settings(deadline=None, max_examples=80)
@given(scenarios(), st.data())
def test_results_do_not_depend_on_the_order_of_sensors(sc: Scenario, data: st.DataObject) -> None:
    perm = data.draw(st.permutations(list(range(sc.sensors.n_sensors))))
    base = _run(sc)
    shuffled = _run(sc, sc.sensors.take(perm))
    _equal(shuffled, _columns(base, perm))
    np.testing.assert_array_equal(shuffled.earliest_detection_s, base.earliest_detection_s)


def _assert_enlarged(bigger: DetectionArrays, smaller: DetectionArrays) -> None:
    assert _never_later(bigger.first_visible_s, smaller.first_visible_s)
    assert _never_later(bigger.first_detection_s, smaller.first_detection_s)
    assert _never_later(bigger.track_s, smaller.track_s)
    seen = np.isfinite(smaller.last_visible_s)
    assert np.all(bigger.last_visible_s[seen] >= smaller.last_visible_s[seen])
    assert np.all(bigger.n_visible >= smaller.n_visible)


@settings(deadline=None, max_examples=80)
@given(scenarios(), st.floats(1.0, 4.0))
def test_a_longer_detection_range_never_delays_detection(sc: Scenario, factor: float) -> None:
    s = sc.sensors
    longer = SensorArrays(
        **{
            **{k: getattr(s, k) for k in s.__dataclass_fields__},
            "reference_range_m": s.reference_range_m * factor,
        }
    )
    _assert_enlarged(_run(sc, longer), _run(sc))


@settings(deadline=None, max_examples=80)
@given(scenarios(), st.floats(1.0, 100.0))
def test_a_larger_cross_section_never_delays_detection(sc: Scenario, factor: float) -> None:
    _assert_enlarged(_run(sc, rcs=sc.rcs_m2 * factor), _run(sc))


@settings(deadline=None, max_examples=80)
@given(scenarios())
def test_timing_is_ordered(sc: Scenario) -> None:
    d = _run(sc)
    inf = np.inf

    def never_as_inf(a: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(a), inf, a)

    first_visible = never_as_inf(d.first_visible_s)
    detection = never_as_inf(d.first_detection_s)
    track = never_as_inf(d.track_s)
    assert np.all(first_visible <= detection)
    assert np.all(detection <= track)
    seen = np.isfinite(d.first_visible_s)
    assert np.all(d.last_visible_s[seen] >= d.first_visible_s[seen])
    assert np.all(np.isnan(d.last_visible_s[~seen]))
    assert np.all(d.n_visible <= d.n_samples[:, None])
    assert np.all((d.n_visible > 0) == seen)
