"""The scenario JSON Schema for editors: up to date, and it agrees with the loader."""

from __future__ import annotations

import json
import sys
import textwrap
import tomllib
from pathlib import Path

import jsonschema
import pytest

from securityroof.model import scenario as scenario_module
from securityroof.model.scenario_schema import scenario_json_schema

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import scenario_schema as schema_tool  # noqa: E402

SCENARIOS = sorted(
    [*ROOT.glob("examples/*.toml"), *ROOT.glob("src/securityroof/scenarios/**/*.toml")]
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_file_is_up_to_date() -> None:
    written = json.loads(schema_tool.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert written == scenario_json_schema(), "run: python tools/scenario_schema.py"
    assert schema_tool.main(["--check"]) == 0


def test_every_shipped_scenario_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    assert len(SCENARIOS) >= 10
    for path in SCENARIOS:
        errors = [e.message for e in validator.iter_errors(tomllib.loads(path.read_text()))]
        assert errors == [], path


def test_the_documented_example_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    """The scenario module's example uses every table, own missiles and overrides included."""
    doc = scenario_module.__doc__ or ""
    block = doc[doc.index("    [scenario]") :].split("\n\n`")[0]
    example = tomllib.loads(textwrap.dedent(block))
    assert {"missiles", "overrides", "sites", "patrol_areas", "strategic"} <= set(example)
    assert [e.message for e in validator.iter_errors(example)] == []


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ('[scenario]\nname = "x"\nunknown = 1\n', "unknown"),
        ('[scenario]\nname = "x"\n[assumptions]\nsample_interval_s = 60.0\n', "60.0"),
        ('[scenario]\nname = "x"\n[[sites]]\nid = "s"\nlat_deg = 95.0\n', "95.0"),
        ('[scenario]\nname = "x"\n[[sites]]\nid = "s"\nradar = "x"\n', "radar"),
        (
            '[scenario]\nname = "x"\n[overrides.interceptors.gbi]\nburnout_speed_m_s = 12000.0\n',
            "12000.0",
        ),
        ('[scenario]\nname = "x"\n[[threats]]\nmissile = "m"\nshapes = ["steep"]\n', "steep"),
        ('[scenario]\nname = "x"\n[overrides.missiles.scud-b]\nstage_count = 2\n', "stage_count"),
        ('[scenario]\nname = "x"\n[missiles.mine]\nname = "m"\n', "propellant"),
    ],
)
def test_schema_refuses_what_the_loader_refuses(
    validator: jsonschema.Draft202012Validator, text: str, wrong: str
) -> None:
    errors = [e.message for e in validator.iter_errors(tomllib.loads(text))]
    assert any(wrong in message for message in errors), errors


def test_every_key_has_a_description() -> None:
    """The scenario reference is generated from these descriptions."""

    def walk(node: object, where: str) -> list[str]:
        missing = []
        if isinstance(node, dict):
            for key, prop in node.get("properties", {}).items():
                if "description" not in prop:
                    missing.append(f"{where}.{key}")
            for key, value in node.items():
                missing += walk(value, f"{where}.{key}")
        return missing

    schema = scenario_json_schema()
    assert walk(schema, "") == []


def test_the_reference_pages_example_loads(validator: jsonschema.Draft202012Validator) -> None:
    """The example at the top of the scenario reference is a scenario that loads."""
    from securityroof.model.scenario import Scenario

    page = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    text = page.split("```toml\n")[1].split("```")[0]
    assert [e.message for e in validator.iter_errors(tomllib.loads(text))] == []
    assert len(Scenario.from_toml(text).threats) == 2
