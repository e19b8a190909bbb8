"""A party's picture as GeoJSON (RFC 7946), for GIS tools and the record.

Made from exactly the picture the party may read (`RoofService.picture`), so
an export can carry nothing the live picture does not. Coordinates are
[longitude, latitude] in degrees, WGS 84; heights in m are properties.
Predicted impact areas are polygons of the 2-sigma ellipses, traced on the
ellipsoid with the direct geodesic from the predicted impact point.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from securityroof.core.geodesy import geodesic_direct_batch
from securityroof.core.planet import Planet

ELLIPSE_POINTS = 48


def _ellipse_ring(impact: dict[str, float]) -> list[list[float]]:
    """The impact ellipse as a closed ring of [lon, lat] points."""
    planet = Planet.build("wgs84")
    angle = np.linspace(0.0, 2.0 * math.pi, ELLIPSE_POINTS, endpoint=False)
    along = impact["semi_major_m"] * np.cos(angle)  # along the semi-major axis
    across = impact["semi_minor_m"] * np.sin(angle)
    bearing = math.radians(impact["orientation_deg"]) + np.arctan2(across, along)
    distance = np.hypot(along, across)
    lat, lon, _ = geodesic_direct_batch(
        math.radians(impact["lat_deg"]),
        math.radians(impact["lon_deg"]),
        bearing,
        distance,
        planet.a_m,
        planet.f,
    )
    ring = [
        [round(math.degrees(b), 5), round(math.degrees(a), 5)]
        for a, b in zip(lat, lon, strict=True)
    ]
    return [*ring, ring[0]]


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(lat_deg: float, lon_deg: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon_deg, 5), round(lat_deg, 5)]}


def picture_geojson(picture: dict[str, Any]) -> dict[str, Any]:
    """A FeatureCollection of the sites, tracks, trails, impact areas and raw reports."""
    features = []
    for site in picture["sites"]:
        features.append(
            _feature(
                _point(site["lat_deg"], site["lon_deg"]),
                kind="site",
                id=site["id"],
                party=site["party"],
                host=site["host"],
                sensors=[s["type"] for s in site["sensors"]],
                interceptors=site["interceptors"],
            )
        )
    for track in picture["tracks"]:
        common = {"track": track["id"], "status": track["status"], "parties": track["parties"]}
        features.append(
            _feature(
                _point(track["lat_deg"], track["lon_deg"]),
                kind="track",
                altitude_m=track["altitude_m"],
                speed_m_s=track["speed_m_s"],
                sigma_position_m=track["sigma_position_m"],
                **common,
            )
        )
        if len(track["history"]) >= 2:
            line = [[lon, lat] for lat, lon in track["history"]]
            features.append(
                _feature({"type": "LineString", "coordinates": line}, kind="trail", **common)
            )
        impact = track["impact"]
        if impact is not None:
            features.append(
                _feature(
                    {"type": "Polygon", "coordinates": [_ellipse_ring(impact)]},
                    kind="impact-area",
                    confidence="2-sigma",
                    time_to_impact_s=impact["time_to_impact_s"],
                    **common,
                )
            )
    for report in picture["reports"]:
        features.append(
            _feature(
                _point(report["lat_deg"], report["lon_deg"]),
                kind="report",
                party=report["party"],
                sensor=report["sensor"],
                time_s=report["time_s"],
                altitude_m=report["altitude_m"],
            )
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "exercise": picture["exercise"]["id"],
            "party": picture["party"],
            "sim_time_s": picture["sim_time_s"],
        },
    }
