"""When each sensor detects and tracks each threat, for one or many sets of sensor values.

Reads the sightlines of `securityroof.core.sightlines` (the geometry, done
once) and evaluates detection under any number of *draws*: sets of sensor
values and threat signatures (one draw for a case, thousands for a Monte
Carlo). Work is parallel over (draw, threat) pairs.

A sample of a sightline is visible to a radar under a draw when its
elevation and azimuth offset are inside that draw's limits and the slant
range is within the radar's detection range against the objects present
(`securityroof.core.signatures`): ``R = k sigma^(1/4)`` with ``k`` the
radar's range per root cross section (its reference range over the fourth
root of its reference cross section, `securityroof.core.detection_inputs.detection_range_m`)
and ``sigma`` the object's cross section *in the radar's band*. An infrared
satellite sees a boosting sample at or above its plume altitude.

Three detection channels per (threat, sensor):

Warning (any object)
    A sample is visible when any object present is: the booster until
    burnout, then the spent stage, the bus and the RV while they fly
    together, then the RV alone. Gives ``first_visible_s``,
    ``first_detection_s``, ``track_s`` (detection delay + track delay of
    persistent visibility), ``last_visible_s`` and ``n_visible``.
RV track (own search)
    The track a fire-control or launch-quality radar needs: on the RV only
    (discrimination from the stage and bus is assumed perfect), after
    burnout (an intercept point is predicted from the ballistic part of the
    flight), with the same delays: ``rv_track_s``.
Cued RV track
    A radar whose cue sources (``cue_from[s, j]``) hold a warning track
    searches the small volume the cue points at. The search radar equation
    (Skolnik, *Introduction to Radar Systems*, 3rd ed., 2001, Sec. 2.13:
    ``R^4 ∝ P_av A_e t_s sigma / Omega``, for a search of solid angle
    ``Omega`` in time ``t_s``) gives it a longer reach: the draw's
    ``cue_gain`` multiplies its range. The cued radar forms its track at the
    first visible sample at or after the cue, without its own
    track-formation delay: ``cued_rv_track_s``. Infrared satellites cue only
    in stereo: the cue time from infrared is the second-earliest infrared
    warning track among the sources (one satellite measures a line of sight,
    two give a three-dimensional position).

Persistence: a *run* is a stretch of consecutive visible samples, broken by
any sample that is not visible. A requirement ``D`` is met by the first run
lasting at least ``D``, at its start plus ``D``. Estimates are on the sample
grid: first times are late and last times early by up to one interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from securityroof.core.detection_inputs import checked_burnout
from securityroof.core.sensors import KIND_INFRARED, KIND_RADAR, SensorArrays
from securityroof.core.sightlines import Sightlines, sightlines
from securityroof.core.signatures import (
    N_BANDS,
    N_OBJECTS,
    OBJECT_BOOSTER,
    OBJECT_BUS,
    OBJECT_RV,
    OBJECT_UPPER_STAGE,
)

__all__ = [
    "N_SENSOR_PARAMETERS",
    "SENSOR_PARAMETERS",
    "DetectionArrays",
    "detect",
    "detect_draws",
    "sensor_parameters",
]

FloatArray = NDArray[np.float64]

# Per-draw sensor values, the last axis of `sensor_parameters`.
(
    RANGE_PER_ROOT_RCS,
    HALF_WIDTH,
    MIN_ELEVATION,
    MAX_ELEVATION,
    DETECTION_DELAY_S,
    TRACK_DELAY_S,
    MIN_PLUME_ALTITUDE_M,
    CUE_GAIN,
) = range(8)
N_SENSOR_PARAMETERS = 8
SENSOR_PARAMETERS = (
    "range_per_root_rcs_m",
    "half_width",
    "min_elevation",
    "max_elevation",
    "detection_delay_s",
    "track_delay_s",
    "min_plume_altitude_m",
    "cue_gain",
)

# A run of visible samples meets a persistence requirement D when its length is
# at least D less this slack (s): it absorbs the rounding of grid times such as
# k * 0.1 s and is far below any sample interval.
_TIME_SLACK_S = 1e-6

# Output channels of the kernel (float), then n_visible (int).
_FIRST_VISIBLE, _FIRST_DETECTION, _LAST_VISIBLE, _TRACK, _RV_TRACK, _CUED_RV_TRACK = range(6)
_N_CHANNELS = 6


def sensor_parameters(sensors: SensorArrays, cue_gain: ArrayLike = 1.0) -> FloatArray:
    """One draw of sensor values, (1, n_sensors, N_SENSOR_PARAMETERS), from a `SensorArrays`."""
    out = np.empty((1, sensors.n_sensors, N_SENSOR_PARAMETERS))
    with np.errstate(divide="ignore"):
        out[0, :, RANGE_PER_ROOT_RCS] = sensors.reference_range_m / sensors.reference_rcs_m2**0.25
    out[0, :, HALF_WIDTH] = sensors.half_width
    out[0, :, MIN_ELEVATION] = sensors.min_elevation
    out[0, :, MAX_ELEVATION] = sensors.max_elevation
    out[0, :, DETECTION_DELAY_S] = sensors.detection_delay_s
    out[0, :, TRACK_DELAY_S] = sensors.track_delay_s
    out[0, :, MIN_PLUME_ALTITUDE_M] = sensors.min_plume_altitude_m
    out[0, :, CUE_GAIN] = np.broadcast_to(np.asarray(cue_gain, dtype=np.float64), sensors.n_sensors)
    return out


@numba.njit(cache=True, inline="always")
def _second_smallest(values, n):
    first = np.inf
    second = np.inf
    for q in range(n):
        v = values[q]
        if v < first:
            second = first
            first = v
        elif v < second:
            second = v
    return second


@numba.njit(cache=True, parallel=True)
def _detect_kernel(
    offsets,
    sample_k,
    slant,
    elevation,
    azimuth_off,
    altitude,
    last_boost,
    last_accompanied,
    n_flight,
    times,
    kind,
    band,
    cue_from,
    trajectory,
    root_rcs,
    params,
):
    n_draws, n_threats = trajectory.shape[0], trajectory.shape[1]
    n_s = kind.size
    out = np.full((n_draws, n_threats, n_s, _N_CHANNELS), np.nan)
    n_visible = np.zeros((n_draws, n_threats, n_s), dtype=np.int64)
    n_samples = np.zeros((n_draws, n_threats), dtype=np.int64)
    for job in numba.prange(n_draws * n_threats):
        d = job // n_threats
        i = job % n_threats
        traj = trajectory[d, i]
        if traj < 0:
            continue
        n_samples[d, i] = n_flight[traj]
        boost_end = last_boost[traj]
        stage_end = last_accompanied[traj]
        for j in range(n_s):
            p = traj * n_s + j
            prm = params[d, j]
            detect_need = prm[DETECTION_DELAY_S]
            track_need = detect_need + prm[TRACK_DELAY_S]
            infrared = kind[j] == KIND_INFRARED
            range_boost = 0.0
            range_midcourse = 0.0
            range_rv = 0.0
            if not infrared:
                rr = root_rcs[d, i, :, band[j]]
                k_r = prm[RANGE_PER_ROOT_RCS]
                range_boost = k_r * rr[OBJECT_BOOSTER]
                range_rv = k_r * rr[OBJECT_RV]
                range_midcourse = k_r * max(rr[OBJECT_UPPER_STAGE], rr[OBJECT_BUS], rr[OBJECT_RV])
            run_w = np.nan  # start of the current warning run
            run_r = np.nan  # start of the current RV run
            prev = -2
            first_vis = np.nan
            last_vis = np.nan
            first_det = np.nan
            track = np.nan
            rv_track = np.nan
            count = 0
            for c in range(offsets[p], offsets[p + 1]):
                k = sample_k[c]
                t = times[k]
                if k != prev + 1:  # samples between candidates are invisible
                    run_w = np.nan
                    run_r = np.nan
                prev = k
                if infrared:
                    seen = k <= boost_end and altitude[c] >= prm[MIN_PLUME_ALTITUDE_M]
                    seen_rv = False
                else:
                    geometry = (
                        elevation[c] >= prm[MIN_ELEVATION]
                        and elevation[c] <= prm[MAX_ELEVATION]
                        and (prm[HALF_WIDTH] >= math.pi or azimuth_off[c] <= prm[HALF_WIDTH])
                    )
                    if k <= boost_end:
                        reach = range_boost
                    elif k <= stage_end:
                        reach = range_midcourse
                    else:
                        reach = range_rv
                    seen = geometry and slant[c] <= reach
                    seen_rv = geometry and k > boost_end and slant[c] <= range_rv
                if seen:
                    if math.isnan(run_w):
                        run_w = t
                    if count == 0:
                        first_vis = t
                    count += 1
                    last_vis = t
                    held = t - run_w + _TIME_SLACK_S
                    if math.isnan(first_det) and held >= detect_need:
                        first_det = run_w + detect_need
                    if math.isnan(track) and held >= track_need:
                        track = run_w + track_need
                else:
                    run_w = np.nan
                if seen_rv:
                    if math.isnan(run_r):
                        run_r = t
                    if math.isnan(rv_track) and t - run_r + _TIME_SLACK_S >= track_need:
                        rv_track = run_r + track_need
                else:
                    run_r = np.nan
            o = out[d, i, j]
            o[_FIRST_VISIBLE] = first_vis
            o[_FIRST_DETECTION] = first_det
            o[_LAST_VISIBLE] = last_vis
            o[_TRACK] = track
            o[_RV_TRACK] = rv_track
            n_visible[d, i, j] = count
        # Cued search: a radar cued by a warning track of a source it may use.
        infrared_tracks = np.empty(n_s)
        for j in range(n_s):
            if kind[j] != KIND_RADAR:
                continue
            cue = np.inf
            n_ir = 0
            for s in range(n_s):
                if s == j or not cue_from[s, j]:
                    continue
                ts = out[d, i, s, _TRACK]
                if math.isnan(ts):
                    continue
                if kind[s] == KIND_INFRARED:
                    infrared_tracks[n_ir] = ts
                    n_ir += 1
                elif ts < cue:
                    cue = ts
            if n_ir >= 2:
                cue = min(cue, _second_smallest(infrared_tracks, n_ir))
            if not math.isfinite(cue):
                continue
            prm = params[d, j]
            rr = root_rcs[d, i, :, band[j]]
            reach = prm[RANGE_PER_ROOT_RCS] * rr[OBJECT_RV] * prm[CUE_GAIN]
            p = traj * n_s + j
            for c in range(offsets[p], offsets[p + 1]):
                k = sample_k[c]
                t = times[k]
                if t < cue or k <= boost_end:
                    continue
                if (
                    elevation[c] >= prm[MIN_ELEVATION]
                    and elevation[c] <= prm[MAX_ELEVATION]
                    and (prm[HALF_WIDTH] >= math.pi or azimuth_off[c] <= prm[HALF_WIDTH])
                    and slant[c] <= reach
                ):
                    out[d, i, j, _CUED_RV_TRACK] = t
                    break
    return out, n_visible, n_samples


@dataclass(frozen=True)
class DetectionArrays:
    """Detection timing per (draw, threat, sensor); see the module notes.

    Times are seconds on each threat's own sample grid (from its launch);
    NaN means never. Arrays have shape (n_draws, n_threats, n_sensors), or
    (n_threats, n_sensors) for a single draw (`single`).

    Attributes
    ----------
    first_visible_s, first_detection_s, last_visible_s, track_s : ndarray
        Warning channel (any object), s.
    rv_track_s : ndarray
        Track on the RV by the sensor's own search, s.
    cued_rv_track_s : ndarray
        Track on the RV by a cued search, s.
    n_visible : ndarray of int64
        Visible samples of the warning channel.
    n_samples : ndarray of int64, shape (..., n_threats)
        Samples of each threat in flight (0 when not flown in a draw).
    """

    first_visible_s: FloatArray
    first_detection_s: FloatArray
    last_visible_s: FloatArray
    track_s: FloatArray
    rv_track_s: FloatArray
    cued_rv_track_s: FloatArray
    n_visible: NDArray[np.int64]
    n_samples: NDArray[np.int64]

    @property
    def fire_control_s(self) -> FloatArray:
        """The earliest RV track, own or cued, s (what launch and guidance read)."""
        return np.asarray(np.fmin(self.rv_track_s, self.cued_rv_track_s))

    @property
    def visible_fraction(self) -> FloatArray:
        """Share of each threat's in-flight samples seen by each sensor (warning channel)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(self.n_visible / self.n_samples[..., None])

    @property
    def earliest_detection_s(self) -> FloatArray:
        """First detection by any sensor, s; NaN if none."""
        return _fmin_last(self.first_detection_s)

    @property
    def earliest_track_s(self) -> FloatArray:
        """First warning track by any sensor, s; NaN if none."""
        return _fmin_last(self.track_s)

    def single(self) -> DetectionArrays:
        """The only draw, without the draw axis."""
        if self.track_s.ndim != 3 or self.track_s.shape[0] != 1:
            raise ValueError("single() needs arrays of exactly one draw")
        return DetectionArrays(*(getattr(self, name)[0] for name in self.__dataclass_fields__))


