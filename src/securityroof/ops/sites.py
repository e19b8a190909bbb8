"""The sites of the shared picture: positions, sensors with their coverage
(`securityroof.analysis.coverage`), and interceptor batteries."""

from __future__ import annotations

from typing import Any

from securityroof.analysis.coverage import radar_coverage
from securityroof.model.scenario import Scenario


def sites_json(scenario: Scenario) -> list[dict[str, Any]]:
    """Every site of the scenario as the page draws it."""
    coverage = {(c.site, c.sensor, c.boresight_deg): c for c in radar_coverage(scenario)}
    out = []
    for site_id, site in scenario.sites.items():
        sensors = []
        for mount in site.sensors:
            found = coverage.get((site_id, mount.type, mount.boresight_deg))
            polygon = (
                []
                if found is None
                else [
                    [round(float(lat), 3), round(float(lon), 3)]
                    for lat, lon in zip(found.lat_deg, found.lon_deg, strict=True)
                ]
            )
            kind = scenario.sensor_types[mount.type].kind
            sensors.append({"type": mount.type, "kind": kind, "coverage": polygon})
        out.append(
            {
                "id": site_id,
                "name": site.name,
                "party": site.party,
                "host": site.host,
                "lat_deg": site.lat_deg.nominal,
                "lon_deg": site.lon_deg.nominal,
                "sensors": sensors,
                "interceptors": [{"type": b.type, "count": b.count} for b in site.interceptors],
            }
        )
    return out
