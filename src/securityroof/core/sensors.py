"""Sensors as the kernels see them: radars and infrared satellites, packed.

The model is geometric, at the fidelity of the open arms-control literature:

Radar
    A sensor at a fixed ECEF position (a site on the ground or a ship) with a
    field of regard: a sector of azimuths centred on a boresight, ``half_width``
    either side (``pi`` for all-round), and geodetic elevations between
    ``min_elevation`` and ``max_elevation`` at the sensor. It works in one
    frequency band (``band``, one of `securityroof.core.signatures.BANDS`) and
    detects a target of radar cross section ``sigma`` *in that band* out to
    ``R = R_ref (sigma / sigma_ref)^(1/4)`` (`detection_range_m`), and only
    along a line of sight that clears the Earth's ellipsoid. Refraction,
    terrain, clutter, beam scheduling and fluctuation statistics are not
    modelled: the detection range is a hard threshold.
Infrared satellite
    A sensor at a fixed ECEF position (geostationary) that sees a missile's
    plume only while it is boosting and above a minimum plume altitude (cloud
    tops), along a line of sight that clears the Earth. No range limit and no
    field-of-regard limit.

Sensors are packed for the kernels into a float array (`SensorArrays.packed`,
columns indexed by the module constants ``X`` ... ``BAND``), like
`securityroof.core.planet.Planet.packed`. The one-instant visibility tests are
in `securityroof.core.visibility`; what each sensor sees of a whole trajectory
(its sightline) in `securityroof.core.sightlines`; detection and track times in
`securityroof.core.detection`, whose inputs (and each radar's range against
each threat) `securityroof.core.detection_inputs` checks and lays out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from securityroof.core.signatures import BAND_X, N_BANDS, NO_BAND

__all__ = ["BAND", "KIND_INFRARED", "KIND_RADAR", "N_FIELDS", "SensorArrays"]

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
    BAND,
    MIN_PLUME_ALTITUDE_M,
    DETECTION_DELAY_S,
) = range(14)
N_FIELDS = 14


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
    band : ndarray of int64, shape (n_sensors,)
        A radar's frequency band (`securityroof.core.signatures.BANDS`
        index); `securityroof.core.signatures.NO_BAND` for infrared.
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
    band: NDArray[np.int64]
    min_plume_altitude_m: FloatArray
    detection_delay_s: FloatArray

    def __post_init__(self) -> None:
        pos = _positions(self.position_ecef_m)
        n = pos.shape[0]
        object.__setattr__(self, "position_ecef_m", pos)
        object.__setattr__(self, "kind", _column(self.kind, n, "kind", np.int64))
        object.__setattr__(self, "band", _column(self.band, n, "band", np.int64))
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
        radar = self.kind == KIND_RADAR
        if np.any(radar & ((self.band < 0) | (self.band >= N_BANDS))):
            raise ValueError(f"a radar's band must be a band index 0..{N_BANDS - 1}")

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
        packed[:, BAND] = self.band
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
        band: ArrayLike = BAND_X,
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
        band : array_like of int, optional
            Frequency band, an index of `securityroof.core.signatures.BANDS`
            (default X band).
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
            band=_column(band, n, "band", np.int64),
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
            band=np.full(n, NO_BAND, dtype=np.int64),
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
            band=np.concatenate([p.band for p in parts]),
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
            band=self.band[idx].reshape(-1),
            min_plume_altitude_m=self.min_plume_altitude_m[idx].reshape(-1),
            detection_delay_s=self.detection_delay_s[idx].reshape(-1),
        )
