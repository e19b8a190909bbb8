"""The sites of the shared picture: positions, sensors with their coverage,
and interceptor batteries. Radar coverage is drawn out to the range against
a 0.1 m^2 target (the report's convention), over the radar's azimuth sector."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from securityroof.core.geodesy import geodesic_direct_batch
from securityroof.core.planet import Planet
from securityroof.model.scenario import Scenario

COVERAGE_RCS_M2 = 0.1


def sites_json(scenario: Scenario) -> list[dict[str, Any]]:
    """Every site of the scenario as the page draws it."""
    out = []
    for site_id, site in scenario.sites.items():
        lat, lon = site.lat_deg.nominal, site.lon_deg.nominal
        sensors = []
        for mount in site.sensors:
            kind = scenario.sensor_types[mount.type]
            coverage: list[list[float]] = []
            if kind.kind == "radar" and site.kind != "satellite":
                assert kind.detection_range_km and kind.azimuth_half_width_deg
                # Catalog ranges are against 1 m^2 in the radar's band.
                range_m = kind.detection_range_km.nominal * 1e3 * COVERAGE_RCS_M2**0.25
                coverage = _sector(
                    lat, lon, mount.boresight_deg, kind.azimuth_half_width_deg.nominal, range_m
                )
            sensors.append({"type": mount.type, "kind": kind.kind, "coverage": coverage})
        out.append(
            {
                "id": site_id,
                "name": site.name,
                "party": site.party,
                "host": site.host,
                "lat_deg": lat,
                "lon_deg": lon,
                "sensors": sensors,
                "interceptors": [{"type": b.type, "count": b.count} for b in site.interceptors],
            }
        )
    return out


def _sector(
    lat_deg: float, lon_deg: float, boresight_deg: float, half_width_deg: float, range_m: float
) -> list[list[float]]:
    """A radar's field of regard as a lat/lon polygon (site, arc, site)."""
    planet = Planet.build("wgs84")
    n = max(8, int(2 * half_width_deg / 5))
    azimuths = np.radians(
        np.linspace(boresight_deg - half_width_deg, boresight_deg + half_width_deg, n)
    )
    lat2, lon2, _ = geodesic_direct_batch(
        math.radians(lat_deg), math.radians(lon_deg), azimuths, range_m, planet.a_m, planet.f
    )
    arc = [
        [round(math.degrees(a), 3), round(math.degrees(b), 3)]
        for a, b in zip(lat2, lon2, strict=True)
    ]
    if half_width_deg >= 180:
        return arc
    return [[lat_deg, lon_deg], *arc, [lat_deg, lon_deg]]
