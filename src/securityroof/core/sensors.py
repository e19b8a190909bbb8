"""Sensor coverage and detection timing: ground and sea-based radars, infrared satellites.

The model is geometric, at the fidelity of the open arms-control literature:

Radar
    A sensor at a fixed ECEF position (a site on the ground or a ship) with a
    field of regard: a sector of azimuths centred on a boresight, ``half_width``
    either side (``pi`` for all-round), and geodetic elevations between
    ``min_elevation`` and ``max_elevation`` at the sensor. It detects a target of
    radar cross section ``sigma`` out to ``R = R_ref (sigma / sigma_ref)^(1/4)``
    (`detection_range_m`), and only along a line of sight that clears the
    Earth's ellipsoid. Refraction, terrain, clutter, beam scheduling and
    fluctuation statistics are not modelled: the detection range is a hard
    threshold.
Infrared satellite
    A sensor at a fixed ECEF position (geostationary) that sees a missile's
    plume only while it is boosting and above a minimum plume altitude (cloud
    tops), along a line of sight that clears the Earth. No range limit and no
    field-of-regard limit.

Detection timing follows each threat's sampled trajectory (ECEF positions on a
time grid, NaN after impact). A sample is either visible to a sensor or not; a
*run* is a stretch of consecutive visible samples, broken by any sample that is
not visible (a gap resets it). With ``t0`` the first sample of a run and ``t1``
its last, a persistence requirement ``D`` is met by the first run with
``t1 - t0 >= D``, at the time ``t0 + D``. So

- ``first_detection_s`` is met with ``D`` = the sensor's detection delay (the
  first visible sample when the delay is 0, the usual radar case; an infrared
  satellite's delay stands for the scans it needs to declare a launch);
- ``track_s`` is met with ``D`` = detection delay + track delay: the track
  delay counts from the detection, in the same run (the definition of
  ``track_delay_s`` in ``catalog/sensors.toml``: from first detection to an
  established track);
- ``fire_control_s`` is ``track_s`` for a fire-control sensor and NaN otherwise
  (cueing one sensor from another is the caller's decision).

The estimate is on the sample grid: a run is credited only between its first and
last visible sample, so first times are late and last times early by up to one
sample interval, and runs shorter than ``D`` by less than one interval may be
missed.

Sensors are packed for the kernels into a float array (`SensorArrays.packed`,
columns indexed by the module constants ``X`` ... ``DETECTION_DELAY_S``), like
`securityroof.core.planet.Planet.packed`; their local east-north-up frames come
from `sensor_frames`. `visible` decides one sample for one sensor and is meant
to be called from other kernels; `detect` runs whole batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from securityroof.core.earth import (
    ecef_to_geodetic,
    enu_basis,
    enu_to_look_angles,
    line_of_sight,
)

__all__ = [
    "KIND_INFRARED",
    "KIND_RADAR",
    "N_FIELDS",
    "DetectionArrays",
    "SensorArrays",
    "detect",
    "detection_range_m",
    "infrared_visible",
    "radar_visible",
    "sensor_frames",
    "visible",
]

FloatArray = NDArray[np.float64]

KIND_RADAR = 0
KIND_INFRARED = 1

# Columns of SensorArrays.packed(), read by the kernels.
(
    X,
    Y,
    Z,
    KIND,
    BORESIGHT,
    HALF_WIDTH,
    MIN_ELEVATION,
    MAX_ELEVATION,
    REFERENCE_RANGE_M,
    REFERENCE_RCS_M2,
    TRACK_DELAY_S,
    FIRE_CONTROL,
    MIN_PLUME_ALTITUDE_M,
    DETECTION_DELAY_S,
) = range(14)
N_FIELDS = 14

# A run of visible samples meets a persistence requirement D when its length is
# at least D less this slack (s): it absorbs the rounding of grid times such as
# k * 0.1 s and is far below any sample interval.
_TIME_SLACK_S = 1e-6

_TWO_PI = 2.0 * math.pi


# ---------------------------------------------------------------------------
# Sensors
# ---------------------------------------------------------------------------


def _column(value: ArrayLike, n: int, name: str, dtype: type = np.float64) -> np.ndarray:
    arr: np.ndarray = np.asarray(value, dtype=dtype)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size not in (1, n)):
        raise ValueError(f"{name} must be a scalar or have one value per sensor ({n})")
    return np.array(np.broadcast_to(arr.reshape(-1) if arr.ndim else arr, (n,)), dtype=dtype)


def _positions(position_ecef_m: ArrayLike) -> FloatArray:
    pos = np.asarray(position_ecef_m, dtype=np.float64)
    if pos.ndim == 1:
        pos = pos.reshape(1, -1)
    if pos.ndim != 2 or pos.shape[1] != 3:
        raise ValueError("position_ecef_m must have shape (3,) or (n_sensors, 3), in metres")
    return np.ascontiguousarray(pos)


@dataclass(frozen=True)
class SensorArrays:
    """A set of sensors as packed per-sensor arrays (SI units, ECEF frame).

    Build it with `radars` and `infrared_satellites` and join sets with `concat`;
    the fields of the other kind hold neutral values (an infrared satellite has an
    all-round field of regard and infinite reference range; a radar a zero plume
    altitude).

    Attributes
    ----------
    position_ecef_m : ndarray, shape (n_sensors, 3)
        Sensor positions, ECEF, m.
    kind : ndarray of int64, shape (n_sensors,)
        `KIND_RADAR` or `KIND_INFRARED`.
    boresight : ndarray, shape (n_sensors,)
        Azimuth of the centre of the field of regard, clockwise from geodetic
        north at the sensor, rad.
    half_width : ndarray, shape (n_sensors,)
        Half-width of the field of regard in azimuth, rad; ``pi`` or more for
        all-round.
    min_elevation, max_elevation : ndarray, shape (n_sensors,)
        Geodetic elevation limits at the sensor, rad.
    reference_range_m : ndarray, shape (n_sensors,)
        Radar detection range against the reference cross section, m.
    reference_rcs_m2 : ndarray, shape (n_sensors,)
        The reference radar cross section, m².
    track_delay_s : ndarray, shape (n_sensors,)
        Further continuous visibility needed after detection to form a track, s.
    fire_control : ndarray of bool, shape (n_sensors,)
        Whether the sensor's track can guide an interceptor.
    min_plume_altitude_m : ndarray, shape (n_sensors,)
        Infrared: lowest altitude above the ellipsoid at which a plume is seen
        (cloud tops), m.
    detection_delay_s : ndarray, shape (n_sensors,)
        Continuous visibility needed to declare a detection, s (scan and
        confirmation time of an infrared satellite; usually 0 for a radar).
    """

    position_ecef_m: FloatArray
    kind: NDArray[np.int64]
    boresight: FloatArray
    half_width: FloatArray
    min_elevation: FloatArray
    max_elevation: FloatArray
    reference_range_m: FloatArray
    reference_rcs_m2: FloatArray
    track_delay_s: FloatArray
    fire_control: NDArray[np.bool_]
    min_plume_altitude_m: FloatArray
    detection_delay_s: FloatArray

    def __post_init__(self) -> None:
        pos = _positions(self.position_ecef_m)
        n = pos.shape[0]
        object.__setattr__(self, "position_ecef_m", pos)
        object.__setattr__(self, "kind", _column(self.kind, n, "kind", np.int64))
        object.__setattr__(
            self, "fire_control", _column(self.fire_control, n, "fire_control", bool)
        )
        for name in (
            "boresight",
            "half_width",
            "min_elevation",
            "max_elevation",
            "reference_range_m",
            "reference_rcs_m2",
            "track_delay_s",
            "min_plume_altitude_m",
            "detection_delay_s",
        ):
            object.__setattr__(self, name, _column(getattr(self, name), n, name))
        if not np.all((self.kind == KIND_RADAR) | (self.kind == KIND_INFRARED)):
            raise ValueError("kind must be KIND_RADAR (0) or KIND_INFRARED (1)")

    @property
    def n_sensors(self) -> int:
        """Number of sensors."""
        return int(self.position_ecef_m.shape[0])

    def packed(self) -> FloatArray:
        """The (n_sensors, `N_FIELDS`) float64 array the kernels read, a new copy."""
        packed = np.empty((self.n_sensors, N_FIELDS))
        packed[:, X : Z + 1] = self.position_ecef_m
        packed[:, KIND] = self.kind
        packed[:, BORESIGHT] = self.boresight
        packed[:, HALF_WIDTH] = self.half_width
        packed[:, MIN_ELEVATION] = self.min_elevation
        packed[:, MAX_ELEVATION] = self.max_elevation
        packed[:, REFERENCE_RANGE_M] = self.reference_range_m
        packed[:, REFERENCE_RCS_M2] = self.reference_rcs_m2
        packed[:, TRACK_DELAY_S] = self.track_delay_s
        packed[:, FIRE_CONTROL] = self.fire_control
        packed[:, MIN_PLUME_ALTITUDE_M] = self.min_plume_altitude_m
        packed[:, DETECTION_DELAY_S] = self.detection_delay_s
        return packed

    @classmethod
    def radars(
        cls,
        position_ecef_m: ArrayLike,
        *,
        reference_range_m: ArrayLike,
        reference_rcs_m2: ArrayLike,
        boresight: ArrayLike = 0.0,
        half_width: ArrayLike = math.pi,
        min_elevation: ArrayLike = 0.0,
        max_elevation: ArrayLike = 0.5 * math.pi,
        track_delay_s: ArrayLike = 0.0,
        fire_control: ArrayLike = False,
        detection_delay_s: ArrayLike = 0.0,
    ) -> SensorArrays:
        """Radars; every parameter is a scalar or one value per sensor.

        Parameters
        ----------
        position_ecef_m : array_like, shape (3,) or (n, 3)
            ECEF positions, m.
        reference_range_m : array_like
            Detection range against ``reference_rcs_m2``, m.
        reference_rcs_m2 : array_like
            Reference radar cross section, m².
        boresight : array_like, optional
            Azimuth of the sector centre, clockwise from north, rad (default 0).
        half_width : array_like, optional
            Sector half-width in azimuth, rad (default ``pi``: all-round).
        min_elevation, max_elevation : array_like, optional
            Geodetic elevation limits, rad (default 0 and ``pi/2``).
        track_delay_s : array_like, optional
            Further continuous visibility after detection to form a track, s
            (default 0).
        fire_control : array_like of bool, optional
            Whether the track can guide an interceptor (default False).
        detection_delay_s : array_like, optional
            Continuous visibility needed to declare a detection, s (default 0).
        """
        pos = _positions(position_ecef_m)
        n = pos.shape[0]
        return cls(
            position_ecef_m=pos,
            kind=np.full(n, KIND_RADAR, dtype=np.int64),
            boresight=_column(boresight, n, "boresight"),
            half_width=_column(half_width, n, "half_width"),
            min_elevation=_column(min_elevation, n, "min_elevation"),
            max_elevation=_column(max_elevation, n, "max_elevation"),
            reference_range_m=_column(reference_range_m, n, "reference_range_m"),
            reference_rcs_m2=_column(reference_rcs_m2, n, "reference_rcs_m2"),
            track_delay_s=_column(track_delay_s, n, "track_delay_s"),
            fire_control=_column(fire_control, n, "fire_control", bool),
            min_plume_altitude_m=np.zeros(n),
            detection_delay_s=_column(detection_delay_s, n, "detection_delay_s"),
        )

    @classmethod
    def infrared_satellites(
        cls,
        position_ecef_m: ArrayLike,
        *,
        min_plume_altitude_m: ArrayLike,
        detection_delay_s: ArrayLike = 0.0,
        track_delay_s: ArrayLike = 0.0,
        fire_control: ArrayLike = False,
    ) -> SensorArrays:
        """Space-based infrared sensors; every parameter is a scalar or one value per sensor.

        Parameters
        ----------
        position_ecef_m : array_like, shape (3,) or (n, 3)
            ECEF positions, m (a geostationary satellite is fixed in ECEF).
        min_plume_altitude_m : array_like
            Lowest plume altitude above the ellipsoid that is seen, m (cloud
            tops, of the order of 10-15 km).
        detection_delay_s : array_like, optional
            Continuous visibility needed to declare a launch, s (default 0).
        track_delay_s : array_like, optional
            Further continuous visibility after detection to form a track, s
            (default 0).
        fire_control : array_like of bool, optional
            Whether the track can guide an interceptor (default False).
        """
        pos = _positions(position_ecef_m)
        n = pos.shape[0]
        return cls(
            position_ecef_m=pos,
            kind=np.full(n, KIND_INFRARED, dtype=np.int64),
            boresight=np.zeros(n),
            half_width=np.full(n, math.pi),
            min_elevation=np.full(n, -0.5 * math.pi),
            max_elevation=np.full(n, 0.5 * math.pi),
            reference_range_m=np.full(n, np.inf),
            reference_rcs_m2=np.ones(n),
            track_delay_s=_column(track_delay_s, n, "track_delay_s"),
            fire_control=_column(fire_control, n, "fire_control", bool),
            min_plume_altitude_m=_column(min_plume_altitude_m, n, "min_plume_altitude_m"),
            detection_delay_s=_column(detection_delay_s, n, "detection_delay_s"),
        )

    @classmethod
    def concat(cls, *parts: SensorArrays) -> SensorArrays:
        """Join sensor sets, in order."""
        if not parts:
            raise ValueError("concat needs at least one SensorArrays")
        return cls(
            position_ecef_m=np.concatenate([p.position_ecef_m for p in parts]),
            kind=np.concatenate([p.kind for p in parts]),
            boresight=np.concatenate([p.boresight for p in parts]),
            half_width=np.concatenate([p.half_width for p in parts]),
            min_elevation=np.concatenate([p.min_elevation for p in parts]),
            max_elevation=np.concatenate([p.max_elevation for p in parts]),
            reference_range_m=np.concatenate([p.reference_range_m for p in parts]),
            reference_rcs_m2=np.concatenate([p.reference_rcs_m2 for p in parts]),
            track_delay_s=np.concatenate([p.track_delay_s for p in parts]),
            fire_control=np.concatenate([p.fire_control for p in parts]),
            min_plume_altitude_m=np.concatenate([p.min_plume_altitude_m for p in parts]),
            detection_delay_s=np.concatenate([p.detection_delay_s for p in parts]),
        )

    def take(self, index: ArrayLike) -> SensorArrays:
        """The sensors at ``index`` (integer array or boolean mask), in that order."""
        idx = np.asarray(index)
        if idx.dtype != np.bool_:
            idx = idx.astype(np.int64).reshape(-1)
        return SensorArrays(
            position_ecef_m=self.position_ecef_m[idx].reshape(-1, 3),
            kind=self.kind[idx].reshape(-1),
            boresight=self.boresight[idx].reshape(-1),
            half_width=self.half_width[idx].reshape(-1),
            min_elevation=self.min_elevation[idx].reshape(-1),
            max_elevation=self.max_elevation[idx].reshape(-1),
            reference_range_m=self.reference_range_m[idx].reshape(-1),
            reference_rcs_m2=self.reference_rcs_m2[idx].reshape(-1),
            track_delay_s=self.track_delay_s[idx].reshape(-1),
            fire_control=self.fire_control[idx].reshape(-1),
            min_plume_altitude_m=self.min_plume_altitude_m[idx].reshape(-1),
            detection_delay_s=self.detection_delay_s[idx].reshape(-1),
        )


# ---------------------------------------------------------------------------
# Scalar kernels
# ---------------------------------------------------------------------------


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


@numba.njit(cache=True)
def radar_visible(
    sx: float,
    sy: float,
    sz: float,
    east: tuple[float, float, float],
    north: tuple[float, float, float],
    up: tuple[float, float, float],
    tx: float,
    ty: float,
    tz: float,
    boresight: float,
    half_width: float,
    min_elevation: float,
    max_elevation: float,
    range_m: float,
    a_m: float,
    f: float,
) -> bool:
    """Whether a radar sees a target at one instant.

    Parameters
    ----------
    sx, sy, sz : float
        Radar position, ECEF, m.
    east, north, up : tuple of float
        The radar's local unit vectors in ECEF (`securityroof.core.earth.enu_basis`
        at its geodetic latitude and longitude).
    tx, ty, tz : float
        Target position, ECEF, m; NaN is never visible.
    boresight, half_width : float
        Azimuth sector: centre (clockwise from north) and half-width, rad;
        ``half_width >= pi`` is all-round.
    min_elevation, max_elevation : float
        Geodetic elevation limits, rad.
    range_m : float
        Detection range against this target (`detection_range_m`), m.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    bool
        True when the slant range is at most ``range_m``, the elevation lies
        within the limits, the azimuth within the sector (wrapping through
        north), and the line of sight clears the ellipsoid
        (`securityroof.core.earth.line_of_sight`). A target at the radar's
        zenith has azimuth 0 by convention.
    """
    dx = tx - sx
    dy = ty - sy
    dz = tz - sz
    # Cheapest test first; written so that NaN fails it.
    if not dx * dx + dy * dy + dz * dz <= range_m * range_m:
        return False
    e = east[0] * dx + east[1] * dy + east[2] * dz
    n = north[0] * dx + north[1] * dy + north[2] * dz
    u = up[0] * dx + up[1] * dy + up[2] * dz
    az, el, _ = enu_to_look_angles(e, n, u)
    if el < min_elevation or el > max_elevation:
        return False
    if half_width < math.pi:
        off = az - boresight
        off -= _TWO_PI * math.floor((off + math.pi) / _TWO_PI)  # into [-pi, pi)
        if abs(off) > half_width:
            return False
    return line_of_sight(sx, sy, sz, tx, ty, tz, a_m, f)


@numba.njit(cache=True)
def infrared_visible(
    sx: float,
    sy: float,
    sz: float,
    tx: float,
    ty: float,
    tz: float,
    altitude_m: float,
    boosting: bool,
    min_plume_altitude_m: float,
    a_m: float,
    f: float,
) -> bool:
    """Whether an infrared satellite sees a missile's plume at one instant.

    Parameters
    ----------
    sx, sy, sz : float
        Satellite position, ECEF, m.
    tx, ty, tz : float
        Missile position, ECEF, m.
    altitude_m : float
        Missile altitude above the ellipsoid, m; NaN is never visible.
    boosting : bool
        Whether the motor is burning.
    min_plume_altitude_m : float
        Lowest altitude at which the plume is seen (cloud tops), m.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    bool
        True while boosting, at or above the plume altitude, with a line of
        sight that clears the ellipsoid.
    """
    if not boosting or not altitude_m >= min_plume_altitude_m:
        return False
    return line_of_sight(sx, sy, sz, tx, ty, tz, a_m, f)


@numba.njit(cache=True)
def visible(
    packed: FloatArray,
    frames: FloatArray,
    j: int,
    tx: float,
    ty: float,
    tz: float,
    altitude_m: float,
    boosting: bool,
    range_m: float,
    a_m: float,
    f: float,
) -> bool:
    """Whether sensor ``j`` sees a target at one instant (either kind).

    Parameters
    ----------
    packed : ndarray, shape (n_sensors, N_FIELDS)
        `SensorArrays.packed`.
    frames : ndarray, shape (n_sensors, 9)
        `sensor_frames` of the same sensors.
    j : int
        Sensor index.
    tx, ty, tz : float
        Target position, ECEF, m.
    altitude_m : float
        Target altitude above the ellipsoid, m; read by infrared sensors only
        (pass NaN when no infrared sensor is asked).
    boosting : bool
        Whether the target is under thrust; read by infrared sensors only.
    range_m : float
        The radar's detection range against this target
        (`detection_range_m`), m; read by radars only.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    bool
        `radar_visible` or `infrared_visible`, by the sensor's kind.
    """
    p = packed[j]
    if p[KIND] == KIND_INFRARED:
        return infrared_visible(
            p[X], p[Y], p[Z], tx, ty, tz, altitude_m, boosting, p[MIN_PLUME_ALTITUDE_M], a_m, f
        )
    fr = frames[j]
    return radar_visible(
        p[X],
        p[Y],
        p[Z],
        (fr[0], fr[1], fr[2]),
        (fr[3], fr[4], fr[5]),
        (fr[6], fr[7], fr[8]),
        tx,
        ty,
        tz,
        p[BORESIGHT],
        p[HALF_WIDTH],
        p[MIN_ELEVATION],
        p[MAX_ELEVATION],
        range_m,
        a_m,
        f,
    )


@numba.njit(cache=True)
def sensor_frames(packed: FloatArray, a_m: float, f: float) -> FloatArray:
    """Local east, north and up unit vectors of each sensor, ECEF.

    Parameters
    ----------
    packed : ndarray, shape (n_sensors, N_FIELDS)
        `SensorArrays.packed`.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening.

    Returns
    -------
    ndarray, shape (n_sensors, 9)
        East (columns 0-2), north (3-5) and up (6-8) at each sensor's geodetic
        latitude and longitude (`securityroof.core.earth.enu_basis`),
        dimensionless.
    """
    n = packed.shape[0]
    out = np.empty((n, 9))
    for j in range(n):
        lat, lon, _ = ecef_to_geodetic(packed[j, X], packed[j, Y], packed[j, Z], a_m, f)
        east, north, up = enu_basis(lat, lon)
        for c in range(3):
            out[j, c] = east[c]
            out[j, 3 + c] = north[c]
            out[j, 6 + c] = up[c]
    return out


# ---------------------------------------------------------------------------
# Batch detection
# ---------------------------------------------------------------------------


@numba.njit(cache=True, parallel=True)
def _detect_kernel(samples, times, range_m, boosting, burnout_s, use_mask, packed, frames, a_m, f):
    n_threats = samples.shape[0]
    n_times = times.size
    n_sensors = packed.shape[0]
    first_visible = np.full((n_threats, n_sensors), np.nan)
    first_detection = np.full((n_threats, n_sensors), np.nan)
    last_visible = np.full((n_threats, n_sensors), np.nan)
    track = np.full((n_threats, n_sensors), np.nan)
    n_visible = np.zeros((n_threats, n_sensors), dtype=np.int64)
    n_samples = np.zeros(n_threats, dtype=np.int64)
    any_infrared = False
    detect_need = np.empty(n_sensors)
    track_need = np.empty(n_sensors)
    for j in range(n_sensors):
        any_infrared = any_infrared or packed[j, KIND] == KIND_INFRARED
        detect_need[j] = packed[j, DETECTION_DELAY_S]
        track_need[j] = packed[j, DETECTION_DELAY_S] + packed[j, TRACK_DELAY_S]
    for i in numba.prange(n_threats):
        run_start = np.full(n_sensors, np.nan)  # NaN: not in a run of visible samples
        count = 0
        for k in range(n_times):
            x = samples[i, k, 0]
            y = samples[i, k, 1]
            z = samples[i, k, 2]
            if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
                for j in range(n_sensors):
                    run_start[j] = np.nan
                continue
            count += 1
            t = times[k]
            boost = boosting[i, k] if use_mask else t <= burnout_s[i]
            altitude = np.nan
            if any_infrared and boost:
                altitude = ecef_to_geodetic(x, y, z, a_m, f)[2]
            for j in range(n_sensors):
                if not visible(packed, frames, j, x, y, z, altitude, boost, range_m[i, j], a_m, f):
                    run_start[j] = np.nan
                    continue
                if math.isnan(run_start[j]):
                    run_start[j] = t
                if n_visible[i, j] == 0:
                    first_visible[i, j] = t
                n_visible[i, j] += 1
                last_visible[i, j] = t
                held = t - run_start[j] + _TIME_SLACK_S
                if math.isnan(first_detection[i, j]) and held >= detect_need[j]:
                    first_detection[i, j] = run_start[j] + detect_need[j]
                if math.isnan(track[i, j]) and held >= track_need[j]:
                    track[i, j] = run_start[j] + track_need[j]
        n_samples[i] = count
    fire_control = track.copy()
    for j in range(n_sensors):
        if packed[j, FIRE_CONTROL] == 0.0:
            fire_control[:, j] = np.nan
    return first_visible, first_detection, last_visible, track, fire_control, n_visible, n_samples


def _fmin_over_sensors(a: FloatArray) -> FloatArray:
    if a.shape[1] == 0:
        return np.full(a.shape[0], np.nan)
    return np.asarray(np.fmin.reduce(a, axis=1))


@dataclass(frozen=True)
class DetectionArrays:
    """Detection timing per (threat, sensor) pair.

    Times are seconds on each threat's own sample grid (from its launch); NaN
    means never.

    Attributes
    ----------
    first_visible_s : ndarray, shape (n_threats, n_sensors)
        Time of the first visible sample, s.
    first_detection_s : ndarray, shape (n_threats, n_sensors)
        Detection: start of the first run of visible samples lasting at least
        the sensor's detection delay, plus that delay, s (the first visible
        sample when the delay is 0).
    last_visible_s : ndarray, shape (n_threats, n_sensors)
        Time of the last visible sample, s.
    track_s : ndarray, shape (n_threats, n_sensors)
        Track formed: start of the first run lasting at least
        detection delay + track delay, plus that requirement, s.
    fire_control_s : ndarray, shape (n_threats, n_sensors)
        ``track_s`` for fire-control sensors, NaN for the others, s.
    n_visible : ndarray of int64, shape (n_threats, n_sensors)
        Number of visible samples.
    n_samples : ndarray of int64, shape (n_threats,)
        Number of finite samples of each threat (in flight).
    """

    first_visible_s: FloatArray
    first_detection_s: FloatArray
    last_visible_s: FloatArray
    track_s: FloatArray
    fire_control_s: FloatArray
    n_visible: NDArray[np.int64]
    n_samples: NDArray[np.int64]

    @property
    def visible_fraction(self) -> FloatArray:
        """Share of each threat's in-flight samples seen by each sensor, (n_threats, n_sensors)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(self.n_visible / self.n_samples[:, None])

    @property
    def earliest_detection_s(self) -> FloatArray:
        """First detection by any sensor, s, (n_threats,); NaN if none."""
        return _fmin_over_sensors(self.first_detection_s)

    @property
    def earliest_track_s(self) -> FloatArray:
        """First track by any sensor, s, (n_threats,); NaN if none."""
        return _fmin_over_sensors(self.track_s)

    @property
    def earliest_fire_control_s(self) -> FloatArray:
        """First fire-control track by any sensor, s, (n_threats,); NaN if none."""
        return _fmin_over_sensors(self.fire_control_s)


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


