"""What each sensor could see of each trajectory: sightlines, computed once.

Detection under one set of sensor values is cheap once the geometry is
known; the geometry (local frames, look angles, the line of sight over the
ellipsoid) is the costly part and does not depend on the uncertain values.
So it is done once here, for the widest limits the values could take (their
*hull*), and `securityroof.core.detection` then evaluates any number of value
sets (a case, Monte Carlo draws, a sweep) against it.

For every (trajectory, sensor) pair a sightline holds the samples at which

- a radar has a line of sight that clears the ellipsoid, the target lies
  within the hull's azimuth sector and elevation limits and within the
  hull's longest detection range; with the slant range, the geodetic
  elevation and the absolute azimuth offset from the boresight at each;
- an infrared satellite has a line of sight while the missile boosts at or
  above the hull's lowest plume altitude; with the altitude.

Storage is compressed by pair (CSR): pair ``p = i * n_sensors + j`` holds
``offsets[p]:offsets[p + 1]`` of the flat arrays, in increasing sample
index. Each trajectory also carries its flight phases as sample indices:
the last boosting sample, the last sample at which the spent stage and bus
still accompany the RV (`securityroof.core.signatures`), and the number of
samples in flight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from securityroof.core.earth import ecef_to_geodetic
from securityroof.core.horizon import enu_to_look_angles, line_of_sight
from securityroof.core.sensors import (
    BORESIGHT,
    HALF_WIDTH,
    KIND,
    KIND_INFRARED,
    MAX_ELEVATION,
    MIN_ELEVATION,
    MIN_PLUME_ALTITUDE_M,
    SensorArrays,
    X,
    Y,
    Z,
)
from securityroof.core.signatures import ACCOMPANY_FLOOR_M
from securityroof.core.visibility import sensor_frames

__all__ = ["Phases", "Sightlines", "flight_phases", "sightlines"]

_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class Phases:
    """Flight phases of each trajectory as sample indices (int64, shape (n_traj,)).

    Attributes
    ----------
    last_boost
        Last sample at or before burnout (-1 if none).
    last_accompanied
        Last sample at which the spent stage and bus still fly with the RV:
        up to the sample before the RV, past apogee, descends through
        `securityroof.core.signatures.ACCOMPANY_FLOOR_M`.
    n_flight
        Samples in flight (finite positions).
    """

    last_boost: NDArray[np.int64]
    last_accompanied: NDArray[np.int64]
    n_flight: NDArray[np.int64]


@numba.njit(cache=True, parallel=True)
def _phases_kernel(samples, times, burnout_s, a_m, f):
    n, n_t = samples.shape[0], samples.shape[1]
    last_boost = np.full(n, -1, dtype=np.int64)
    last_accompanied = np.full(n, -1, dtype=np.int64)
    n_flight = np.zeros(n, dtype=np.int64)
    for i in numba.prange(n):
        apogee_k = -1
        apogee_h = -np.inf
        count = 0
        last = -1
        for k in range(n_t):
            x, y, z = samples[i, k, 0], samples[i, k, 1], samples[i, k, 2]
            if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
                continue  # after impact (or a gap): seen by nobody
            count += 1
            last = k
            if times[k] <= burnout_s[i]:
                last_boost[i] = k
            h = ecef_to_geodetic(x, y, z, a_m, f)[2]
            if h > apogee_h:
                apogee_h = h
                apogee_k = k
        n_flight[i] = count
        end = last
        for k in range(max(apogee_k, 0), last + 1):
            h = ecef_to_geodetic(samples[i, k, 0], samples[i, k, 1], samples[i, k, 2], a_m, f)[2]
            if h < ACCOMPANY_FLOOR_M:
                end = k - 1
                break
        last_accompanied[i] = max(end, last_boost[i])
    return last_boost, last_accompanied, n_flight


def flight_phases(
    samples: np.ndarray, times_s: np.ndarray, burnout_s: np.ndarray, a_m: float, f: float
) -> Phases:
    """Flight phases of sampled trajectories (see `Phases`).

    Parameters
    ----------
    samples : ndarray, shape (n, n_times, >=3)
        ECEF positions, m, NaN after impact.
    times_s : ndarray, shape (n_times,)
        Sample times from launch, s.
    burnout_s : ndarray, shape (n,)
        Burnout time of each trajectory, s (-inf: never boosting).
    a_m, f : float
        Ellipsoid.
    """
    out = _phases_kernel(
        np.ascontiguousarray(samples, dtype=np.float64),
        np.ascontiguousarray(times_s, dtype=np.float64),
        np.ascontiguousarray(np.broadcast_to(burnout_s, (samples.shape[0],)), dtype=np.float64),
        float(a_m),
        float(f),
    )
    return Phases(*out)


@numba.njit(cache=True, inline="always")
def _look(packed, frames, j, tx, ty, tz, max_range_m, a_m, f):
    """Radar look geometry of one sample against the hull.

    Returns (in hull, slant range m, elevation rad, |azimuth offset| rad).
    """
    p = packed[j]
    dx, dy, dz = tx - p[X], ty - p[Y], tz - p[Z]
    r2 = dx * dx + dy * dy + dz * dz
    if not r2 <= max_range_m * max_range_m:
        return False, 0.0, 0.0, 0.0
    fr = frames[j]
    e = fr[0] * dx + fr[1] * dy + fr[2] * dz
    n = fr[3] * dx + fr[4] * dy + fr[5] * dz
    u = fr[6] * dx + fr[7] * dy + fr[8] * dz
    az, el, slant = enu_to_look_angles(e, n, u)
    if el < p[MIN_ELEVATION] or el > p[MAX_ELEVATION]:
        return False, 0.0, 0.0, 0.0
    off = az - p[BORESIGHT]
    off -= _TWO_PI * math.floor((off + math.pi) / _TWO_PI)  # into [-pi, pi)
    off = abs(off)
    if p[HALF_WIDTH] < math.pi and off > p[HALF_WIDTH]:
        return False, 0.0, 0.0, 0.0
    if not line_of_sight(p[X], p[Y], p[Z], tx, ty, tz, a_m, f):
        return False, 0.0, 0.0, 0.0
    return True, slant, el, off


@numba.njit(cache=True, inline="always")
def _plume(packed, j, tx, ty, tz, altitude_m, a_m, f):
    """Infrared: whether a boosting sample at this altitude is in the hull."""
    p = packed[j]
    if not altitude_m >= p[MIN_PLUME_ALTITUDE_M]:
        return False
    return line_of_sight(p[X], p[Y], p[Z], tx, ty, tz, a_m, f)


@numba.njit(cache=True, parallel=True)
def _sightline_kernel(samples, last_boost, packed, frames, max_range_m, a_m, f, offsets, fill):
    """Count (fill False) or fill (fill True) the candidate samples of every pair."""
    n, n_t = samples.shape[0], samples.shape[1]
    n_s = packed.shape[0]
    n_pairs = n * n_s
    counts = np.zeros(n_pairs, dtype=np.int64)
    total = offsets[-1] if fill else 0
    sample_k = np.empty(total, dtype=np.int32)
    slant = np.empty(total, dtype=np.float64)
    elevation = np.empty(total, dtype=np.float64)
    azimuth_off = np.empty(total, dtype=np.float64)
    altitude = np.empty(total, dtype=np.float64)
    any_infrared = False
    for j in range(n_s):
        any_infrared = any_infrared or packed[j, KIND] == KIND_INFRARED
    for i in numba.prange(n):
        for k in range(n_t):
            tx, ty, tz = samples[i, k, 0], samples[i, k, 1], samples[i, k, 2]
            if not (math.isfinite(tx) and math.isfinite(ty) and math.isfinite(tz)):
                continue
            boosting = k <= last_boost[i]
            h = np.nan
            if any_infrared and boosting:
                h = ecef_to_geodetic(tx, ty, tz, a_m, f)[2]
            for j in range(n_s):
                p = i * n_s + j
                if packed[j, KIND] == KIND_INFRARED:
                    if not boosting or not _plume(packed, j, tx, ty, tz, h, a_m, f):
                        continue
                    s_m, el, off = 0.0, 0.0, 0.0
                else:
                    ok, s_m, el, off = _look(packed, frames, j, tx, ty, tz, max_range_m[j], a_m, f)
                    if not ok:
                        continue
                if fill:
                    c = offsets[p] + counts[p]
                    sample_k[c] = k
                    slant[c] = s_m
                    elevation[c] = el
                    azimuth_off[c] = off
                    altitude[c] = h
                counts[p] += 1
    return counts, sample_k, slant, elevation, azimuth_off, altitude


@dataclass(frozen=True)
class Sightlines:
    """Candidate samples of every (trajectory, sensor) pair (see the module notes).

    Attributes
    ----------
    offsets : ndarray of int64, shape (n_traj * n_sensors + 1,)
        Pair ``p = i * n_sensors + j`` is ``offsets[p]:offsets[p + 1]``.
    sample : ndarray of int32
        Sample index of each candidate.
    slant_range_m, elevation, azimuth_offset : ndarray of float64
        Radar look geometry: slant range (m), geodetic elevation (rad) and
        absolute azimuth offset from the boresight (rad, 0..pi).
    altitude_m : ndarray of float64
        Infrared: altitude above the ellipsoid (m); NaN for radars.
    phases : Phases
        Flight phases of each trajectory.
    n_sensors : int
        Sensors per trajectory.
    """

    offsets: NDArray[np.int64]
    sample: NDArray[np.int32]
    slant_range_m: NDArray[np.float64]
    elevation: NDArray[np.float64]
    azimuth_offset: NDArray[np.float64]
    altitude_m: NDArray[np.float64]
    phases: Phases
    n_sensors: int

    @property
    def n_trajectories(self) -> int:
        """Number of trajectories."""
        return int(self.phases.n_flight.size)

    @property
    def nbytes(self) -> int:
        """Memory held by the candidate arrays, bytes."""
        return int(
            sum(
                a.nbytes
                for a in (
                    self.offsets,
                    self.sample,
                    self.slant_range_m,
                    self.elevation,
                    self.azimuth_offset,
                    self.altitude_m,
                )
            )
        )


def sightlines(
    samples: np.ndarray,
    times_s: np.ndarray,
    burnout_s: np.ndarray,
    hull: SensorArrays,
    max_range_m: np.ndarray,
    a_m: float,
    f: float,
) -> Sightlines:
    """The sightlines of every trajectory for every sensor.

    Parameters
    ----------
    samples : ndarray, shape (n, n_times, >=3)
        ECEF positions (m) on a common time grid from each launch, NaN after
        impact.
    times_s : ndarray, shape (n_times,)
        Sample times, s, increasing.
    burnout_s : ndarray, shape (n,)
        Burnout time of each trajectory, s.
    hull : SensorArrays
        The sensors with the widest limits they may take: the largest
        azimuth half-width, the lowest minimum and highest maximum elevation,
        the lowest plume altitude. Their ranges are not read.
    max_range_m : ndarray, shape (n_sensors,)
        The longest detection range of each radar against any object, m.
    a_m, f : float
        Ellipsoid.

    Returns
    -------
    Sightlines

    Notes
    -----
    Two compiled passes over the samples, parallel over trajectories: one
    counts each pair's candidates, the other fills them in.
    """
    samples = np.ascontiguousarray(samples, dtype=np.float64)
    if samples.ndim != 3 or samples.shape[2] < 3:
        raise ValueError("samples must have shape (n, n_times, 3 or more), in m")
    times = np.ascontiguousarray(times_s, dtype=np.float64).reshape(-1)
    if times.size != samples.shape[1]:
        raise ValueError(f"times_s has {times.size} values for {samples.shape[1]} samples")
    burnout = np.ascontiguousarray(
        np.broadcast_to(np.asarray(burnout_s, dtype=np.float64), (samples.shape[0],))
    )
    reach = np.ascontiguousarray(np.broadcast_to(max_range_m, (hull.n_sensors,)), dtype=np.float64)
    phases = flight_phases(samples, times, burnout, a_m, f)
    packed = np.ascontiguousarray(hull.packed())
    frames = sensor_frames(packed, float(a_m), float(f))
    empty = np.zeros(1, dtype=np.int64)
    counts = _sightline_kernel(
        samples, phases.last_boost, packed, frames, reach, float(a_m), float(f), empty, False
    )[0]
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    _, sample_k, slant, elevation, azimuth_off, altitude = _sightline_kernel(
        samples, phases.last_boost, packed, frames, reach, float(a_m), float(f), offsets, True
    )
    return Sightlines(
        offsets=offsets,
        sample=sample_k,
        slant_range_m=slant,
        elevation=elevation,
        azimuth_offset=azimuth_off,
        altitude_m=altitude,
        phases=phases,
        n_sensors=hull.n_sensors,
    )
