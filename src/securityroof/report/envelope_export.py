"""The transparency envelope as GeoJSON for GIS users: keep-out zones, patrol
areas and battery sites (the JSON record is `securityroof.records.envelope`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from securityroof.analysis.envelope import EnvelopeResult
from securityroof.analysis.site_map import SiteMap
from securityroof.records.fields import number_or_none


def _cells_polygon(found: SiteMap, mask: np.ndarray):
    """The union of the masked cells as one (multi)polygon, degrees."""
    half = 0.5 * found.resolution_deg
    rows, cols = np.nonzero(mask)
    boxes = shapely.box(
        found.lon_deg[cols] - half,
        found.lat_deg[rows] - half,
        found.lon_deg[cols] + half,
        found.lat_deg[rows] + half,
    )
    return shapely.union_all(boxes)


def envelope_geojson(result: EnvelopeResult) -> dict[str, Any]:
    """Keep-out zones (land and sea) per interceptor type, patrol areas and battery sites."""
    features: list[dict[str, Any]] = []
    for found in result.site_maps:
        for surface, mask in (
            ("land", found.keep_out & found.land),
            ("sea", found.keep_out & ~found.land),
        ):
            if not mask.any():
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": shapely.geometry.mapping(_cells_polygon(found, mask)),
                    "properties": {
                        "kind": "keep-out",
                        "interceptor": found.interceptor,
                        "surface": surface,
                        "probability": result.probability,
                        "resolution_deg": found.resolution_deg,
                    },
                }
            )
    areas = {a.name: a for a in result.scenario.patrol_areas}
    for verdict in result.patrols:
        area = areas[verdict.area]
        ring = [[lon, lat] for lat, lon in zip(area.lat_deg, area.lon_deg, strict=True)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {
                    "kind": "patrol-area",
                    "name": verdict.area,
                    "interceptor": verdict.interceptor,
                    "verdict": "kept out" if verdict.keep_out else "allowed",
                    "best_margin_s": number_or_none(verdict.worst_margin_s),
                },
            }
        )
    limits = {(s.site, s.interceptor): s for s in result.speed_limits}
    for site_id, site in result.scenario.sites.items():
        for battery in site.interceptors:
            limit = limits.get((site_id, battery.type))
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [site.lon_deg.nominal, site.lat_deg.nominal],
                    },
                    "properties": {
                        "kind": "battery",
                        "site": site_id,
                        "interceptor": battery.type,
                        "party": site.party,
                        "speed_limit_m_s": None
                        if limit is None
                        else number_or_none(limit.limit_m_s),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
