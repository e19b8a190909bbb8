"""Batched point-mass flight of ballistic missiles on a rotating, oblate Earth.

The public face of the flight core: fly a batch of missiles from launch
(`fly_boosted`) or of bodies from given states (`fly_free`), and get back
events (burnout, apogee, altitude crossings, impact) and, when asked for,
dense samples. The forces are in `dynamics`, the compiled integrator in
`propagator`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from securityroof.core.dynamics import VehicleArrays
from securityroof.core.earth import geodetic_to_ecef_batch
from securityroof.core.planet import Planet
from securityroof.core.propagator import (
    STATUS_IMPACT,
    STATUS_NO_IMPACT,
    STATUS_STEP_FAILURE,
    fly_batch,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "STATUS_IMPACT",
    "STATUS_NO_IMPACT",
    "STATUS_STEP_FAILURE",
    "FlightArrays",
    "IntegratorSettings",
    "VehicleArrays",
    "burnout_state_ecef",
    "fly_boosted",
    "fly_free",
]


@dataclass(frozen=True)
class IntegratorSettings:
    """Step control of the flight integrator.

    Parameters
    ----------
    position_tolerance_m, velocity_tolerance_m_s
        Local error allowed per step in position (m) and velocity (m/s).
    max_step_boost_s, max_step_free_s
        Largest step in powered and in free flight (s).
    max_flight_time_s
        A trajectory that has not impacted by then is reported as not impacting.
    impact_altitude_m
        Altitude above the ellipsoid at which a descending trajectory ends (m).
    """

    position_tolerance_m: float = 0.1
    velocity_tolerance_m_s: float = 1e-4
    max_step_boost_s: float = 2.0
    max_step_free_s: float = 120.0
    max_flight_time_s: float = 4.0 * 3600.0
    impact_altitude_m: float = 0.0

    def packed(self) -> np.ndarray:
        return np.array(
            [
                self.position_tolerance_m,
                self.velocity_tolerance_m_s,
                self.max_step_boost_s,
                self.max_step_free_s,
                self.max_flight_time_s,
                self.impact_altitude_m,
            ]
        )


DEFAULT_SETTINGS = IntegratorSettings()


@dataclass(frozen=True)
class FlightArrays:
    """Raw per-trajectory results of the kernel, Earth-fixed frame, SI units.

    Times are seconds from the start of each trajectory (launch, or the
    given burnout state). Positions are ECEF (m); velocities are relative to
    the rotating Earth (m/s). Missing events hold NaN.

    Attributes
    ----------
    status
        (n,) STATUS_IMPACT, STATUS_NO_IMPACT or STATUS_STEP_FAILURE.
    burnout
        (n, 7): time, position, velocity at the end of powered flight.
    apogee
        (n, 8): time, altitude above the ellipsoid (m), position, velocity.
    impact
        (n, 7): time, position, velocity at impact.
    crossings
        (n, n_levels, 2): first upward and last downward crossing time of
        each requested altitude.
    samples
        (n, n_samples, 6): position and velocity on the sample grid, NaN after
        impact; empty unless samples were asked for.
    steps
        (n,) accepted integration steps.
    """

    status: np.ndarray
    burnout: np.ndarray
    apogee: np.ndarray
    impact: np.ndarray
    crossings: np.ndarray
    samples: np.ndarray
    steps: np.ndarray

    # The event arrays' columns by name: readers use these, never the column numbers.

    @property
    def burnout_time_s(self) -> np.ndarray:
        return self.burnout[:, 0]

    @property
    def burnout_position_ecef_m(self) -> np.ndarray:
        return self.burnout[:, 1:4]

    @property
    def burnout_velocity_m_s(self) -> np.ndarray:
        return self.burnout[:, 4:7]

    @property
    def apogee_time_s(self) -> np.ndarray:
        return self.apogee[:, 0]

    @property
    def apogee_altitude_m(self) -> np.ndarray:
        return self.apogee[:, 1]

    @property
    def impact_time_s(self) -> np.ndarray:
        """Flight time to impact (s); NaN where it does not come down."""
        return self.impact[:, 0]

    @property
    def impact_position_ecef_m(self) -> np.ndarray:
        return self.impact[:, 1:4]

    @property
    def impact_velocity_m_s(self) -> np.ndarray:
        return self.impact[:, 4:7]

    def rows(self, index: np.ndarray | slice) -> FlightArrays:
        """The trajectories at `index` (an index array, mask or slice), as a batch."""
        return FlightArrays(
            self.status[index],
            self.burnout[index],
            self.apogee[index],
            self.impact[index],
            self.crossings[index],
            self.samples[index],
            self.steps[index],
        )


def _inertial_state(position_ecef_m, velocity_rel_m_s, epoch_s, omega_rad_s):
    """Inertial (r, v) at rotation angle omega * epoch from ECEF position and
    Earth-relative velocity: v_inertial = v_relative + omega x r."""
    theta = omega_rad_s * epoch_s
    c, s = np.cos(theta), np.sin(theta)
    x, y, z = position_ecef_m.T
    vx = velocity_rel_m_s[:, 0] - omega_rad_s * y
    vy = velocity_rel_m_s[:, 1] + omega_rad_s * x
    vz = velocity_rel_m_s[:, 2]
    return np.column_stack((c * x - s * y, s * x + c * y, z, c * vx - s * vy, s * vx + c * vy, vz))


def _broadcast(n: int, value, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    if not np.all(np.isfinite(arr) | (name == "cutoff_s")):
        raise ValueError(f"{name} must be finite")
    return np.array(arr)  # an owned, writeable copy for the kernels


def _run(
    y0,
    epoch_s,
    guidance,
    cutoff_s,
    boosted,
    vehicle,
    planet,
    drag,
    levels_m,
    sample_dt_s,
    sample_until_s,
    settings,
):
    if sample_dt_s is None:
        n_samples, dt = 0, 1.0
    else:
        if sample_dt_s <= 0 or sample_until_s is None or sample_until_s < 0:
            raise ValueError("samples need sample_dt_s > 0 and sample_until_s >= 0")
        n_samples, dt = int(np.floor(sample_until_s / sample_dt_s + 1e-9)) + 1, float(sample_dt_s)
    levels = np.ascontiguousarray(np.asarray(levels_m, dtype=np.float64).reshape(-1))
    result = fly_batch(
        np.ascontiguousarray(y0),
        epoch_s,
        np.ascontiguousarray(guidance),
        cutoff_s,
        boosted,
        np.ascontiguousarray(vehicle.stages, dtype=np.float64),
        float(vehicle.payload_kg),
        planet.packed(),
        bool(drag),
        float(vehicle.ballistic_coefficient_kg_m2),
        np.ascontiguousarray(vehicle.cd_mach, dtype=np.float64),
        np.ascontiguousarray(vehicle.cd, dtype=np.float64),
        settings.packed(),
        levels,
        dt,
        n_samples,
        max(1, min(y0.shape[0], 8 * numba.get_num_threads())),
    )
    status, steps, burnout, apogee, impact, crossings, samples = result
    return FlightArrays(status, burnout, apogee, impact, crossings, samples, steps)


def fly_boosted(
    vehicle: VehicleArrays,
    planet: Planet,
    launch_lat: np.ndarray | float,
    launch_lon: np.ndarray | float,
    launch_altitude_m: np.ndarray | float,
    azimuth: np.ndarray | float,
    kick: np.ndarray | float,
    *,
    cutoff_s: np.ndarray | float = np.inf,
    epoch_s: np.ndarray | float = 0.0,
    drag: bool = True,
    levels_m: np.ndarray | tuple[float, ...] = (),
    sample_dt_s: float | None = None,
    sample_until_s: float | None = None,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> FlightArrays:
    """Fly a batch of missiles of one type from launch to impact.

    Parameters
    ----------
    vehicle
        The missile.
    planet
        Earth model.
    launch_lat, launch_lon
        Geodetic launch coordinates (rad); arrays of one length or scalars.
    launch_altitude_m
        Launch altitude above the ellipsoid (m).
    azimuth
        Launch azimuth, clockwise from north (rad).
    kick
        Pitch-over angle from the vertical (rad): the loft/depress parameter.
    cutoff_s
        Thrust cutoff time after launch (s); inf burns all stages out.
    epoch_s
        Launch time after the common epoch at which the inertial and the
        Earth-fixed frames coincide (s); sets the Earth's rotation angle.
    drag
        Whether the atmosphere acts on the missile.
    levels_m
        Altitudes (m) whose upward and downward crossing times are wanted.
    sample_dt_s, sample_until_s
        Optional dense samples every `sample_dt_s` from launch up to
        `sample_until_s` (s).
    settings
        Integrator tolerances and limits.
    """
    lat = np.atleast_1d(np.asarray(launch_lat, dtype=np.float64))
    n = max(
        lat.size,
        *(np.size(v) for v in (launch_lon, launch_altitude_m, azimuth, kick, cutoff_s, epoch_s)),
    )
    lat = _broadcast(n, launch_lat, "launch_lat")
    lon = _broadcast(n, launch_lon, "launch_lon")
    alt = _broadcast(n, launch_altitude_m, "launch_altitude_m")
    epoch = _broadcast(n, epoch_s, "epoch_s")
    position = np.column_stack(geodetic_to_ecef_batch(lat, lon, alt, planet.a_m, planet.f))
    y0 = _inertial_state(position, np.zeros((n, 3)), epoch, planet.omega_rad_s)
    guidance = np.column_stack(
        (
            _broadcast(n, azimuth, "azimuth"),
            _broadcast(n, kick, "kick"),
            np.full(n, float(vehicle.vertical_rise_s)),
            np.full(n, float(vehicle.pitch_over_s)),
        )
    )
    return _run(
        y0,
        epoch,
        guidance,
        _broadcast(n, cutoff_s, "cutoff_s"),
        True,
        vehicle,
        planet,
        drag,
        levels_m,
        sample_dt_s,
        sample_until_s,
        settings,
    )


def fly_free(
    planet: Planet,
    position_ecef_m: np.ndarray,
    velocity_rel_m_s: np.ndarray,
    *,
    ballistic_coefficient_kg_m2: float = np.inf,
    epoch_s: np.ndarray | float = 0.0,
    drag: bool = True,
    levels_m: np.ndarray | tuple[float, ...] = (),
    sample_dt_s: float | None = None,
    sample_until_s: float | None = None,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> FlightArrays:
    """Fly a batch of unpowered bodies from given Earth-fixed states to impact.

    Parameters
    ----------
    position_ecef_m
        (n, 3) ECEF start positions (m), e.g. burnout points.
    velocity_rel_m_s
        (n, 3) start velocities relative to the rotating Earth, ECEF axes (m/s).
    ballistic_coefficient_kg_m2
        m / (Cd A) (kg/m^2); inf means no drag.
    Other parameters as in `fly_boosted`; times count from the start state.
    """
    position = np.atleast_2d(np.asarray(position_ecef_m, dtype=np.float64))
    velocity = np.atleast_2d(np.asarray(velocity_rel_m_s, dtype=np.float64))
    n = position.shape[0]
    epoch = _broadcast(n, epoch_s, "epoch_s")
    y0 = _inertial_state(position, velocity, epoch, planet.omega_rad_s)
    body = VehicleArrays(
        stages=np.zeros((1, 6)),
        payload_kg=0.0,
        ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2,
        vertical_rise_s=0.0,
        pitch_over_s=1.0,
        cd_mach=np.zeros(2) + np.array([0.0, 1.0]),
        cd=np.zeros(2),
    )
    return _run(
        y0,
        epoch,
        np.zeros((n, 4)),
        np.zeros(n),
        False,
        body,
        planet,
        drag and np.isfinite(ballistic_coefficient_kg_m2),
        levels_m,
        sample_dt_s,
        sample_until_s,
        settings,
    )


def burnout_state_ecef(
    lat: np.ndarray | float,
    lon: np.ndarray | float,
    altitude_m: np.ndarray | float,
    speed_m_s: np.ndarray | float,
    flight_path_angle: np.ndarray | float,
    azimuth: np.ndarray | float,
    planet: Planet,
) -> tuple[np.ndarray, np.ndarray]:
    """ECEF position (m) and Earth-relative velocity (m/s) of burnout states.

    The flight-path angle (rad) is measured above the local geodetic horizontal,
    the azimuth (rad) clockwise from north; speed is relative to the Earth.
    """
    values = (lat, lon, altitude_m, speed_m_s, flight_path_angle, azimuth)
    lat, lon, alt, speed, gamma, az = (
        np.array(v)  # broadcast views are read-only; the kernels want owned arrays
        for v in np.broadcast_arrays(
            *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values)
        )
    )
    position = np.column_stack(geodetic_to_ecef_batch(lat, lon, alt, planet.a_m, planet.f))
    cp, sp, cl, sl = np.cos(lat), np.sin(lat), np.cos(lon), np.sin(lon)
    east = np.column_stack((-sl, cl, np.zeros_like(cl)))
    north = np.column_stack((-sp * cl, -sp * sl, cp))
    up = np.column_stack((cp * cl, cp * sl, sp))
    horizontal = np.cos(az)[:, None] * north + np.sin(az)[:, None] * east
    velocity = speed[:, None] * (np.cos(gamma)[:, None] * horizontal + np.sin(gamma)[:, None] * up)
    return position, velocity
