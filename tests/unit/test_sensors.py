"""Sensor visibility rules and detection timing (core.sensors, core.visibility, core.detection)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from securityroof.core.constants import SPHERE_RADIUS_M, WGS84_A_M, WGS84_F
from securityroof.core.detection import (
    DetectionArrays,
    detect,
    detect_draws,
    sensor_parameters,
)
from securityroof.core.detection_inputs import detection_range_m
from securityroof.core.earth import ecef_to_geodetic, geodetic_to_ecef
from securityroof.core.horizon import enu_to_ecef
from securityroof.core.sensors import (
    BAND,
    BORESIGHT,
    KIND,
    KIND_INFRARED,
    KIND_RADAR,
    MIN_PLUME_ALTITUDE_M,
    N_FIELDS,
    SensorArrays,
    X,
    Z,
)
from securityroof.core.sightlines import sightlines
from securityroof.core.signatures import (
    BAND_UHF,
    BAND_X,
    N_BANDS,
    N_OBJECTS,
    OBJECT_BOOSTER,
    OBJECT_BUS,
    OBJECT_RV,
    OBJECT_UPPER_STAGE,
)
from securityroof.core.visibility import sensor_frames, visible

A, F = WGS84_A_M, WGS84_F
DEG = math.radians
SECOND = 1e-9  # tolerance on times that the grid gives exactly (s)
# Geostationary altitude above the equator, 35,786 km: Vallado, Fundamentals of
# Astrodynamics and Applications, 4th ed. (2013), Sec. 2.2 (a = 42,164 km).
GEO_ALTITUDE_M = 35_786e3

SITE = (DEG(52.0), DEG(13.0), 50.0)  # a radar site: lat, lon (rad), height (m)
SITE_ECEF = geodetic_to_ecef(*SITE, A, F)


def _at_look(az_deg: float, el_deg: float, range_m: float) -> tuple[float, float, float]:
    """ECEF position seen from SITE at an azimuth, geodetic elevation and slant range."""
    az, el = DEG(az_deg), DEG(el_deg)
    e = range_m * math.cos(el) * math.sin(az)
    n = range_m * math.cos(el) * math.cos(az)
    u = range_m * math.sin(el)
    dx, dy, dz = enu_to_ecef(e, n, u, SITE[0], SITE[1])
    return SITE_ECEF[0] + dx, SITE_ECEF[1] + dy, SITE_ECEF[2] + dz


def _radar(**kw: object) -> SensorArrays:
    args: dict[str, object] = {"reference_range_m": 1.0e6, "reference_rcs_m2": 1.0}
    args.update(kw)
    return SensorArrays.radars(SITE_ECEF, **args)


def _snapshot(points: list[tuple[float, float, float]]) -> np.ndarray:
    """One sample per threat: shape (n_threats, 1, 3)."""
    return np.array(points, dtype=np.float64).reshape(-1, 1, 3)


def _seen(points: list[tuple[float, float, float]], sensors: SensorArrays) -> list[bool]:
    det = detect(_snapshot(points), [0.0], 1.0, sensors, A, F)
    return [bool(v) for v in np.isfinite(det.first_detection_s[:, 0])]


# ---------------------------------------------------------------------------
# Radar field of regard
# ---------------------------------------------------------------------------


def test_azimuth_sector_wraps_through_north() -> None:
    # Boresight 350 deg, half-width 20 deg: the sector is 330 deg .. 10 deg through north.
    radar = _radar(boresight=DEG(350.0), half_width=DEG(20.0))
    az_deg = [5.0, 355.0, 335.0, 9.5, 15.0, 325.0, 180.0, 90.0]
    seen = _seen([_at_look(a, 20.0, 300e3) for a in az_deg], radar)
    assert seen == [True, True, True, True, False, False, False, False]


def test_azimuth_sector_without_wrap_and_negative_boresight() -> None:
    east = _radar(boresight=DEG(90.0), half_width=DEG(30.0))
    assert _seen([_at_look(a, 10.0, 300e3) for a in (61.0, 119.0, 50.0, 130.0)], east) == [
        True,
        True,
        False,
        False,
    ]
    # A boresight given as -10 deg is the same sector as 350 deg.
    west_of_north = _radar(boresight=DEG(-10.0), half_width=DEG(20.0))
    assert _seen([_at_look(a, 10.0, 300e3) for a in (5.0, 335.0, 15.0)], west_of_north) == [
        True,
        True,
        False,
    ]


def test_all_round_radar_sees_every_azimuth() -> None:
    radar = _radar(half_width=math.pi)
    assert all(_seen([_at_look(a, 10.0, 300e3) for a in range(0, 360, 15)], radar))


def test_elevation_limits() -> None:
    radar = _radar(min_elevation=DEG(5.0), max_elevation=DEG(60.0))
    el_deg = [3.0, 4.9, 5.1, 30.0, 59.9, 60.1, 85.0]
    seen = _seen([_at_look(45.0, e, 200e3) for e in el_deg], radar)
    assert seen == [False, False, True, True, True, False, False]


def test_slant_range_limit_and_rcs_scaling() -> None:
    radar = _radar(reference_range_m=500e3, reference_rcs_m2=1.0)
    points = [_at_look(45.0, 20.0, r) for r in (499e3, 501e3, 249e3, 251e3)]
    det = detect(_snapshot(points), [0.0], [1.0, 1.0, 1.0 / 16.0, 1.0 / 16.0], radar, A, F)
    assert list(np.isfinite(det.first_detection_s[:, 0])) == [True, False, True, False]


def test_detection_range_is_fourth_root_of_cross_section() -> None:
    assert detection_range_m(1000e3, 1.0, 1.0 / 16.0) == pytest.approx(500e3, abs=1e-6)
    assert detection_range_m(1000e3, 0.1, 1.6) == pytest.approx(2000e3, abs=1e-6)
    assert detection_range_m(1000e3, 1.0, 0.0) == 0.0


def test_radar_does_not_see_through_the_earth() -> None:
    # Inside range, within elevation limits of an upward-looking radar on the far
    # side: a target on the other side of the globe at 500 km altitude.
    antipode = geodetic_to_ecef(-SITE[0], SITE[1] + math.pi, 500e3, A, F)
    radar = _radar(reference_range_m=2e7, min_elevation=-DEG(90.0))
    assert _seen([antipode, _at_look(0.0, 10.0, 1000e3)], radar) == [False, True]


# ---------------------------------------------------------------------------
# Runs, delays, tracks
# ---------------------------------------------------------------------------


def _pattern_samples(pattern: str) -> np.ndarray:
    """One threat whose samples are visible ('1'), out of range ('0') or NaN ('x')."""
    near = _at_look(30.0, 20.0, 100e3)
    far = _at_look(30.0, 20.0, 5000e3)
    out = np.empty((1, len(pattern), 3))
    for k, c in enumerate(pattern):
        out[0, k] = near if c == "1" else far if c == "0" else np.nan
    return out


@pytest.mark.parametrize(
    ("pattern", "track_s"),
    [
        # 0..3 visible (3 s, too short), gap at 4, 5..15 visible: track at 5 + 5 s.
        ("1111011111111111" + "00000", 10.0),
        # A second gap at 8 resets the run: 9..15 lasts 6 s, track at 9 + 5 s.
        ("1111011101111111" + "00000", 14.0),
        # No run reaches 5 s: no track.
        ("1111011110111100" + "00000", math.nan),
        # A run of exactly the delay (5..10) is enough.
        ("0000011111100000" + "11100", 10.0),
        # NaN samples break runs like invisible ones: 0..4 and 6..9 are too short.
        ("11111x1111x111111" + "xxxx", 16.0),
    ],
)
def test_track_needs_continuous_visibility(pattern: str, track_s: float) -> None:
    times = np.arange(len(pattern), dtype=np.float64)
    radar = _radar(track_delay_s=5.0)
    det = detect(_pattern_samples(pattern), times, 1.0, radar, A, F)
    visible_times = times[np.array([c == "1" for c in pattern])]
    assert det.first_visible_s[0, 0] == visible_times[0]
    assert det.first_detection_s[0, 0] == visible_times[0]  # no detection delay
    assert det.last_visible_s[0, 0] == visible_times[-1]
    assert det.n_visible[0, 0] == visible_times.size
    assert det.n_samples[0] == sum(c != "x" for c in pattern)
    np.testing.assert_allclose(det.track_s[0, 0], track_s, atol=SECOND, equal_nan=True)
    np.testing.assert_allclose(det.fire_control_s[0, 0], track_s, atol=SECOND, equal_nan=True)


def _objects(booster: float, stage: float, bus: float, rv: float) -> np.ndarray:
    """(1, 1, N_OBJECTS, N_BANDS) root cross sections, the same in every band."""
    rcs = np.zeros((1, 1, N_OBJECTS, N_BANDS))
    for o, value in ((OBJECT_BOOSTER, booster), (OBJECT_UPPER_STAGE, stage), (OBJECT_BUS, bus)):
        rcs[0, 0, o] = value
    rcs[0, 0, OBJECT_RV] = rv
    return rcs**0.25


def _draw(
    samples: np.ndarray,
    times: np.ndarray,
    sensors: SensorArrays,
    root_rcs: np.ndarray,
    burnout_s: float,
    cue_from: np.ndarray | None = None,
    cue_gain: float = 1.0,
) -> DetectionArrays:
    n = sensors.n_sensors
    params = sensor_parameters(sensors, cue_gain)
    reach = np.where(sensors.kind == KIND_RADAR, params[0, :, 0] * cue_gain * 10.0, 0.0)
    lines = sightlines(samples, times, np.array([burnout_s]), sensors, reach, A, F)
    return detect_draws(
        lines,
        times,
        sensors.kind,
        np.maximum(sensors.band, 0),
        np.zeros((n, n), dtype=bool) if cue_from is None else cue_from,
        np.zeros((1, 1), dtype=np.int64),
        root_rcs,
        params,
    ).single()


def test_warning_sees_any_object_and_fire_control_only_the_rv_after_burnout() -> None:
    # Source: the object model of securityroof.core.signatures. Tolerance: exact
    # times on the 1 s grid. At 700 km a 1 m^2-reference radar of 1,000 km range
    # sees 0.25 m^2 (707 km) but not 0.2 m^2 (669 km).
    times = np.arange(10.0)
    samples = np.repeat(np.array(_at_look(30.0, 20.0, 700e3))[None, None, :], 10, axis=1)
    radar = _radar(reference_range_m=1000e3, track_delay_s=2.0)
    # A bright booster (burnout at 3 s), then a bright stage and bus, a small RV.
    det = _draw(samples, times, radar, _objects(1.0, 1.0, 1.0, 0.2), 3.0)
    assert det.first_visible_s[0, 0] == 0.0
    assert det.track_s[0, 0] == 2.0
    assert math.isnan(det.rv_track_s[0, 0])
    # An RV big enough is tracked, from burnout on only.
    det = _draw(samples, times, radar, _objects(1.0, 1.0, 1.0, 0.25), 3.0)
    assert det.rv_track_s[0, 0] == 6.0  # first post-boost sample 4 s, plus 2 s
    assert det.fire_control_s[0, 0] == 6.0


def test_stage_and_bus_are_gone_once_the_rv_descends_through_100_km() -> None:
    # Source: securityroof.core.signatures.ACCOMPANY_FLOOR_M. Tolerance: exact samples.
    # A vertical up-and-down flight over a radar; warning range covers it all
    # for the stage, not for the RV.
    heights = np.array([50, 150, 250, 300, 250, 150, 90, 50]) * 1e3
    samples = np.array([geodetic_to_ecef(*SITE[:2], h, A, F) for h in heights])[None]
    times = np.arange(heights.size, dtype=np.float64)
    radar = _radar(reference_range_m=400e3, min_elevation=DEG(-90.0))
    det = _draw(samples, times, radar, _objects(0.0, 1.0, 0.0, 1e-6), 0.5)
    # Seen from 1 s (stage present) while the RV is above 100 km; at 90 km it is gone.
    assert det.first_visible_s[0, 0] == 1.0
    assert det.last_visible_s[0, 0] == 5.0


def test_a_cue_extends_the_cued_radars_reach_from_the_cue_on() -> None:
    # Source: the search radar equation, R^4 proportional to t_s / Omega (Skolnik,
    # Introduction to Radar Systems, 3rd ed., Sec. 2.13): cued_range_gain
    # multiplies the range. Tolerance: exact samples.
    times = np.arange(20.0)
    far = np.array(_at_look(30.0, 20.0, 1200e3))
    samples = np.repeat(far[None, None, :], 20, axis=1)
    cuer = _radar(reference_range_m=3000e3)  # sees the 1 m^2 RV at 1,200 km
    cued = _radar(reference_range_m=1000e3)  # does not, unless cued (gain 1.5)
    both = SensorArrays.concat(cuer, cued)
    cue_from = np.array([[False, True], [False, False]])
    rcs = _objects(1.0, 1.0, 1.0, 1.0)
    det = _draw(samples, times, both, rcs, 0.5, cue_from, cue_gain=1.5)
    assert det.track_s[0, 0] == 0.0  # the cuer's warning track, at once (no delay)
    assert math.isnan(det.rv_track_s[0, 1])  # its own search never reaches
    assert det.cued_rv_track_s[0, 1] == 1.0  # first post-boost sample after the cue
    no_gain = _draw(samples, times, both, rcs, 0.5, cue_from, cue_gain=1.0)
    assert math.isnan(no_gain.cued_rv_track_s[0, 1])
    uncued = _draw(samples, times, both, rcs, 0.5, np.zeros((2, 2), dtype=bool), cue_gain=1.5)
    assert math.isnan(uncued.cued_rv_track_s[0, 1])


def test_infrared_cues_radars_only_in_stereo() -> None:
    # Source: a single satellite measures a line of sight; two give a position
    # (catalog source sbirs_role). Tolerance: exact samples.
    samples = _climb(10.0, 2000.0, 40)  # 20 km at 10 s, boosting to 30 s
    times = np.arange(40.0)
    sat_a = SensorArrays.infrared_satellites(GEO_0, min_plume_altitude_m=9.5e3)
    sat_b = SensorArrays.infrared_satellites(
        geodetic_to_ecef(0.0, DEG(40.0), GEO_ALTITUDE_M, A, F), min_plume_altitude_m=15.5e3
    )
    radar = SensorArrays.radars(
        geodetic_to_ecef(0.0, DEG(10.5), 0.0, A, F),
        reference_range_m=50e3,  # the plain search reaches 50 km: not the RV at 60 km+
        reference_rcs_m2=1.0,
        min_elevation=0.0,
    )
    sensors = SensorArrays.concat(sat_a, sat_b, radar)
    rcs = _objects(1.0, 1.0, 1.0, 1.0)
    cue = np.zeros((3, 3), dtype=bool)
    cue[0, 2] = cue[1, 2] = True
    det = _draw(samples, times, sensors, rcs, 30.0, cue, cue_gain=100.0)
    # Tracks: satellite A at 5 s (10 km), B at 8 s (16 km); the stereo cue is at 8 s,
    # and the cued radar first sees the RV after burnout, at 31 s.
    assert det.track_s[0, 0] == 5.0 and det.track_s[0, 1] == 8.0
    assert det.cued_rv_track_s[0, 2] == 31.0
    mono = cue.copy()
    mono[1, 2] = False
    det = _draw(samples, times, sensors, rcs, 30.0, mono, cue_gain=100.0)
    assert math.isnan(det.cued_rv_track_s[0, 2])


def test_detection_delay_needs_persistence_and_the_track_delay_counts_from_detection() -> None:
    # Run 0..1 (1 s) is shorter than the 3 s detection delay; run 3..9 detects at
    # 3 + 3 = 6 and forms a track 2 s of continued visibility later, at 8.
    radar = _radar(detection_delay_s=3.0, track_delay_s=2.0)
    det = detect(_pattern_samples("1101111111"), np.arange(10.0), 1.0, radar, A, F)
    assert det.first_visible_s[0, 0] == 0.0
    assert det.first_detection_s[0, 0] == 6.0
    assert det.track_s[0, 0] == 8.0
    # A gap after the detection restarts both.
    det = detect(_pattern_samples("1111101111"), np.arange(10.0), 1.0, radar, A, F)
    assert det.first_detection_s[0, 0] == 3.0
    assert math.isnan(det.track_s[0, 0])


def test_run_length_on_a_decimal_grid_is_inclusive() -> None:
    # Grid times k * 0.1 s are not exact in binary; a 0.3 s run still meets a 0.3 s delay.
    times = np.arange(12) * 0.1
    radar = _radar(track_delay_s=0.3)
    for start in range(1, 8):
        pattern = "0" * start + "1111" + "0" * (8 - start)
        det = detect(_pattern_samples(pattern), times, 1.0, radar, A, F)
        assert det.track_s[0, 0] == pytest.approx(times[start] + 0.3, abs=SECOND)


def test_visible_fraction_counts_in_flight_samples() -> None:
    det = detect(_pattern_samples("1100xxxx"), np.arange(8.0), 1.0, _radar(), A, F)
    assert det.n_samples[0] == 4
    assert det.visible_fraction[0, 0] == 0.5


# ---------------------------------------------------------------------------
# Infrared satellites
# ---------------------------------------------------------------------------

GEO_0 = geodetic_to_ecef(0.0, 0.0, GEO_ALTITUDE_M, A, F)


def _climb(lon_deg: float, climb_rate_m_s: float, n: int) -> np.ndarray:
    """One threat rising vertically at the equator: altitude = rate * t, t = 0, 1, ... s."""
    h = climb_rate_m_s * np.arange(n, dtype=np.float64)
    return np.array([geodetic_to_ecef(0.0, DEG(lon_deg), hh, A, F) for hh in h]).reshape(1, n, 3)


def test_infrared_sees_only_while_boosting_above_the_plume_altitude() -> None:
    samples = _climb(10.0, 200.0, 121)  # 11.8 km at t = 59 s, 12 km at t = 60 s
    times = np.arange(121.0)
    ir = SensorArrays.infrared_satellites(GEO_0, min_plume_altitude_m=11.9e3)
    det = detect(samples, times, 1.0, ir, A, F, burnout_s=80.0)
    assert det.first_visible_s[0, 0] == 60.0
    assert det.first_detection_s[0, 0] == 60.0
    assert det.last_visible_s[0, 0] == 80.0
    assert det.n_visible[0, 0] == 21
    # A boost that ends below the cloud tops is never seen.
    early = detect(samples, times, 1.0, ir, A, F, burnout_s=55.0)
    assert math.isnan(early.first_visible_s[0, 0])
    assert early.n_visible[0, 0] == 0


def test_infrared_detection_delay_and_track_end_with_the_boost() -> None:
    samples = _climb(10.0, 200.0, 121)
    ir = SensorArrays.infrared_satellites(
        GEO_0, min_plume_altitude_m=11.9e3, detection_delay_s=10.0, track_delay_s=30.0
    )
    det = detect(samples, np.arange(121.0), 1.0, ir, A, F, burnout_s=80.0)
    assert det.first_detection_s[0, 0] == 70.0
    assert math.isnan(det.track_s[0, 0])  # 20 s of boost above the plume altitude < 10 + 30 s
    longer = detect(samples, np.arange(121.0), 1.0, ir, A, F, burnout_s=100.0)
    assert longer.track_s[0, 0] == 100.0


def test_infrared_ignores_cross_section_and_range() -> None:
    samples = _climb(10.0, 200.0, 121)
    ir = SensorArrays.infrared_satellites(GEO_0, min_plume_altitude_m=11.9e3)
    det = detect(samples, np.arange(121.0), 0.0, ir, A, F, burnout_s=80.0)
    assert det.first_visible_s[0, 0] == 60.0


def test_geostationary_satellite_is_masked_by_the_earth() -> None:
    # From GEO the limb is acos(a / (a + h_geo)) = 81.3 deg of central angle from
    # the sub-satellite point; a plume at 20 km adds acos(a / (a + 20 km)) = 4.5 deg.
    ir = SensorArrays.infrared_satellites(GEO_0, min_plume_altitude_m=12e3)
    points = [geodetic_to_ecef(0.0, DEG(lon), 20e3, A, F) for lon in (0.0, 60.0, 80.0, 90.0, 180.0)]
    det = detect(_snapshot(points), [0.0], 1.0, ir, A, F, burnout_s=100.0)
    assert list(np.isfinite(det.first_detection_s[:, 0])) == [True, True, True, False, False]


# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------


def test_packed_columns_and_kinds() -> None:
    sensors = SensorArrays.concat(
        _radar(boresight=0.5, band=BAND_UHF),
        SensorArrays.infrared_satellites(GEO_0, min_plume_altitude_m=15e3),
    )
    p = sensors.packed()
    assert p.shape == (2, N_FIELDS)
    np.testing.assert_array_equal(p[0, X : Z + 1], SITE_ECEF)
    assert list(p[:, KIND]) == [KIND_RADAR, KIND_INFRARED]
    assert p[0, BORESIGHT] == 0.5
    assert list(p[:, BAND]) == [BAND_UHF, -1]
    assert p[1, MIN_PLUME_ALTITUDE_M] == 15e3
    reordered = sensors.take([1, 0])
    assert list(reordered.kind) == [KIND_INFRARED, KIND_RADAR]
    fields = {k: getattr(sensors, k) for k in sensors.__dataclass_fields__}
    with pytest.raises(ValueError, match="kind"):
        SensorArrays(**{**fields, "kind": np.array([0, 7])})
    with pytest.raises(ValueError, match="one value per sensor"):
        SensorArrays(**{**fields, "track_delay_s": np.zeros(3)})


def test_flight_samples_with_velocity_columns_are_accepted() -> None:
    pos = _pattern_samples("0111")
    with_velocity = np.concatenate((pos, np.zeros_like(pos)), axis=2)
    a = detect(pos, np.arange(4.0), 1.0, _radar(), A, F)
    b = detect(with_velocity, np.arange(4.0), 1.0, _radar(), A, F)
    np.testing.assert_array_equal(a.first_visible_s, b.first_visible_s)
    np.testing.assert_array_equal(a.n_visible, b.n_visible)


def test_each_radar_sees_the_cross_section_in_its_own_band() -> None:
    # Source: the one-reference convention of catalog/sensors.toml: a radar's
    # range scales with the fourth root of the cross section in its band.
    # Tolerance: exact. 500 km * 0.1^(1/4) = 281 km < 400 km.
    uhf = _radar(reference_range_m=500e3, band=BAND_UHF)
    x_band = _radar(reference_range_m=500e3, band=BAND_X)
    both = SensorArrays.concat(uhf, x_band)
    points = np.array(_at_look(45.0, 20.0, 400e3)).reshape(1, 1, 3)
    rcs = np.ones((1, 1, N_OBJECTS, N_BANDS))
    rcs[..., BAND_X] = 0.1
    det = _draw(points, np.array([0.0]), both, rcs**0.25, -1.0)
    assert list(np.isfinite(det.first_visible_s[0])) == [True, False]


def test_scalar_visible_matches_detect() -> None:
    rng = np.random.default_rng(3)
    sensors = SensorArrays.concat(
        _radar(boresight=DEG(300.0), half_width=DEG(50.0), min_elevation=DEG(2.0)),
        SensorArrays.infrared_satellites(GEO_0, min_plume_altitude_m=12e3),
    )
    points = [
        _at_look(rng.uniform(0, 360), rng.uniform(-5, 90), rng.uniform(1e3, 1.5e6))
        for _ in range(200)
    ]
    det = detect(_snapshot(points), [0.0], 1.0, sensors, A, F, burnout_s=1.0)
    packed = sensors.packed()
    frames = sensor_frames(packed, A, F)
    for i, (x, y, z) in enumerate(points):
        h = ecef_to_geodetic(x, y, z, A, F)[2]
        for j in range(2):
            v = visible(packed, frames, j, x, y, z, h, True, 1.0e6, A, F)
            assert v == bool(det.n_visible[i, j])


def test_spherical_earth_is_supported() -> None:
    site = geodetic_to_ecef(0.0, 0.0, 0.0, SPHERE_RADIUS_M, 0.0)
    radar = SensorArrays.radars(site, reference_range_m=3e6, reference_rcs_m2=1.0)
    up = geodetic_to_ecef(0.0, 0.0, 1000e3, SPHERE_RADIUS_M, 0.0)
    det = detect(_snapshot([up]), [0.0], 1.0, radar, SPHERE_RADIUS_M, 0.0)
    assert det.first_detection_s[0, 0] == 0.0


def test_no_sensors_gives_empty_columns_and_nan_summaries() -> None:
    none = SensorArrays.radars(np.empty((0, 3)), reference_range_m=1.0, reference_rcs_m2=1.0)
    det = detect(_pattern_samples("11"), [0.0, 1.0], 1.0, none, A, F)
    assert isinstance(det, DetectionArrays)
    assert det.first_detection_s.shape == (1, 0)
    assert math.isnan(det.earliest_detection_s[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"samples_ecef_m": np.zeros((2, 3))}, "samples_ecef_m"),
        ({"times_s": [0.0, 1.0, 2.0]}, "times_s"),
        ({"times_s": [0.0, 0.0]}, "increase"),
        ({"rcs_m2": [1.0, 2.0, 3.0]}, "rcs_m2"),
        ({"burnout_s": None}, "infrared"),
        ({"burnout_s": [1.0, 2.0]}, "burnout_s"),
    ],
)
def test_bad_inputs_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    sensors = SensorArrays.concat(
        _radar(), SensorArrays.infrared_satellites(GEO_0, min_plume_altitude_m=12e3)
    )
    args: dict[str, object] = {
        "samples_ecef_m": _pattern_samples("11"),
        "times_s": [0.0, 1.0],
        "rcs_m2": 1.0,
        "sensors": sensors,
        "a_m": A,
        "f": F,
        "burnout_s": 10.0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        detect(**args)
