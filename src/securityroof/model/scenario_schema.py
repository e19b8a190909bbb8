"""The scenario file's JSON Schema: for editors, and the source of the scenario reference.

It is built from the pydantic models that validate a scenario
(`ScenarioFile`), their field docstrings being the descriptions. Two tables
are open in those models because `load_scenario` checks them only after
merging them with the catalog; the schema spells them out from the catalog's
own models:

- a ``[[sites]]`` entry takes the keys of a catalog `Site` besides its `id`,
  where a number may be plain (`lat_deg = 50.0`) or a sourced quantity
  table (`{ nominal = ..., low = ..., high = ..., source = ... }`);
- ``[overrides.interceptors.ID]``, ``[overrides.sensor_types.ID]`` and
  ``[overrides.missiles.ID]`` take the keys of a catalog `Interceptor`,
  `SensorType` or `Missile`, within the physical bounds of `OVERRIDE_BOUNDS`;
- a scenario's own ``[missiles.ID]`` takes the keys of a catalog `Missile`
  and `signature_like`.

TOML has no null, so an optional key is simply left out: the schema has no
null branches. `tools/scenario_schema.py` writes it to
`docs/scenario.schema.json`; the docs build renders the reference from it.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from securityroof.model.defence import Interceptor, SensorType, Site
from securityroof.model.missile import Missile
from securityroof.model.scenario import (
    MAX_COUNT,
    OVERRIDE_BOUNDS,
    SATELLITE_ALTITUDE_M,
    SITE_ALTITUDE_M,
    ScenarioFile,
    SiteSpec,
)

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The bounds `load_scenario` puts on a scenario's own site (`_check_site`);
# the altitude spans ground sites and satellites alike.
SITE_BOUNDS: dict[str, tuple[float, float]] = {
    "lat_deg": (-90.0, 90.0),
    "lon_deg": (-180.0, 360.0),
    "altitude_m": (SITE_ALTITUDE_M[0], SATELLITE_ALTITUDE_M[1]),
}
MOUNT_BOUNDS: dict[str, dict[str, tuple[float, float]]] = {
    "SensorMount": {"boresight_deg": (0.0, 360.0)},
    "Battery": {"count": (0, MAX_COUNT)},
}
_QUANTITY_REF = "#/$defs/Quantity"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, as a dict."""
    models: list[type[BaseModel]] = [ScenarioFile, Site, Interceptor, SensorType, Missile]
    _, combined = models_json_schema([(model, "validation") for model in models], by_alias=True)
    defs: dict[str, Any] = combined["$defs"]
    root = copy.deepcopy(defs.pop("ScenarioFile"))
    site, interceptor, sensor_type, missile = (defs.pop(m.__name__) for m in models[1:])

    for name, bounds in MOUNT_BOUNDS.items():
        for key, (least, greatest) in bounds.items():
            defs[name]["properties"][key].update(minimum=least, maximum=greatest)
    site_spec_id = defs["SiteSpec"]["properties"]["id"]
    defs["SiteSpec"] = {
        "type": "object",
        "description": _doc(SiteSpec)
        + " A new site needs `party`, `lat_deg`, `lon_deg` and a sensor or a battery.",
        "properties": {"id": site_spec_id, **_open_quantities(site, SITE_BOUNDS)["properties"]},
        "required": ["id"],
        "additionalProperties": False,
    }
    defs["InterceptorOverride"] = _open_quantities(interceptor, OVERRIDE_BOUNDS["interceptors"])
    defs["SensorTypeOverride"] = _open_quantities(sensor_type, OVERRIDE_BOUNDS["sensor_types"])
    missile_bounds = OVERRIDE_BOUNDS["missiles"]
    defs["MissileOverride"] = _open_quantities(missile, missile_bounds)
    # A stage's numbers may be plain too; a stage given replaces the whole stage.
    defs["Stage"] = _open_quantities(defs["Stage"], {}, keep_required=True)
    own_missile = _open_quantities(missile, missile_bounds, keep_required=True)
    own_missile["properties"]["signature_like"] = {
        "type": "string",
        "description": "A catalog missile whose radar and infrared signature it has "
        "(default: the first catalog missile of the same class).",
    }
    defs["OwnMissile"] = own_missile
    root["properties"]["missiles"] = {
        "type": "object",
        "description": root["properties"]["missiles"]["description"],
        "additionalProperties": {"$ref": "#/$defs/OwnMissile"},
    }
    overrides = root["properties"]["overrides"]
    root["properties"]["overrides"] = {
        "type": "object",
        "description": overrides["description"],
        "properties": {
            "interceptors": _id_table("#/$defs/InterceptorOverride", "interceptor"),
            "sensor_types": _id_table("#/$defs/SensorTypeOverride", "sensor type"),
            "missiles": _id_table("#/$defs/MissileOverride", "missile"),
        },
        "additionalProperties": False,
    }
    schema = _without_nulls_and_titles({**root, "$defs": dict(sorted(defs.items()))})
    return {"$schema": SCHEMA_DIALECT, "title": "Security Roof scenario", **schema}


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def _id_table(ref: str, what: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"Catalog {what} ids, each with the values it replaces.",
        "additionalProperties": {"$ref": ref},
    }


def _open_quantities(
    model_schema: dict[str, Any],
    bounds: dict[str, tuple[float, float]],
    *,
    keep_required: bool = False,
) -> dict[str, Any]:
    """A catalog table as a scenario gives it: a quantity either a plain number
    (within its bounds) or a full quantity table; every key optional unless
    `keep_required` (a new entry rather than changes to one)."""
    properties = {}
    for key, prop in model_schema["properties"].items():
        prop = copy.deepcopy(prop)
        if _is_quantity(prop):
            number: dict[str, Any] = {"type": "number"}
            if key in bounds:
                number.update(minimum=bounds[key][0], maximum=bounds[key][1])
            prop.pop("$ref", None)
            prop["anyOf"] = [number, {"$ref": _QUANTITY_REF}]
        properties[key] = prop
    result = {
        key: value for key, value in model_schema.items() if key != "required" or keep_required
    }
    result["properties"] = properties
    result["additionalProperties"] = False
    return result


def _is_quantity(prop: dict[str, Any]) -> bool:
    refs = [prop.get("$ref")] + [branch.get("$ref") for branch in prop.get("anyOf", [])]
    return _QUANTITY_REF in refs


def _without_nulls_and_titles(node: Any, *, names: bool = False) -> Any:
    """TOML has no null: drop null branches and null defaults; drop the generated
    titles, which only repeat the key, and sub-tables' defaults, which are given
    key by key inside them. `names`: `node` maps key
    names to schemas (a "properties" table), whose keys are kept as they are."""
    if isinstance(node, list):
        return [_without_nulls_and_titles(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if not names and (
            key == "title" or (key == "default" and (value is None or isinstance(value, dict)))
        ):
            continue
        if not names and key == "anyOf":
            branches = [branch for branch in value if branch != {"type": "null"}]
            if len(branches) == 1:
                out.update(_without_nulls_and_titles(branches[0]))
                continue
            value = branches
        out[key] = _without_nulls_and_titles(
            value, names=not names and key in ("properties", "$defs")
        )
    return out
