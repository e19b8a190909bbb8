"""The record of one missile flight, as `roof fly --json` prints it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.flight import FlightResult, FlightSamples


def flight_record(result: FlightResult) -> dict[str, Any]:
    """The JSON form of a flight (km, degrees, seconds, as documented in the README)."""
    record: dict[str, Any] = {
        "mode": result.mode,
        "missile": result.missile_id,
        "earth": {
            "model": result.earth.shape,
            "rotating": result.earth.rotating,
            "j2": result.earth.j2,
            "drag": result.earth.drag,
        },
        "launch": {
            "lat_deg": math.degrees(result.launch_lat),
            "lon_deg": math.degrees(result.launch_lon),
        },
        "range_km": result.range_m / 1e3,
        "flight_time_s": result.flight_time_s,
        "apogee_km": result.apogee_m / 1e3,
        "burnout": {
            "speed_m_s": result.burnout.speed_m_s,
            "angle_deg": math.degrees(result.burnout.angle),
            "altitude_km": result.burnout.altitude_m / 1e3,
            "time_s": result.burnout.time_s,
        },
        "impact": {
            "lat_deg": math.degrees(result.impact_lat),
            "lon_deg": math.degrees(result.impact_lon),
            "speed_m_s": result.impact_speed_m_s,
        },
        "parameter_case": result.case,
    }
    if result.ballistic_coefficient_kg_m2 is not None and math.isfinite(
        result.ballistic_coefficient_kg_m2
    ):
        record["ballistic_coefficient_kg_m2"] = result.ballistic_coefficient_kg_m2
    if result.guidance is not None:
        cutoff = result.guidance.cutoff_s
        record["guidance"] = {
            "azimuth_deg": math.degrees(result.guidance.azimuth) % 360.0,
            "kick_deg": math.degrees(result.guidance.kick),
            "cutoff_s": cutoff if math.isfinite(cutoff) else None,
        }
    if result.target_lat is not None and result.target_lon is not None:
        record["shape"] = result.shape
        record["target"] = {
            "lat_deg": math.degrees(result.target_lat),
            "lon_deg": math.degrees(result.target_lon),
        }
        record["miss_distance_m"] = result.miss_distance_m
    return record


def flight_sample_columns(samples: FlightSamples) -> dict[str, Any]:
    """A sampled flight as columns in the units of the records (deg, km, m/s)."""
    import numpy as np

    return {
        "time_s": samples.time_s,
        "lat_deg": np.degrees(samples.lat),
        "lon_deg": np.degrees(samples.lon),
        "altitude_km": samples.altitude_m / 1e3,
        "speed_m_s": samples.speed_m_s,
        "x_m": samples.x_m,
        "y_m": samples.y_m,
        "z_m": samples.z_m,
    }
