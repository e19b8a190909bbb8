"""What the sensor kernels take, checked and laid out: trajectory samples,
sample times, cross sections and burnout times, and each radar's detection
range against each threat (the radar equation's fourth-root scaling).

Shared by `securityroof.core.detection` and
`securityroof.core.measurement`, so both scale the radar ranges alike.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike

from securityroof.core.sensors import (
    KIND_INFRARED,
    REFERENCE_RANGE_M,
    REFERENCE_RCS_M2,
    FloatArray,
    SensorArrays,
)


@numba.njit(cache=True)
def detection_range_m(reference_range_m, reference_rcs_m2, rcs_m2):
    """Radar detection range against a target of a given cross section, m.

    Parameters
    ----------
    reference_range_m : float or ndarray
        Detection range against the reference cross section, m.
    reference_rcs_m2 : float or ndarray
        Reference radar cross section, m².
    rcs_m2 : float or ndarray
        The target's radar cross section, m².

    Returns
    -------
    float or ndarray
        ``R_ref (sigma / sigma_ref)^(1/4)``, m.

    Notes
    -----
    In the radar equation the maximum range of detection is proportional to
    the fourth root of the target's cross section, all else (power, antenna,
    wavelength, minimum detectable signal) fixed: Skolnik, *Introduction to
    Radar Systems*, 3rd ed., McGraw-Hill, 2001, Sec. 1.2, the simple form of
    the radar equation, ``R_max = [P_t G A_e sigma / ((4 pi)^2 S_min)]^(1/4)``.
    A target 16 times smaller is therefore seen at half the range.
    """
    return reference_range_m * (rcs_m2 / reference_rcs_m2) ** 0.25


def checked_inputs(
    samples_ecef_m: ArrayLike, times_s: ArrayLike, rcs_m2: ArrayLike, sensors: SensorArrays
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Samples, times, packed sensors and each pair's detection range, checked.

    Shared by `detect` and the per-sample `securityroof.core.measurement.visibility_mask`,
    so both scale the radar ranges alike. Returns contiguous arrays: samples
    (n_threats, n_times, >=3), times (n_times,), packed (n_sensors, N_FIELDS) and
    range_m (n_threats, n_sensors).
    """
    samples = np.ascontiguousarray(np.asarray(samples_ecef_m, dtype=np.float64))
    if samples.ndim != 3 or samples.shape[2] < 3:
        raise ValueError("samples_ecef_m must have shape (n_threats, n_times, 3 or more), in m")
    n_threats, n_times = samples.shape[0], samples.shape[1]
    times = np.ascontiguousarray(np.asarray(times_s, dtype=np.float64).reshape(-1))
    if times.size != n_times:
        raise ValueError(f"times_s has {times.size} values for {n_times} samples per threat")
    rcs = np.asarray(rcs_m2, dtype=np.float64)
    if rcs.ndim == 1:
        rcs = rcs[:, None]
    try:
        rcs = np.ascontiguousarray(np.broadcast_to(rcs, (n_threats, sensors.n_sensors)))
    except ValueError:
        raise ValueError(
            "rcs_m2 must be a scalar, (n_threats,) or (n_threats, n_sensors), in m²"
        ) from None
    packed = np.ascontiguousarray(sensors.packed())
    range_m = detection_range_m(
        np.ascontiguousarray(packed[:, REFERENCE_RANGE_M]),
        np.ascontiguousarray(packed[:, REFERENCE_RCS_M2]),
        rcs,
    )
    return samples, times, packed, np.asarray(range_m)


def checked_burnout(
    burnout_s: ArrayLike | None, n_threats: int, sensors: SensorArrays
) -> FloatArray:
    """Each threat's burnout time, s (-inf: never boosting when no sensor needs it)."""
    if burnout_s is None:
        if np.any(sensors.kind == KIND_INFRARED):
            raise ValueError("infrared sensors need boosting or burnout_s")
        return np.full(n_threats, -np.inf)
    burnout = np.asarray(burnout_s, dtype=np.float64)
    if burnout.ndim > 1 or burnout.size not in (1, n_threats):
        raise ValueError(f"burnout_s must be a scalar or have {n_threats} values, in s")
    return np.array(np.broadcast_to(burnout.reshape(-1), (n_threats,)))
