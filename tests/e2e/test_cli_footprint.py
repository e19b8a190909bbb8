"""`roof footprint` as a user runs it: JSON, GeoJSON, comparison, bad input."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli_fly import ROOT, assert_user_error, roof

PHASE_1 = str(ROOT / "examples/epaa-phase-1.toml")


def test_footprint_json_and_architecture_comparison(tmp_path):
    geojson = tmp_path / "phase1.geojson"
    result = roof(
        "footprint",
        PHASE_1,
        "--resolution-deg",
        "3",
        "--json",
        "--compare",
        "epaa-phase-3,joint-nato-russia",
        "--geojson",
        str(geojson),
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["cells_threatened"] >= record["cells_defended"] > 0
    assert record["population_threatened"] >= record["population_defended"] > 0
    assert record["cells_detail"] and all("sites" in c for c in record["cells_detail"])
    by_architecture = {s["architecture"]: s for s in record["comparison"]}
    # Later phases and the joint roof add to phase 1, never take away.
    phase1 = by_architecture["epaa-phase-1"]["cells_defended"]
    phase3 = by_architecture["epaa-phase-3"]["cells_defended"]
    joint = by_architecture["joint-nato-russia"]["cells_defended"]
    assert phase1 <= phase3 <= joint
    document = json.loads(geojson.read_text())
    assert document["type"] == "FeatureCollection"
    polygons = [f for f in document["features"] if f["geometry"]["type"] == "Polygon"]
    assert len(polygons) == record["cells_threatened"]
    ring = polygons[0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--resolution-deg", "0.0005"], ["--resolution-deg", "GB", "or coarser"]),
        (["--resolution-deg", "-1"], ["--resolution-deg", "positive"]),
        (["--region", "50,40,0,10"], ["region", "empty"]),
        (["--region", "50,40"], ["--region", "LAT_MIN"]),
        (["--compare", "epaa-phase-9"], ["architecture", "epaa-phase-4"]),
    ],
)
def test_bad_footprint_input_is_a_clear_error(args, fragments):
    assert_user_error(roof("footprint", PHASE_1, *args), *fragments)


def test_geojson_into_a_missing_folder_writes_nothing(tmp_path):
    target = tmp_path / "no-such-folder" / "out.geojson"
    result = roof("footprint", PHASE_1, "--resolution-deg", "4", "--geojson", str(target))
    assert_user_error(result, "does not exist")
    assert not target.parent.exists()


def test_cueing_study_orders_the_variants():
    result = roof(
        "footprint",
        str(ROOT / "examples/joint-nato-russia.toml"),
        "--resolution-deg",
        "3",
        "--cueing-study",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["comparison"]
    defended = {row["architecture"].split(": ")[-1]: row["cells_defended"] for row in rows}
    alone = defended["each party on its own sensors"]
    to_nato = defended["non-NATO sensors cue NATO interceptors"]
    to_russia = defended["NATO sensors cue non-NATO interceptors"]
    shared = defended["tracks shared across every party"]
    # Passing more tracks never defends less.
    assert alone <= min(to_nato, to_russia) and max(to_nato, to_russia) <= shared


def test_footprint_map_is_a_png(tmp_path):
    target = tmp_path / "phase1.png"
    result = roof("footprint", PHASE_1, "--resolution-deg", "3", "--map", str(target))
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert not list(tmp_path.glob("*.part"))  # nothing half-written left behind


def test_a_compared_architecture_carrying_the_scenarios_sites_says_so(tmp_path):
    from securityroof.analysis.assess import label_of
    from securityroof.model.scenario import load_scenario

    text = (ROOT / "examples/epaa-phase-1.toml").read_text() + (
        '\n[[sites]]\nid = "my-ship"\nparty = "usa"\nlat_deg = 35.0\nlon_deg = 25.0\n'
        'sensors = [{ type = "spy-1" }]\n'
    )
    path = tmp_path / "with-a-ship.toml"
    path.write_text(text)
    variant = load_scenario(path, architecture="epaa-phase-3")
    assert "my-ship" in variant.sites  # the scenario's own site is in every variant
    assert label_of(variant, "epaa-phase-3") == "epaa-phase-3 + scenario sites my-ship"
    plain = load_scenario(ROOT / "examples/epaa-phase-1.toml", architecture="epaa-phase-3")
    assert label_of(plain, "epaa-phase-3") == "epaa-phase-3"