def _fmin_last(a: FloatArray) -> FloatArray:
    if a.shape[-1] == 0:
        return np.full(a.shape[:-1], np.nan)
    return np.asarray(np.fmin.reduce(a, axis=-1))


def detect_draws(
    lines: Sightlines,
    times_s: np.ndarray,
    kind: np.ndarray,
    band: np.ndarray,
    cue_from: np.ndarray,
    trajectory: np.ndarray,
    root_rcs: np.ndarray,
    params: np.ndarray,
) -> DetectionArrays:
    """Detection timing under each draw.

    Parameters
    ----------
    lines : Sightlines
        The geometry, for the hull of the draws' sensor limits.
    times_s : ndarray, shape (n_times,)
        The sample times the sightlines index, s.
    kind, band : ndarray of int64, shape (n_sensors,)
        Each sensor's kind and band (`securityroof.core.sensors`).
    cue_from : ndarray of bool, shape (n_sensors, n_sensors)
        ``cue_from[s, j]``: a warning track of sensor ``s`` cues radar ``j``.
    trajectory : ndarray of int64, shape (n_draws, n_threats)
        Which trajectory of the sightlines each threat flies in each draw;
        -1 when it is not flown (out of reach in that draw).
    root_rcs : ndarray, shape (n_draws, n_threats, N_OBJECTS, N_BANDS)
        Fourth roots of the objects' cross sections by band, m^(1/2)
        (`securityroof.core.signatures.root_cross_sections`).
    params : ndarray, shape (n_draws, n_sensors, N_SENSOR_PARAMETERS)
        Sensor values of each draw (`SENSOR_PARAMETERS`), SI; they must lie
        within the hull the sightlines were built for.

    Returns
    -------
    DetectionArrays
        Arrays of shape (n_draws, n_threats, n_sensors).
    """
    n_s = lines.n_sensors
    trajectory = np.ascontiguousarray(trajectory, dtype=np.int64)
    if trajectory.ndim != 2:
        raise ValueError("trajectory must have shape (n_draws, n_threats)")
    n_draws, n_threats = trajectory.shape
    if np.any(trajectory >= lines.n_trajectories):
        raise ValueError("trajectory indexes a trajectory the sightlines do not hold")
    root_rcs = np.ascontiguousarray(root_rcs, dtype=np.float64)
    if root_rcs.shape != (n_draws, n_threats, N_OBJECTS, N_BANDS):
        raise ValueError(
            f"root_rcs must have shape ({n_draws}, {n_threats}, {N_OBJECTS}, {N_BANDS})"
        )
    params = np.ascontiguousarray(params, dtype=np.float64)
    if params.shape != (n_draws, n_s, N_SENSOR_PARAMETERS):
        raise ValueError(f"params must have shape ({n_draws}, {n_s}, {N_SENSOR_PARAMETERS})")
    cue = np.ascontiguousarray(cue_from, dtype=np.bool_)
    if cue.shape != (n_s, n_s):
        raise ValueError(f"cue_from must have shape ({n_s}, {n_s})")
    out, n_visible, n_samples = _detect_kernel(
        lines.offsets,
        lines.sample,
        lines.slant_range_m,
        lines.elevation,
        lines.azimuth_offset,
        lines.altitude_m,
        lines.phases.last_boost,
        lines.phases.last_accompanied,
        lines.phases.n_flight,
        np.ascontiguousarray(times_s, dtype=np.float64),
        np.ascontiguousarray(kind, dtype=np.int64),
        np.ascontiguousarray(band, dtype=np.int64),
        cue,
        trajectory,
        root_rcs,
        params,
    )
    return DetectionArrays(
        first_visible_s=out[..., _FIRST_VISIBLE],
        first_detection_s=out[..., _FIRST_DETECTION],
        last_visible_s=out[..., _LAST_VISIBLE],
        track_s=out[..., _TRACK],
        rv_track_s=out[..., _RV_TRACK],
        cued_rv_track_s=out[..., _CUED_RV_TRACK],
        n_visible=n_visible,
        n_samples=n_samples,
    )


