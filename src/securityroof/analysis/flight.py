"""Single flights as a user asks for them: to an aim point, from a burnout
state, or to the maximum range; with the numbers the report and CLI show.

Inputs and results are SI (m, s, rad); the CLI converts at its edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from securityroof.core.constants import GM_EARTH_M3_S2
from securityroof.core.flight import (
    DEFAULT_SETTINGS,
    STATUS_IMPACT,
    FlightArrays,
    burnout_state_ecef,
    fly_boosted,
    fly_free,
)
from securityroof.core.geodesy import geodesic_inverse_batch
from securityroof.core.planet import Planet
from securityroof.core.targeting import (
    Guidance,
    Launch,
    TargetingError,
    aim,
    burnout_angle_of,
    geodetic_of,
    max_range,
)
from securityroof.errors import RoofError
from securityroof.model.catalog import MissileCatalog
from securityroof.model.quantity import Case
from securityroof.model.shapes import SHAPES

# Bounds on a sampled time series: finer than any sensor frame, and few enough
# samples to hold (an ICBM flight of 2,000 s at 0.01 s is 200,000 rows).
SAMPLE_INTERVAL_S = (0.01, 600.0)
MAX_SAMPLES = 1_000_000


@dataclass(frozen=True)
class EarthOptions:
    """Which Earth a flight is computed on."""

    shape: str = "wgs84"
    rotating: bool = True
    j2: bool = True
    drag: bool = True

    def planet(self) -> Planet:
        if self.shape not in ("wgs84", "sphere"):
            raise RoofError(
                f"unknown Earth model {self.shape!r}.",
                parameter="earth",
                fix="Use wgs84 or sphere.",
            )
        return Planet.build(self.shape, rotating=self.rotating, j2=self.j2)


@dataclass(frozen=True)
class BurnoutSummary:
    time_s: float  # from launch (0 in burnout-state mode)
    speed_m_s: float  # relative to the rotating Earth
    angle: float  # flight-path angle above the local horizontal (rad)
    altitude_m: float


@dataclass(frozen=True)
class FlightSamples:
    """One flight on a fixed time grid from its start, ending with the impact.

    Positions are geodetic (rad, m above the ellipsoid); speed is relative to
    the rotating Earth (m/s); x, y, z are the Earth-fixed position (m).
    """

    time_s: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    altitude_m: np.ndarray
    speed_m_s: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    z_m: np.ndarray


@dataclass(frozen=True)
class FlightResult:
    """What one flight did, in SI units, ready for any presentation."""

    mode: str  # "aim", "burnout-state" or "max-range"
    missile_id: str | None
    earth: EarthOptions
    launch_lat: float
    launch_lon: float
    range_m: float  # geodesic distance from the launch (or burnout) point to impact
    flight_time_s: float
    apogee_m: float  # above the ellipsoid
    burnout: BurnoutSummary
    impact_lat: float
    impact_lon: float
    impact_speed_m_s: float
    guidance: Guidance | None = None
    shape: str | None = None
    target_lat: float | None = None
    target_lon: float | None = None
    miss_distance_m: float | None = None
    ballistic_coefficient_kg_m2: float | None = None
    case: Case = "nominal"
    samples: FlightSamples | None = None  # when a sample interval was asked for


def check_latlon(
    lat_deg: float, lon_deg: float, where: str | None = None, *, parameter: str | None = None
) -> None:
    """Reject coordinates outside [-90, 90] x [-180, 360]."""
    if not (math.isfinite(lat_deg) and math.isfinite(lon_deg)):
        raise RoofError("coordinates must be finite numbers.", where=where, parameter=parameter)
    if not -90.0 <= lat_deg <= 90.0:
        raise RoofError(
            f"latitude {lat_deg} is outside -90..90 degrees.",
            where=where,
            parameter=parameter,
            fix="Give the latitude first, in degrees.",
        )
    if not -180.0 <= lon_deg <= 360.0:
        raise RoofError(
            f"longitude {lon_deg} is outside -180..360 degrees.", where=where, parameter=parameter
        )


def _summarise(
    flight: FlightArrays, launch: Launch, planet: Planet, *, t0_is_burnout: bool
) -> dict[str, object]:
    if flight.status[0] != STATUS_IMPACT:
        raise RoofError(
            "the trajectory does not come back down within "
            f"{DEFAULT_SETTINGS.max_flight_time_s / 3600:.0f} hours (orbital or escaping).",
            fix="Lower the burnout speed or steepen the angle.",
        )
    lat, lon, _ = (float(v[0]) for v in geodetic_of(flight.impact_position_ecef_m[0], planet))
    burnout_alt = float(geodetic_of(flight.burnout_position_ecef_m[0], planet)[2][0])
    distance = float(
        geodesic_inverse_batch(launch.lat, launch.lon, lat, lon, planet.a_m, planet.f)[0]
    )
    apogee = float(flight.apogee_altitude_m[0])
    if not np.isfinite(apogee):  # descending from the start: the highest point is the start
        apogee = burnout_alt
    return {
        "range_m": distance,
        "flight_time_s": float(flight.impact_time_s[0]),
        "apogee_m": apogee,
        "burnout": BurnoutSummary(
            time_s=0.0 if t0_is_burnout else float(flight.burnout_time_s[0]),
            speed_m_s=float(np.linalg.norm(flight.burnout_velocity_m_s[0])),
            angle=float(burnout_angle_of(flight, planet)[0]),
            altitude_m=burnout_alt,
        ),
        "impact_lat": lat,
        "impact_lon": lon,
        "impact_speed_m_s": float(np.linalg.norm(flight.impact_velocity_m_s[0])),
    }


def check_sample_interval(sample_interval_s: float | None) -> None:
    """Reject a sample interval that is not a number of seconds within `SAMPLE_INTERVAL_S`."""
    if sample_interval_s is None:
        return
    low, high = SAMPLE_INTERVAL_S
    if not (math.isfinite(sample_interval_s) and low <= sample_interval_s <= high):
        raise RoofError(
            f"the sample interval must be {low:g} to {high:g} s, got {sample_interval_s}.",
            parameter="sample_interval_s",
        )


def _samples(
    flight: FlightArrays, planet: Planet, interval_s: float | None
) -> FlightSamples | None:
    """The sampled flight (one trajectory flown with samples), impact appended."""
    if interval_s is None:
        return None
    grid = flight.samples[0]
    grid = grid[np.isfinite(grid[:, 0])]
    times = np.arange(grid.shape[0]) * interval_s
    impact = flight.impact[0]
    if times.size == 0 or impact[0] > times[-1]:
        times = np.append(times, impact[0])
        grid = np.vstack((grid, impact[1:7]))
    lat, lon, altitude = geodetic_of(grid[:, 0:3], planet)
    return FlightSamples(
        time_s=times,
        lat=lat,
        lon=lon,
        altitude_m=altitude,
        speed_m_s=np.linalg.norm(grid[:, 3:6], axis=1),
        x_m=grid[:, 0].copy(),
        y_m=grid[:, 1].copy(),
        z_m=grid[:, 2].copy(),
    )


def _sample_count(flight_time_s: float, interval_s: float | None) -> None:
    if interval_s is not None and flight_time_s / interval_s > MAX_SAMPLES:
        raise RoofError(
            f"a {flight_time_s:,.0f} s flight sampled every {interval_s:g} s has more than "
            f"{MAX_SAMPLES:,} samples.",
            parameter="sample_interval_s",
            fix="Sample less often.",
        )


def _fly_sampled(
    vehicle,
    planet: Planet,
    launch: Launch,
    guidance: Guidance,
    flight_time_s: float,
    drag: bool,
    interval_s: float | None,
) -> FlightSamples | None:
    """The guided flight again, sampled every `interval_s` (None: not asked for)."""
    if interval_s is None:
        return None
    _sample_count(flight_time_s, interval_s)
    flight = fly_boosted(
        vehicle,
        planet,
        launch.lat,
        launch.lon,
        launch.altitude_m,
        guidance.azimuth,
        guidance.kick,
        cutoff_s=guidance.cutoff_s,
        drag=drag,
        sample_dt_s=interval_s,
        sample_until_s=flight_time_s,
    )
    return _samples(flight, planet, interval_s)


def fly_to_target(
    catalog: MissileCatalog,
    missile_id: str,
    launch_lat: float,
    launch_lon: float,
    target_lat: float,
    target_lon: float,
    *,
    shape: str = "minimum-energy",
    apogee_m: float | None = None,
    earth: EarthOptions = EarthOptions(),
    case: Case = "nominal",
    sample_interval_s: float | None = None,
) -> FlightResult:
    """Fly a catalog missile to an aim point with the requested trajectory shape;
    with `sample_interval_s`, also its time series."""
    check_sample_interval(sample_interval_s)
    missile = catalog.missile(missile_id, parameter="missile")
    if shape not in SHAPES:
        raise RoofError(
            f"unknown trajectory shape {shape!r}.",
            parameter="shape",
            fix=f"Use one of {', '.join(SHAPES)}.",
        )
    if apogee_m is not None and not (math.isfinite(apogee_m) and apogee_m > 0):
        raise RoofError("the apogee must be a positive number of km.", parameter="apogee_km")
    planet = earth.planet()
    launch = Launch(launch_lat, launch_lon)
    separation, _, _ = geodesic_inverse_batch(
        launch_lat, launch_lon, target_lat, target_lon, planet.a_m, planet.f
    )
    if separation < 1_000.0:
        raise RoofError(
            "the aim point is within 1 km of the launch point.",
            parameter="to_deg",
            fix="Choose a distant aim point.",
        )
    vehicle = missile.vehicle(catalog.drag_tables, case)
    try:
        solution = aim(
            vehicle,
            planet,
            launch,
            target_lat,
            target_lon,
            shape=shape,
            apogee_m=apogee_m,
            drag=earth.drag,
        )
    except TargetingError as exc:
        raise RoofError(f"{missile_id}: {exc}.", parameter="to_deg") from None
    summary = _summarise(solution.flight, launch, planet, t0_is_burnout=False)
    samples = _fly_sampled(
        vehicle,
        planet,
        launch,
        solution.guidance,
        float(summary["flight_time_s"]),  # type: ignore[arg-type]
        earth.drag,
        sample_interval_s,
    )
    return FlightResult(
        mode="aim",
        missile_id=missile_id,
        earth=earth,
        launch_lat=launch_lat,
        launch_lon=launch_lon,
        guidance=solution.guidance,
        shape=shape,
        target_lat=target_lat,
        target_lon=target_lon,
        miss_distance_m=solution.miss_m,
        ballistic_coefficient_kg_m2=vehicle.ballistic_coefficient_kg_m2,
        case=case,
        samples=samples,
        **summary,  # type: ignore[arg-type]
    )


def fly_max_range(
    catalog: MissileCatalog,
    missile_id: str,
    launch_lat: float,
    launch_lon: float,
    azimuth: float,
    *,
    earth: EarthOptions = EarthOptions(),
    case: Case = "nominal",
    sample_interval_s: float | None = None,
) -> FlightResult:
    """The longest flight of a catalog missile toward an azimuth (all stages burnt);
    with `sample_interval_s`, also its time series."""
    check_sample_interval(sample_interval_s)
    missile = catalog.missile(missile_id, parameter="missile")
    planet = earth.planet()
    launch = Launch(launch_lat, launch_lon)
    vehicle = missile.vehicle(catalog.drag_tables, case)
    try:
        _, guidance = max_range(vehicle, planet, launch, azimuth, drag=earth.drag)
    except TargetingError as exc:
        raise RoofError(f"{missile_id}: {exc}.") from None
    flight = fly_boosted(
        vehicle, planet, launch.lat, launch.lon, 0.0, azimuth, guidance.kick, drag=earth.drag
    )
    summary = _summarise(flight, launch, planet, t0_is_burnout=False)
    samples = _fly_sampled(
        vehicle,
        planet,
        launch,
        guidance,
        float(summary["flight_time_s"]),  # type: ignore[arg-type]
        earth.drag,
        sample_interval_s,
    )
    return FlightResult(
        mode="max-range",
        missile_id=missile_id,
        earth=earth,
        launch_lat=launch_lat,
        launch_lon=launch_lon,
        guidance=guidance,
        ballistic_coefficient_kg_m2=vehicle.ballistic_coefficient_kg_m2,
        case=case,
        samples=samples,
        **summary,  # type: ignore[arg-type]
    )


def check_burnout_state(speed_m_s: float, angle: float, altitude_m: float, azimuth: float) -> None:
    """Reject burnout states that are not numbers or cannot describe a ballistic flight."""
    if not (math.isfinite(speed_m_s) and speed_m_s > 0):
        raise RoofError(
            f"the burnout speed must be a positive number, got {speed_m_s}.",
            parameter="burnout_speed_m_s",
        )
    escape = math.sqrt(2.0 * GM_EARTH_M3_S2 / 6.3e6)
    if speed_m_s >= escape:
        raise RoofError(
            f"a burnout speed of {speed_m_s:,.0f} m/s is above escape speed ({escape:,.0f} m/s): "
            "nothing comes back down.",
            parameter="burnout_speed_m_s",
        )
    if not (math.isfinite(angle) and -math.pi / 2 < angle < math.pi / 2):
        raise RoofError(
            "the burnout angle must lie strictly between -90 and 90 degrees.",
            parameter="burnout_angle_deg",
        )
    if not (math.isfinite(altitude_m) and 0.0 <= altitude_m <= 5.0e6):
        raise RoofError(
            "the burnout altitude must be between 0 and 5,000 km.", parameter="burnout_altitude_km"
        )
    if altitude_m == 0.0 and angle <= 0.0:
        raise RoofError(
            "a burnout on the ground that does not climb is already an impact.",
            parameter="burnout_angle_deg",
            fix="Give a positive angle or a burnout altitude.",
        )
    if not math.isfinite(azimuth):
        raise RoofError("the azimuth must be a finite number of degrees.", parameter="azimuth_deg")


def fly_from_burnout(
    lat: float,
    lon: float,
    azimuth: float,
    speed_m_s: float,
    angle: float,
    *,
    altitude_m: float = 0.0,
    ballistic_coefficient_kg_m2: float = math.inf,
    earth: EarthOptions = EarthOptions(),
    sample_interval_s: float | None = None,
) -> FlightResult:
    """Free flight from a burnout state; speed relative to the rotating Earth.
    With `sample_interval_s`, also its time series."""
    check_burnout_state(speed_m_s, angle, altitude_m, azimuth)
    check_sample_interval(sample_interval_s)
    if not (ballistic_coefficient_kg_m2 > 0):
        raise RoofError(
            "the ballistic coefficient must be positive.", parameter="ballistic_coefficient_kg_m2"
        )
    planet = earth.planet()
    position, velocity = burnout_state_ecef(lat, lon, altitude_m, speed_m_s, angle, azimuth, planet)
    flight = fly_free(
        planet,
        position,
        velocity,
        ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2,
        drag=earth.drag,
    )
    summary = _summarise(flight, Launch(lat, lon), planet, t0_is_burnout=True)
    samples = None
    if sample_interval_s is not None:
        flight_time_s = float(summary["flight_time_s"])  # type: ignore[arg-type]
        _sample_count(flight_time_s, sample_interval_s)
        sampled = fly_free(
            planet,
            position,
            velocity,
            ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2,
            drag=earth.drag,
            sample_dt_s=sample_interval_s,
            sample_until_s=flight_time_s,
        )
        samples = _samples(sampled, planet, sample_interval_s)
    return FlightResult(
        mode="burnout-state",
        missile_id=None,
        earth=earth,
        launch_lat=lat,
        launch_lon=lon,
        ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2 if earth.drag else None,
        samples=samples,
        **summary,  # type: ignore[arg-type]
    )
