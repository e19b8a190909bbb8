"""Simulated sensor reports: which sensor sees which sample, and noisy position fixes.

Visibility is the geometric test of `securityroof.core.visibility` (`visible`)
with the radar range law of `securityroof.core.sensors` (`detection_range_m`),
evaluated per sample instead of being summarised into detection times, so that
a simulation can decide which sensor reports which threat at which time.

Measurement noise model (an assumption of this tool, not a catalog value)
-------------------------------------------------------------------------
Radar
    Measures slant range, azimuth and geodetic elevation in its local east,
    north, up frame with independent, zero-mean Gaussian errors of standard
    deviation ``sigma_range_m`` (range) and ``sigma_angle_rad`` (each angle);
    the caller chooses the values. The report is the noisy spherical measurement
    converted to ECEF, with the *converted-measurement covariance*: the
    first-order propagation ``J diag(sr², sa², sa²) Jᵀ`` of the spherical errors
    through the Jacobian ``J`` of the spherical-to-Cartesian map, evaluated at the
    measured point (the only point a real tracker knows) and rotated to ECEF
    (Lerro & Bar-Shalom, "Tracking with debiased consistent converted
    measurements versus EKF", IEEE Trans. AES 29(3), 1993). The conversion
    bias, about ``r sa² / 2`` along the line of sight (0.5 m at 1,000 km and
    1 mrad), is far below the noise and is not removed.
Infrared satellite
    A report is a position with isotropic Gaussian error ``sigma_m`` per axis
    (e.g. 1 km), standing for a stereo fix from two satellites; one satellite
    alone measures only a line of sight, which is not modelled here.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from securityroof.core.detection_inputs import checked_burnout, checked_inputs
from securityroof.core.earth import ecef_to_geodetic
from securityroof.core.horizon import enu_basis, enu_to_look_angles
from securityroof.core.sensors import KIND, KIND_INFRARED, SensorArrays
from securityroof.core.visibility import sensor_frames, visible

__all__ = ["isotropic_report", "noisy_report", "visibility_mask"]

FloatArray = NDArray[np.float64]


@numba.njit(cache=True, parallel=True)
def _mask_kernel(samples, times, range_m, burnout_s, packed, frames, a_m, f):
    n_threats = samples.shape[0]
    n_times = times.size
    n_sensors = packed.shape[0]
    out = np.zeros((n_threats, n_times, n_sensors), dtype=np.bool_)
    any_infrared = False
    for j in range(n_sensors):
        any_infrared = any_infrared or packed[j, KIND] == KIND_INFRARED
    for i in numba.prange(n_threats):
        for k in range(n_times):
            x = samples[i, k, 0]
            y = samples[i, k, 1]
            z = samples[i, k, 2]
            if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
                continue  # after impact: seen by nobody
            boost = times[k] <= burnout_s[i]
            altitude = np.nan
            if any_infrared and boost:
                altitude = ecef_to_geodetic(x, y, z, a_m, f)[2]
            for j in range(n_sensors):
                out[i, k, j] = visible(
                    packed, frames, j, x, y, z, altitude, boost, range_m[i, j], a_m, f
                )
    return out


def visibility_mask(
    samples_ecef_m: ArrayLike,
    times_s: ArrayLike,
    rcs_m2: ArrayLike,
    sensors: SensorArrays,
    a_m: float,
    f: float,
    *,
    burnout_s: ArrayLike | None = None,
) -> NDArray[np.bool_]:
    """Whether each sensor sees each threat sample.

    Parameters
    ----------
    samples_ecef_m : array_like, shape (n_threats, n_times, >=3)
        ECEF positions, m, in the first three components (flight samples can be
        passed as they are); NaN samples (after impact) are not visible.
    times_s : array_like, shape (n_times,)
        Sample times, s from each threat's launch.
    rcs_m2 : array_like, shape (), (n_threats,) or (n_threats, n_sensors)
        Radar cross section, m², as in `securityroof.core.detection.detect`.
    sensors : SensorArrays
        The sensors.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.
    burnout_s : array_like, shape () or (n_threats,), optional
        Burnout time of each threat, s: samples at ``t <= burnout_s`` are
        boosting (seen by infrared sensors). Needed when there is an infrared
        sensor.

    Returns
    -------
    ndarray of bool, shape (n_threats, n_times, n_sensors)
        The same per-sample test, with the same range scaling, as
        `securityroof.core.detection.detect`, so that summing over time gives its
        ``n_visible``.
    """
    samples, times, packed, range_m = checked_inputs(samples_ecef_m, times_s, rcs_m2, sensors)
    n_threats = samples.shape[0]
    burnout = checked_burnout(burnout_s, n_threats, sensors)
    frames = sensor_frames(packed, float(a_m), float(f))
    mask: NDArray[np.bool_] = _mask_kernel(
        samples, times, range_m, burnout, packed, frames, float(a_m), float(f)
    )
    return mask


def _enu_rows(sensor_ecef_m: FloatArray, a_m: float, f: float) -> FloatArray:
    """The ECEF-to-ENU rotation at a sensor: rows east, north, up."""
    lat, lon, _ = ecef_to_geodetic(
        float(sensor_ecef_m[0]), float(sensor_ecef_m[1]), float(sensor_ecef_m[2]), a_m, f
    )
    return np.array(enu_basis(lat, lon))


def noisy_report(
    sensor_ecef_m: ArrayLike,
    truth_ecef_m: ArrayLike,
    sigma_range_m: float,
    sigma_angle_rad: float,
    rng: np.random.Generator,
    a_m: float,
    f: float,
) -> tuple[FloatArray, FloatArray]:
    """One radar report of a target: a noisy position and its converted covariance.

    Parameters
    ----------
    sensor_ecef_m, truth_ecef_m : array_like, shape (3,)
        Radar and true target positions, ECEF, m.
    sigma_range_m : float
        Standard deviation of the range error, m.
    sigma_angle_rad : float
        Standard deviation of the azimuth and of the elevation error, rad.
    rng : numpy.random.Generator
        Source of the noise (seed it for reproducible runs).
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening, for the radar's frame.

    Returns
    -------
    measured_ecef_m : ndarray, shape (3,)
        The noisy range, azimuth and elevation converted to ECEF, m.
    covariance_ecef_m2 : ndarray, shape (3, 3)
        First-order covariance of that position, m² (see the module notes).
    """
    sensor = np.asarray(sensor_ecef_m, dtype=np.float64).reshape(3)
    truth = np.asarray(truth_ecef_m, dtype=np.float64).reshape(3)
    rot = _enu_rows(sensor, a_m, f)
    e, n, u = rot @ (truth - sensor)
    az, el, r = enu_to_look_angles(float(e), float(n), float(u))
    w = rng.standard_normal(3)
    r += sigma_range_m * w[0]
    az += sigma_angle_rad * w[1]
    el += sigma_angle_rad * w[2]
    ca, sa, ce, se = math.cos(az), math.sin(az), math.cos(el), math.sin(el)
    enu = r * np.array([ce * sa, ce * ca, se])
    # Columns: d(e, n, u) / d(range, azimuth, elevation) at the measured point.
    jac = np.array(
        [
            [ce * sa, r * ce * ca, -r * se * sa],
            [ce * ca, -r * ce * sa, -r * se * ca],
            [se, 0.0, r * ce],
        ]
    )
    cov_enu = (jac * np.array([sigma_range_m, sigma_angle_rad, sigma_angle_rad]) ** 2) @ jac.T
    cov = rot.T @ cov_enu @ rot
    return sensor + rot.T @ enu, 0.5 * (cov + cov.T)


def isotropic_report(
    truth_ecef_m: ArrayLike, sigma_m: float, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """A position report with isotropic Gaussian error (an infrared stereo fix).

    Parameters
    ----------
    truth_ecef_m : array_like, shape (3,)
        True position, ECEF, m.
    sigma_m : float
        Standard deviation per axis, m.
    rng : numpy.random.Generator
        Source of the noise.

    Returns
    -------
    measured_ecef_m : ndarray, shape (3,)
        ``truth + sigma_m * N(0, I)``, m.
    covariance_ecef_m2 : ndarray, shape (3, 3)
        ``sigma_m² I``, m².
    """
    truth = np.asarray(truth_ecef_m, dtype=np.float64).reshape(3)
    return truth + sigma_m * rng.standard_normal(3), np.eye(3) * sigma_m**2
