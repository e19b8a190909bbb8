"""The missile catalog loader: every number sourced, every mistake named by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from securityroof.errors import RoofError
from securityroof.model import catalog as catalog_module
from securityroof.model.catalog import load_missiles

BUILT_IN = Path(catalog_module.__file__).parents[1] / "catalog" / "missiles.toml"


def _load_variant(tmp_path, monkeypatch, old: str, new: str):
    text = BUILT_IN.read_text()
    assert old in text
    (tmp_path / "missiles.toml").write_text(text.replace(old, new, 1))
    monkeypatch.setenv(catalog_module.CATALOG_ENV, str(tmp_path))
    return load_missiles()


def test_built_in_catalog_loads_and_cites_every_number():
    catalog = load_missiles()
    assert {"scud-b", "shahab-3", "generic-icbm"} <= set(catalog.missiles)
    for missile in catalog.missiles.values():
        for quantity in missile.quantities().values():
            assert catalog.citation(quantity).strip()


def test_ids_are_lowercase_and_hyphenated():
    for missile_id in load_missiles().missiles:
        assert missile_id == missile_id.lower() and " " not in missile_id and "_" not in missile_id


def test_nominal_masses_add_up_to_the_launch_mass():
    for missile_id, missile in load_missiles().missiles.items():
        if missile.launch_mass_kg is None:
            continue
        total = missile.payload_mass_kg.nominal + sum(
            s.propellant_mass_kg.nominal + s.dry_mass_kg.nominal for s in missile.stages
        )
        assert total == pytest.approx(missile.launch_mass_kg.nominal, rel=0.05), missile_id


def test_cases_order_capability():
    catalog = load_missiles()
    missile = catalog.missile("shahab-3")
    low, nominal, high = (
        missile.vehicle(catalog.drag_tables, c) for c in ("low", "nominal", "high")
    )
    assert low.payload_kg >= nominal.payload_kg >= high.payload_kg
    assert low.stages[0, 3] <= nominal.stages[0, 3] <= high.stages[0, 3]  # vacuum Isp


def test_unknown_missile_suggests_the_nearest_ids():
    with pytest.raises(RoofError, match="shahab-3"):
        load_missiles().missile("shahab")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('source = "scud_b_range"', 'source = "no_such_source"', "no_such_source"),
        ('drag_table = "default-missile"', 'drag_table = "default-misile"', "default-missile"),
        ("[missiles.scud-b]", "[missiles.scud-b", "malformed TOML"),
        ('class = "SRBM"', 'class = "Tactical"', "class"),
    ],
)
def test_catalog_mistakes_are_named(tmp_path, monkeypatch, old, new, fragment):
    with pytest.raises(RoofError, match=fragment) as info:
        _load_variant(tmp_path, monkeypatch, old, new)
    assert "missiles.toml" in str(info.value)


def test_a_range_below_its_nominal_is_refused(tmp_path, monkeypatch):
    text = BUILT_IN.read_text()
    start = text.index("payload_mass_kg = {", text.index("[missiles.scud-b]"))
    end = text.index("}", start)
    broken = (
        text[:start]
        + 'payload_mass_kg = { nominal = 985.0, low = 1200.0, source = "scud_b_range" '
        + text[end:]
    )
    (tmp_path / "missiles.toml").write_text(broken)
    monkeypatch.setenv(catalog_module.CATALOG_ENV, str(tmp_path))
    with pytest.raises(
        RoofError, match=r"scud-b\.payload_mass_kg.*low \(1200\.0\) is above nominal"
    ):
        load_missiles()


def test_a_negative_mass_is_refused(tmp_path, monkeypatch):
    text = BUILT_IN.read_text()
    start = text.index("payload_mass_kg = {", text.index("[missiles.scud-b]"))
    end = text.index("}", start)
    broken = (
        text[:start] + 'payload_mass_kg = { nominal = -5.0, source = "scud_b_range" ' + text[end:]
    )
    (tmp_path / "missiles.toml").write_text(broken)
    monkeypatch.setenv(catalog_module.CATALOG_ENV, str(tmp_path))
    with pytest.raises(RoofError, match="must be positive"):
        load_missiles()
