"""Footprint results as GeoJSON for GIS users (the records are
`securityroof.records.footprint`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from securityroof.analysis.footprint import FootprintResult
from securityroof.records.footprint import footprint_cells
from securityroof.report.files import write_text_atomically


def write_geojson(result: FootprintResult, path: Path) -> None:
    """Threatened cells as polygons and cities as points; written atomically."""
    half = 0.5 * result.resolution_deg
    features: list[dict[str, Any]] = []
    for cell in footprint_cells(result):
        lat, lon = cell["lat_deg"], cell["lon_deg"]
        ring = [
            [lon - half, lat - half],
            [lon + half, lat - half],
            [lon + half, lat + half],
            [lon - half, lat + half],
            [lon - half, lat - half],
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {k: v for k, v in cell.items() if k not in ("lat_deg", "lon_deg")},
            }
        )
    for city in result.cities:
        if city.threatened:
            point = {"type": "Point", "coordinates": [city.lon_deg, city.lat_deg]}
            properties = {
                "name": city.name,
                "country": city.country,
                "population": city.population,
                "defended": city.defended,
            }
            features.append({"type": "Feature", "geometry": point, "properties": properties})
    document = {"type": "FeatureCollection", "features": features}
    write_text_atomically(path, json.dumps(document))
