"""`roof envelope`: tables, JSON, GeoJSON, a signed manifest rerun in a fresh process, and
bad input refused with nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from securityroof.model.catalog import CATALOG_ENV
from tests.e2e.test_cli_fly import ROOT, assert_user_error, roof

SMALL = """
[scenario]
name = "joint roof, small strategic set"
architecture = "joint-nato-russia"

[assumptions]
cueing = "across-parties"

[[threats]]
missile = "sejjil-2"
from = "tabriz"
to = ["bucharest", "moscow"]

[strategic]
parties = ["russia"]
launch_areas = ["kozelsk"]
targets = ["washington", "new-york"]
shapes = ["minimum-energy"]

[[patrol_areas]]
name = "Norwegian Sea"
interceptor = "sm-3-block-iia"
vertices = [[64.0, -2.0], [70.0, -2.0], [70.0, 10.0], [64.0, 10.0]]
"""
FAST = ["--resolution-deg", "5", "--region", "30,75,-30,60"]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("envelope")
    scenario = folder / "small.toml"
    scenario.write_text(SMALL)
    manifest, key, geojson = folder / "m.json", folder / "party.pem", folder / "zones.geojson"
    result = roof(
        "envelope",
        str(scenario),
        *FAST,
        "--json",
        "--geojson",
        str(geojson),
        "--manifest",
        str(manifest),
        "--key",
        str(key),
    )
    assert result.returncode == 0, result.stderr
    return {
        "folder": folder,
        "scenario": scenario,
        "record": json.loads(result.stdout),
        "manifest": manifest,
        "key": key,
        "geojson": geojson,
    }


def test_json_record_holds_every_part(run):
    record = run["record"]
    assert record["protected_parties"] == ["russia"]
    assert {s["site"] for s in record["speed_limits"]} >= {"redzikowo", "moscow-a135"}
    for s in record["speed_limits"]:
        assert s["bound"] in ("limit", "above the sweep", "below the sweep")
    iia = next(m for m in record["site_maps"] if m["interceptor"] == "sm-3-block-iia")
    assert iia["keep_out_cells"] > 0 and iia["own_radar"] == "spy-1"
    patrol = record["patrol_areas"][0]
    assert patrol["verdict"] in ("kept out", "allowed") and patrol["points"] > 10
    kinds = {r["parameter"] for r in record["regime"]}
    assert kinds >= {"burnout-speed limit", "site", "inventory", "radar sector", "patrol area"}
    assert record["tradeoffs"][0]["points"]


def test_geojson_has_keep_out_zones_patrol_areas_and_sites(run):
    document = json.loads(run["geojson"].read_text())
    assert document["type"] == "FeatureCollection"
    kinds = {f["properties"]["kind"] for f in document["features"]}
    assert kinds == {"keep-out", "patrol-area", "battery"}
    zone = next(f for f in document["features"] if f["properties"]["kind"] == "keep-out")
    assert zone["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_manifest_is_signed_and_a_fresh_process_agrees(run):
    document = json.loads(run["manifest"].read_text())
    assert document["signature"]["algorithm"] == "Ed25519"
    assert run["key"].stat().st_mode & 0o077 == 0  # the private key is the owner's only
    result = roof("envelope", "--verify", str(run["manifest"]), "--json")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["agrees"] and verdict["signature_valid"] and verdict["scenario_sha256_matches"]


def test_a_changed_catalog_value_is_named(run, tmp_path: Path):
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "src" / "securityroof" / "catalog", catalog)
    path = catalog / "interceptors.toml"
    text = path.read_text()
    old = "burnout_speed_m_s = { nominal = 4500.0, low = 4000.0, high = 5000.0, "
    old += 'source = "sm3_speeds" }'
    assert old in text
    path.write_text(text.replace(old, old.replace("nominal = 4500.0", "nominal = 4600.0")))
    result = roof("envelope", "--verify", str(run["manifest"]), env={CATALOG_ENV: str(catalog)})
    assert result.returncode == 1, result.stderr
    out = " ".join(result.stdout.split())
    assert (
        "interceptors.sm-3-block-iia.burnout_speed_m_s.nominal: 4500.0 in the manifest, 4600.0"
        in out
    )
    assert "differ" in out


def test_a_manifest_changed_after_signing_is_refused(run, tmp_path: Path):
    document = json.loads(run["manifest"].read_text())
    document["results"]["speed_limits"][0]["limit_m_s"] = 1.0
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    result = roof("envelope", "--verify", str(forged))
    assert result.returncode == 1
    assert "does not verify" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--party", "iran"], ["iran has no strategic forces", "--party"]),
        (["--party", "gotham"], ["gotham", "--party"]),
        (["--probability", "1.5"], ["strictly between 0 and 1", "--probability"]),
        (["--probability", "0"], ["strictly between 0 and 1"]),
        (["--region", "60,40,0,10"], ["holds no cell", "--region"]),
        (["--region", "1,2,3"], ["not four numbers", "--region"]),
        (["--resolution-deg", "0"], ["positive number of degrees"]),
        (["--draws", "-1"], ["must not be negative"]),
        (["--compare", "epaa-phase-9"], ["epaa-phase-9"]),
        (["--manifest", "out.json"], ["--manifest needs --key"]),
    ],
)
def test_bad_options_are_refused_with_nothing_written(tmp_path: Path, args, fragments):
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    geojson = tmp_path / "zones.geojson"
    result = roof("envelope", str(scenario), *FAST, "--geojson", str(geojson), *args)
    assert_user_error(result, *fragments)
    assert not geojson.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.toml"]


@pytest.mark.parametrize(
    ("vertices", "fragments"),
    [
        ("[[60.0, 0.0], [60.0, 0.0], [60.0, 0.0]]", ["patrol area is empty"]),
        ("[[60.0, 0.0], [61.0, 1.0], [62.0, 2.0]]", ["patrol area is empty"]),
        (
            "[[60.0, 0.0], [62.0, 2.0], [60.0, 2.0], [62.0, 0.0]]",
            ["crosses itself", "patrol_areas[1]"],
        ),
        ("[[60.0, 0.0], [95.0, 2.0], [60.0, 2.0]]", ["not a latitude, longitude"]),
        ("[[60.0, 0.0], [62.0, 2.0]]", ["vertices"]),
    ],
)
def test_bad_patrol_areas_are_refused(tmp_path: Path, vertices: str, fragments):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(SMALL + f'\n[[patrol_areas]]\nname = "bad"\nvertices = {vertices}\n')
    assert_user_error(roof("envelope", str(scenario), *FAST), *fragments)


def test_verify_refuses_what_is_not_a_manifest(tmp_path: Path):
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert_user_error(roof("envelope", "--verify", str(junk)), "not JSON")
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else"}')
    assert_user_error(roof("envelope", "--verify", str(other)), "not an envelope manifest")
    assert_user_error(roof("envelope", "--verify", str(tmp_path / "absent.json")), "does not exist")
