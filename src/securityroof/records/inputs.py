"""The inputs of a result: every catalog value a scenario reads, by dotted
key (``interceptors.sm-3-iia.burnout_speed_m_s.nominal``), and the scenario's
text. Manifests record them so that a rerun, `roof envelope --verify` or
`roof diff` can name each input that changed.
"""

from __future__ import annotations

from typing import Any

from securityroof.model.catalog import Catalog
from securityroof.model.scenario import Scenario, strategic_threats

# Catalog fields that say where a value comes from or what it is called:
# changing them changes no number.
_WORDS = {"source", "notes", "name", "description", "role_source", "track_rules_source"}


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _WORDS:
                _flatten(f"{prefix}.{key}", item, out)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _flatten(f"{prefix}[{i}]", item, out)
    else:
        out[prefix] = value


def scenario_values(scenario: Scenario) -> dict[str, Any]:
    """Every catalog value the scenario reads, by dotted key (see the module notes)."""
    catalog: Catalog = scenario.catalog
    out: dict[str, Any] = {}
    for site_id, site in scenario.sites.items():
        _flatten(f"sites.{site_id}", site.model_dump(), out)
    used_interceptors = {b.type for s in scenario.sites.values() for b in s.interceptors}
    for type_id in sorted(used_interceptors):
        _flatten(f"interceptors.{type_id}", scenario.interceptors[type_id].model_dump(), out)
    used_sensors = {m.type for s in scenario.sites.values() for m in s.sensors}
    for type_id in sorted(used_sensors):
        _flatten(f"sensor_types.{type_id}", scenario.sensor_types[type_id].model_dump(), out)
    threats = [*scenario.threats, *strategic_threats(scenario)]
    for missile_id in sorted({t.missile for t in threats}):
        _flatten(f"missiles.{missile_id}", catalog.missiles.missile(missile_id).model_dump(), out)
        signature = catalog.signatures[missile_id]
        _flatten(f"signatures.{missile_id}", signature.model_dump(), out)
        for class_id in signature.classes():
            if class_id is not None:
                klass = catalog.signature_classes[class_id]
                _flatten(f"signature_classes.{class_id}", klass.model_dump(), out)
    for area_id in sorted({t.launch_area for t in threats if t.launch_area}):
        _flatten(f"launch_areas.{area_id}", catalog.launch_areas[area_id].model_dump(), out)
    for name in sorted({t.target_name for t in threats if t.target_name in catalog.target_areas}):
        _flatten(f"target_areas.{name}", catalog.target_areas[name].model_dump(), out)
    return out


def scenario_text(scenario: Scenario) -> str:
    """The scenario as written when it was loaded (the text its hash is of; a
    mapping as indented JSON), not as its file may read now."""
    return scenario.origin.text
