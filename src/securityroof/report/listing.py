"""Plain records of catalog entries and scenarios, with their sources cited,
for the `roof catalog` and `roof check` listings (as JSON or as tables)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from securityroof.model.catalog import Catalog, quantities_in
from securityroof.model.quantity import Quantity
from securityroof.model.scenario import Scenario


def _plain(value: Any) -> Any:
    """Quantities as {nominal, low, high}; models as dicts; everything JSON-ready."""
    if isinstance(value, Quantity):
        return {"nominal": value.nominal, "low": value.low, "high": value.high}
    if isinstance(value, BaseModel):
        return {name: _plain(field) for name, field in value}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _record(entry_id: str, entry: BaseModel, sources: dict[str, str], **extra: Any) -> dict:
    cited = {path: sources.get(q.source, q.source) for path, q in quantities_in(entry)}
    for field in ("source", "role_source", "track_rules_source"):
        source_key = getattr(entry, field, None)
        if isinstance(source_key, str):
            cited[field] = sources.get(source_key, source_key)
    return {"id": entry_id, **_plain(entry), **extra, "sources": cited}


def catalog_records(catalog: Catalog, kind: str) -> list[dict[str, Any]]:
    """Every entry of one kind, with the citation of each of its numbers."""
    if kind == "missiles":
        src = catalog.sources["missiles"]
        return [_record(i, m, src) for i, m in catalog.missiles.missiles.items()]
    if kind == "interceptors":
        src = catalog.sources["interceptors"]
        return [_record(i, m, src) for i, m in catalog.interceptors.items()]
    if kind == "sensors":
        src = catalog.sources["sensors"]
        return [_record(i, m, src) for i, m in catalog.sensor_types.items()]
    if kind == "sites":
        src = catalog.sources["sites"]
        return [
            _record(i, s, src, party_name=catalog.parties[s.party].name)
            for i, s in catalog.sites.items()
        ]
    if kind == "architectures":
        src = catalog.sources["architectures"]
        return [
            _record(i, a, src, all_sites=catalog.architecture_sites(i))
            for i, a in catalog.architectures.items()
        ]
    if kind == "threats":
        src = catalog.sources["threats"]
        areas = [_record(i, a, src, kind="launch area") for i, a in catalog.launch_areas.items()]
        targets = [_record(i, t, src, kind="target area") for i, t in catalog.target_areas.items()]
        return areas + targets
    if kind == "signatures":
        src = catalog.sources["signatures"]
        classes = [
            _record(i, c, src, kind="object class") for i, c in catalog.signature_classes.items()
        ]
        missiles = [
            {
                "id": i,
                "kind": "missile objects",
                **_plain(m),
                "sources": {
                    obj: f"object class {c} (signatures.toml)"
                    for obj, c in _plain(m).items()
                    if c is not None
                },
            }
            for i, m in catalog.signatures.items()
        ]
        return classes + missiles
    raise ValueError(f"unknown catalog kind {kind!r}")


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    """What a scenario contains, resolved: the `roof check` listing."""
    return {
        "name": scenario.name,
        "file": str(scenario.path),
        "sha256": scenario.digest,
        "case": scenario.case_label,
        "assumptions": _plain(scenario.assumptions),
        "cueing": scenario.cueing,
        "cueing_rules": sorted([list(pair) for pair in scenario.cueing_pairs]),
        "parties": scenario.parties,
        "sites": [
            {
                "id": site_id,
                "name": site.name,
                "party": site.party,
                "host": site.host,
                "lat_deg": site.lat_deg.nominal,
                "lon_deg": site.lon_deg.nominal,
                "sensors": [m.type for m in site.sensors],
                "interceptors": {b.type: b.count for b in site.interceptors},
            }
            for site_id, site in scenario.sites.items()
        ],
        "threats": [
            {
                "name": t.name,
                "missile": t.missile,
                "from": [t.launch_lat_deg, t.launch_lon_deg],
                "to": t.target_name,
                "to_latlon": [t.target_lat_deg, t.target_lon_deg],
                "shape": t.shape,
                "launch_time_s": t.launch_time_s,
                "class": t.threat_class,
                "party": t.party,
            }
            for t in scenario.threats
        ],
    }
