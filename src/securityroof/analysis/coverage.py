"""Radar coverage as the maps draw it: each ground or sea radar's field of
regard out to its range against a small target, over its azimuth sector, on
the scenario's Earth model. One definition for the report's coverage figure
and the live page's sensor layer.

This is ground range along the surface, without Earth masking or elevation
limits: a picture of where each radar looks, not of what it detects (the
engagement chain models that, `securityroof.core.detection`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from securityroof.analysis.prepare import scenario_planet
from securityroof.core.geodesy import geodesic_direct_batch
from securityroof.core.planet import Planet
from securityroof.model.defence import SensorType
from securityroof.model.scenario import Scenario

# The target size the drawn coverage is for: a reentry vehicle seen nose-on
# is of this order (tenths of a square metre).
COVERAGE_RCS_M2 = 0.1
# Azimuth step of the drawn arc (degrees): smooth at map scale.
ARC_STEP_DEG = 2.0


@dataclass(frozen=True)
class RadarCoverage:
    """One radar's field of regard: a closed lat/lon polygon (degrees), from the
    site out along the arc and back; for a radar that turns all the way round,
    the arc alone."""

    site: str
    sensor: str  # the sensor type
    boresight_deg: float
    lat_deg: np.ndarray
    lon_deg: np.ndarray


def coverage_range_m(kind: SensorType) -> float:
    """A radar's range against `COVERAGE_RCS_M2` (m): catalog ranges are against
    1 m^2 in the radar's band and scale with the fourth root of the cross section."""
    assert kind.detection_range_km is not None
    return kind.detection_range_km.nominal * 1e3 * COVERAGE_RCS_M2**0.25


def sector(
    lat_deg: float,
    lon_deg: float,
    boresight_deg: float,
    half_width_deg: float,
    range_m: float,
    planet: Planet,
) -> tuple[np.ndarray, np.ndarray]:
    """The field of regard as latitudes and longitudes (degrees), geodesics on `planet`."""
    n = max(8, math.ceil(2.0 * half_width_deg / ARC_STEP_DEG) + 1)
    azimuths = np.radians(
        np.linspace(boresight_deg - half_width_deg, boresight_deg + half_width_deg, n)
    )
    lat, lon, _ = geodesic_direct_batch(
        math.radians(lat_deg), math.radians(lon_deg), azimuths, range_m, planet.a_m, planet.f
    )
    lat, lon = np.degrees(lat), np.degrees(lon)
    if half_width_deg >= 180.0:
        return lat, lon
    return np.concatenate(([lat_deg], lat, [lat_deg])), np.concatenate(([lon_deg], lon, [lon_deg]))


def radar_coverage(scenario: Scenario) -> list[RadarCoverage]:
    """The field of regard of every ground and sea radar of the scenario, in site order."""
    planet = scenario_planet(scenario)
    found = []
    for site_id, site in scenario.sites.items():
        if site.kind == "satellite":
            continue
        for mount in site.sensors:
            kind = scenario.sensor_types[mount.type]
            if kind.kind != "radar" or kind.azimuth_half_width_deg is None:
                continue
            lat, lon = sector(
                site.lat_deg.nominal,
                site.lon_deg.nominal,
                mount.boresight_deg,
                kind.azimuth_half_width_deg.nominal,
                coverage_range_m(kind),
                planet,
            )
            found.append(RadarCoverage(site_id, mount.type, mount.boresight_deg, lat, lon))
    return found