def detect(
    samples_ecef_m: ArrayLike,
    times_s: ArrayLike,
    rcs_m2: ArrayLike,
    sensors: SensorArrays,
    a_m: float,
    f: float,
    *,
    boosting: ArrayLike | None = None,
    burnout_s: ArrayLike | None = None,
) -> DetectionArrays:
    """When each sensor detects, sees and tracks each sampled threat.

    Parameters
    ----------
    samples_ecef_m : array_like, shape (n_threats, n_times, >=3)
        Positions, ECEF, m, in the first three components of the last axis (the
        ``(n, n_times, 6)`` samples of `securityroof.core.flight` can be passed
        as they are); NaN after impact (any non-finite sample is not visible and
        breaks a run).
    times_s : array_like, shape (n_times,)
        Sample times, s from each threat's launch, increasing.
    rcs_m2 : array_like, shape (), (n_threats,) or (n_threats, n_sensors)
        Radar cross section of each threat, m², optionally per sensor (e.g. by
        frequency band); ignored by infrared sensors.
    sensors : SensorArrays
        The sensors.
    a_m, f : float
        Ellipsoid equatorial radius (m) and flattening (0 for a sphere).
    boosting : array_like of bool, shape (n_threats, n_times), optional
        Whether each sample is under thrust.
    burnout_s : array_like, shape () or (n_threats,), optional
        Alternatively, the burnout time of each threat, s: samples at
        ``t <= burnout_s`` are boosting. One of the two is needed when there is
        an infrared sensor; they cannot both be given.

    Returns
    -------
    DetectionArrays
        Per (threat, sensor) timing; see the module notes for the definitions.

    Notes
    -----
    Compiled, parallel over threats; for each threat the samples are visited in
    order and each sensor keeps only its running summary, so no
    (threat, sensor, time) array is formed.
    """
    samples, times, packed, range_m = checked_inputs(samples_ecef_m, times_s, rcs_m2, sensors)
    n_threats, n_times = samples.shape[0], samples.shape[1]
    if n_times > 1 and not np.all(np.diff(times) > 0):
        raise ValueError("times_s must increase strictly")
    use_mask = boosting is not None
    if use_mask and burnout_s is not None:
        raise ValueError("give either boosting or burnout_s, not both")
    if use_mask:
        mask = np.ascontiguousarray(np.asarray(boosting, dtype=np.bool_))
        if mask.shape != (n_threats, n_times):
            raise ValueError(f"boosting must have shape ({n_threats}, {n_times})")
        burnout = np.zeros(n_threats)
    else:
        mask = np.zeros((1, 1), dtype=np.bool_)
        burnout = checked_burnout(burnout_s, n_threats, sensors)
    frames = sensor_frames(np.ascontiguousarray(packed), float(a_m), float(f))
    if not samples.flags.c_contiguous:
        samples = np.ascontiguousarray(samples)
    out = _detect_kernel(
        samples,
        times,
        range_m,
        mask,
        burnout,
        use_mask,
        np.ascontiguousarray(packed),
        frames,
        float(a_m),
        float(f),
    )
    return DetectionArrays(*out)