def detect(
    samples_ecef_m: ArrayLike,
    times_s: ArrayLike,
    rcs_m2: ArrayLike,
    sensors: SensorArrays,
    a_m: float,
    f: float,
    *,
    burnout_s: ArrayLike | None = None,
) -> DetectionArrays:
    """Detection timing of one object per threat, with the sensors as given (one draw).

    The simple form: each threat is one object of cross section ``rcs_m2``
    in every band, seen from launch to impact (a booster, stage, bus and RV
    of equal size), and no sensor cues another.

    Parameters
    ----------
    samples_ecef_m : array_like, shape (n_threats, n_times, >=3)
        Positions, ECEF, m (the ``(n, n_times, 6)`` samples of
        `securityroof.core.flight` can be passed as they are); NaN after
        impact.
    times_s : array_like, shape (n_times,)
        Sample times, s from each threat's launch, increasing.
    rcs_m2 : array_like, shape () or (n_threats,)
        Radar cross section of each threat, m².
    sensors : SensorArrays
        The sensors.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening (0 for a sphere).
    burnout_s : array_like, shape () or (n_threats,), optional
        Burnout time of each threat, s; needed when there is an infrared
        sensor. Samples at ``t <= burnout_s`` are boosting.

    Returns
    -------
    DetectionArrays
        Per (threat, sensor) timing, shape (n_threats, n_sensors).
    """
    samples = np.ascontiguousarray(np.asarray(samples_ecef_m, dtype=np.float64))
    if samples.ndim != 3 or samples.shape[2] < 3:
        raise ValueError("samples_ecef_m must have shape (n_threats, n_times, 3 or more), in m")
    n_threats = samples.shape[0]
    times = np.ascontiguousarray(np.asarray(times_s, dtype=np.float64).reshape(-1))
    if times.size > 1 and not np.all(np.diff(times) > 0):
        raise ValueError("times_s must increase strictly")
    rcs = np.asarray(rcs_m2, dtype=np.float64).reshape(-1)
    if rcs.size not in (1, n_threats):
        raise ValueError(f"rcs_m2 must be a scalar or have one value per threat ({n_threats}), m²")
    rcs = np.broadcast_to(rcs, (n_threats,))
    burnout = checked_burnout(burnout_s, n_threats, sensors)
    root = np.broadcast_to((rcs**0.25)[:, None, None], (n_threats, N_OBJECTS, N_BANDS)).copy()
    params = sensor_parameters(sensors)
    radar = sensors.kind == KIND_RADAR
    reach = np.zeros(sensors.n_sensors)
    reach[radar] = params[0, radar, RANGE_PER_ROOT_RCS] * float(root.max(initial=0.0))
    lines = sightlines(samples, times, burnout, sensors, reach, a_m, f)
    n_s = sensors.n_sensors
    seen = detect_draws(
        lines,
        times,
        sensors.kind,
        np.where(radar, sensors.band, 0),
        np.zeros((n_s, n_s), dtype=bool),
        np.arange(n_threats, dtype=np.int64)[None, :],
        root[None],
        params,
    )
    return seen.single()
