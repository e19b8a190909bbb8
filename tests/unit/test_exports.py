"""Exports read back with independent readers: json + a JSON schema for CZML,
ElementTree for KML, csv and pyarrow for tables, shapely for GeoJSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from securityroof.analysis.engagement import run_engagements
from securityroof.analysis.footprint import City, FootprintResult, ThreatConfig
from securityroof.errors import RoofError
from securityroof.model.scenario import load_scenario
from securityroof.records.footprint import footprint_cells
from securityroof.report import tables
from securityroof.report.czml import write_czml
from securityroof.report.footprint_export import write_geojson
from securityroof.report.kml import write_kml
from securityroof.report.tables import write_footprint_tables, write_tables

ROOT = Path(__file__).resolve().parents[2]
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
METRE = 1.0
DEGREE_TOLERANCE = 1e-6

# The parts of CZML the writer uses (https://github.com/AnalyticalGraphicsInc/czml-writer/wiki).
CZML_SCHEMA = {
    "type": "array",
    "minItems": 2,
    "prefixItems": [
        {
            "type": "object",
            "required": ["id", "version", "clock"],
            "properties": {
                "id": {"const": "document"},
                "version": {"type": "string"},
                "clock": {
                    "type": "object",
                    "required": ["interval", "currentTime"],
                    "properties": {"interval": {"type": "string", "pattern": "^[^/]+/[^/]+$"}},
                },
            },
        }
    ],
    "items": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string", "not": {"const": "document"}}},
        "allOf": [
            {
                "if": {"properties": {"id": {"pattern": "^threat/"}}},
                "then": {
                    "required": ["position", "availability"],
                    "properties": {
                        "position": {
                            "type": "object",
                            "required": ["epoch"],
                            "oneOf": [
                                {"required": ["cartesian"]},
                                {"required": ["cartographicDegrees"]},
                            ],
                            "properties": {
                                "epoch": {"type": "string"},
                                "cartesian": {"type": "array", "items": {"type": "number"}},
                                "cartographicDegrees": {
                                    "type": "array",
                                    "items": {"type": "number"},
                                },
                            },
                        }
                    },
                },
            },
            {
                "if": {"properties": {"id": {"pattern": "^site/"}}},
                "then": {
                    "required": ["position", "point", "label"],
                    "properties": {
                        "position": {
                            "required": ["cartographicDegrees"],
                            "properties": {
                                "cartographicDegrees": {
                                    "type": "array",
                                    "items": {"type": "number"},
                                    "minItems": 3,
                                    "maxItems": 3,
                                }
                            },
                        }
                    },
                },
            },
            {
                "if": {"properties": {"id": {"pattern": "^flyout/"}}},
                "then": {
                    "required": ["polyline", "availability"],
                    "properties": {
                        "polyline": {
                            "required": ["positions"],
                            "properties": {
                                "positions": {
                                    "required": ["cartesian"],
                                    "properties": {
                                        "cartesian": {
                                            "type": "array",
                                            "items": {"type": "number"},
                                            "minItems": 6,
                                            "maxItems": 6,
                                        }
                                    },
                                }
                            },
                        }
                    },
                },
            },
        ],
    },
}


@pytest.fixture(scope="module")
def result():
    return run_engagements(load_scenario(ROOT / "examples" / "epaa-phase-1.toml"))


@pytest.fixture(scope="module")
def czml(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("czml") / "epaa.czml"
    write_czml(result, path)
    return json.loads(path.read_text(encoding="utf-8"))


def _flown(result, t):
    """Grid times and ECEF positions of threat t before impact."""
    keep = np.isfinite(result.flights.samples[t, :, 0])
    return result.times_s[keep], result.flights.samples[t, keep, :3]


def _seconds(iso):
    """Seconds from the default epoch to an ISO 8601 UTC time."""
    epoch = dt.datetime(2010, 3, 26, tzinfo=dt.UTC)
    return (dt.datetime.fromisoformat(iso.replace("Z", "+00:00")) - epoch).total_seconds()


def _geodetic_to_ecef(lon_deg, lat_deg, h_m):
    pyproj = pytest.importorskip("pyproj", reason="pyproj checks positions independently")
    to_ecef = pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    return np.array(to_ecef.transform(lon_deg, lat_deg, h_m))


def test_czml_matches_the_schema_of_the_parts_used(czml):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates the CZML")
    jsonschema.Draft202012Validator(CZML_SCHEMA).validate(czml)
    threats = [p for p in czml if p["id"].startswith("threat/")]
    assert threats, "no threat packets were written"
    for packet in threats:
        assert len(packet["position"]["cartesian"]) % 4 == 0


def test_czml_threat_samples_round_trip_the_flight_samples(result, czml):
    packets = {p["id"]: p for p in czml}
    assert czml[0]["id"] == "document"
    for t, threat in enumerate(result.threats):
        position = packets[f"threat/{t}"]["position"]
        assert position["epoch"] == "2010-03-26T00:00:00Z"
        assert position.get("referenceFrame", "FIXED") == "FIXED"
        samples = np.array(position["cartesian"]).reshape(-1, 4)
        times, positions = _flown(result, t)
        n = times.size
        # The grid samples, offset by the launch time, then the impact point.
        assert samples.shape[0] == n + 1
        np.testing.assert_allclose(samples[:n, 0] - threat.launch_time_s, times, atol=1e-9)
        np.testing.assert_allclose(samples[:n, 1:], positions, rtol=0, atol=METRE)
        impact_s = result.flights.impact_time_s[t]
        assert samples[n, 0] - threat.launch_time_s == pytest.approx(impact_s, abs=1e-9)
        impact_m = result.flights.impact_position_ecef_m[t]
        np.testing.assert_allclose(samples[n, 1:], impact_m, rtol=0, atol=METRE)


def test_czml_sites_and_flyouts(result, czml):
    scenario = result.scenario
    sites = {p["id"]: p for p in czml if p["id"].startswith("site/")}
    assert set(sites) == {f"site/{s}" for s in scenario.sites}
    for site_id, site in scenario.sites.items():
        lon, lat, _ = sites[f"site/{site_id}"]["position"]["cartographicDegrees"]
        assert lat == pytest.approx(site.lat_deg.nominal, abs=DEGREE_TOLERANCE)
        assert lon == pytest.approx(site.lon_deg.nominal, abs=DEGREE_TOLERANCE)
    flyouts = {p["id"]: p for p in czml if p["id"].startswith("flyout/")}
    expected = [
        (t, b)
        for t in range(len(result.threats))
        for b in range(len(result.batteries))
        if result.windows.engageable[t, b]
    ]
    assert expected, "the example has no engageable pair: the flyout check would be empty"
    assert len(flyouts) == len(expected)
    for t, b in expected:
        battery = result.batteries[b]
        packet = flyouts[f"flyout/{t}/{battery.site}/{battery.interceptor}"]
        line = np.array(packet["polyline"]["positions"]["cartesian"]).reshape(2, 3)
        lon, lat, h = sites[f"site/{battery.site}"]["position"]["cartographicDegrees"]
        np.testing.assert_allclose(line[0], _geodetic_to_ecef(lon, lat, h), atol=METRE)
        first = result.windows.first_intercept_s[t, b]
        times, positions = _flown(result, t)
        at = np.array([np.interp(first, times, positions[:, k]) for k in range(3)])
        np.testing.assert_allclose(line[1], at, atol=METRE)
        start, end = (_seconds(x) for x in packet["availability"].split("/"))
        assert end == pytest.approx(result.threats[t].launch_time_s + first, abs=1e-3)
        assert start == pytest.approx(result.launch_track_s[t, b], abs=1e-3)


def test_kml_has_a_placemark_per_site_and_threat(result, tmp_path):
    path = tmp_path / "epaa.kml"
    write_kml(result, path)
    root = ET.parse(path).getroot()
    placemarks = {
        p.findtext("k:name", namespaces=KML_NS): p for p in root.iter(f"{{{KML_NS['k']}}}Placemark")
    }
    scenario = result.scenario
    assert len(placemarks) == len(scenario.sites) + len(result.threats)
    for site_id, site in scenario.sites.items():
        point = placemarks[site_id].find("k:Point", KML_NS)
        assert point is not None
        assert point.findtext("k:altitudeMode", namespaces=KML_NS) == "absolute"
        lon, lat, _ = (
            float(v) for v in point.findtext("k:coordinates", namespaces=KML_NS).split(",")
        )
        assert (lat, lon) == pytest.approx((site.lat_deg.nominal, site.lon_deg.nominal))
    styles = set()
    engageable = result.windows.engageable.any(axis=1)
    for t, threat in enumerate(result.threats):
        placemark = placemarks[threat.name]
        line = placemark.find("k:LineString", KML_NS)
        assert line is not None
        assert line.findtext("k:altitudeMode", namespaces=KML_NS) == "absolute"
        coords = [
            tuple(float(v) for v in c.split(","))
            for c in line.findtext("k:coordinates", namespaces=KML_NS).split()
        ]
        times, positions = _flown(result, t)
        assert len(coords) == times.size + 1  # the samples and the impact point
        lon, lat, h = coords[len(coords) // 2]
        ecef = _geodetic_to_ecef(lon, lat, h)
        # KML prints coordinates with limited digits: a metre or so.
        np.testing.assert_allclose(ecef, positions[len(coords) // 2], atol=5 * METRE)
        assert coords[-1][2] == pytest.approx(0.0, abs=50.0)  # impact on the ground
        styles.add((bool(engageable[t]), placemark.findtext("k:styleUrl", namespaces=KML_NS)))
    # Two styles, one per class, and the classes both occur in the example.
    assert {e for e, _ in styles} == {True, False}
    assert len({s for _, s in styles}) == 2


def _expected_engagements(result):
    rows = []
    for r in result.records:
        low, high = r.intercept_altitude_m or (None, None)
        rows.append(
            {
                "threat": r.threat,
                "site": r.site,
                "interceptor": r.interceptor,
                "engageable": r.engageable,
                "first_intercept_s": r.first_intercept_s,
                "last_intercept_s": r.last_intercept_s,
                "intercept_altitude_min_km": None if low is None else low / 1000.0,
                "intercept_altitude_max_km": None if high is None else high / 1000.0,
                "intercept_ground_range_km": (
                    None if r.intercept_ground_range_m is None else r.intercept_ground_range_m / 1e3
                ),
                "closing_speed_m_s": r.closing_speed_m_s,
                "engagement_angle_deg": r.engagement_angle_deg,
                "shots": r.shots,
                "reason": r.reason,
                "launch_track_s": r.launch_track_s,
                "track_source": r.track_source,
                "guidance_track_s": r.guidance_track_s,
                "guidance_source": r.guidance_source,
                "launch_margin_s": r.launch_margin_s,
            }
        )
    return rows


def _parse_csv_value(expected, text):
    if expected is None:
        return None if text == "" else text
    if isinstance(expected, bool):
        return {"true": True, "false": False}[text]
    if isinstance(expected, int):
        return int(text)
    if isinstance(expected, float):
        return float(text)
    return text


def _assert_rows_equal(actual, expected):
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert set(got) == set(want)
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-12), key
            else:
                assert got[key] == value, key


def test_engagement_tables_agree_with_the_records(result, tmp_path):
    written = write_tables(result, tmp_path)
    assert {p.name for p in written} == {
        "engagements.csv",
        "engagements.parquet",
        "threats.csv",
        "threats.parquet",
    }
    expected = _expected_engagements(result)
    with (tmp_path / "engagements.csv").open(newline="", encoding="utf-8") as handle:
        text_rows = list(csv.DictReader(handle))
    assert list(text_rows[0]) == list(expected[0])
    parsed = [
        {k: _parse_csv_value(want[k], row[k]) for k in want}
        for row, want in zip(text_rows, expected, strict=True)
    ]
    _assert_rows_equal(parsed, expected)
    assert any(r["engageable"] for r in expected) and not all(r["engageable"] for r in expected)
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow reads the Parquet twin")
    _assert_rows_equal(pq.read_table(tmp_path / "engagements.parquet").to_pylist(), expected)


def test_threat_table_agrees_with_the_flights(result, tmp_path):
    write_tables(result, tmp_path, parquet=False)
    assert not list(tmp_path.glob("*.parquet"))
    with (tmp_path / "threats.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(result.threats)
    for t, (row, threat) in enumerate(zip(rows, result.threats, strict=True)):
        assert row["name"] == threat.name and row["missile"] == threat.missile
        assert row["shape"] == threat.shape
        assert float(row["launch_lat_deg"]) == threat.launch_lat_deg
        assert float(row["target_lon_deg"]) == threat.target_lon_deg
        assert float(row["burnout_time_s"]) == pytest.approx(result.flights.burnout_time_s[t])
        assert float(row["apogee_km"]) * 1e3 == pytest.approx(result.flights.apogee_altitude_m[t])
        assert float(row["flight_time_s"]) == pytest.approx(result.flights.impact_time_s[t])
        assert 0 < float(row["burnout_time_s"]) < float(row["flight_time_s"])


@pytest.fixture
def footprint(result):
    """A hand-made 3 x 4 footprint with one configuration and two batteries."""
    threatened = np.zeros((1, 3, 4), dtype=bool)
    threatened[0, 1:, 1:] = True
    defended = threatened.copy()
    defended[0, 2, 3] = False
    sites = np.where(threatened, 1, 0).astype(np.int64)
    sites[0, 1, 1] = 3
    sites[0, 2, 3] = 0
    return FootprintResult(
        scenario=result.scenario,
        region=(34.0, 40.0, 20.0, 28.0),
        resolution_deg=2.0,
        lat_deg=np.array([35.0, 37.0, 39.0]),
        lon_deg=np.array([21.0, 23.0, 25.0, 27.0]),
        configs=[ThreatConfig("tabriz", "shahab-3", "minimum-energy")],
        threatened=threatened,
        defended=defended,
        shots=np.where(defended, 2, 0),
        sites=sites,
        batteries=["eastern-mediterranean/sm-3-block-ia", "other/sm-3-block-ib"],
        fan_trajectories=12,
        cities=[City("Athens", "GR", 37.98, 23.73, 3e6, True, True)],
    )


def test_footprint_tables_agree_with_the_cells(footprint, tmp_path):
    written = write_footprint_tables(footprint, tmp_path)
    assert {p.name for p in written} == {"footprint_cells.csv", "footprint_cells.parquet"}
    cells = footprint_cells(footprint)
    assert len(cells) == 6
    with (tmp_path / "footprint_cells.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(cells)
    for row, cell in zip(rows, cells, strict=True):
        assert float(row["lat_deg"]) == cell["lat_deg"]
        assert float(row["lon_deg"]) == cell["lon_deg"]
        assert row["defended"] == ("true" if cell["defended"] else "false")
        assert int(row["min_shots"]) == cell["min_shots"]
        assert (row["sites"].split(";") if row["sites"] else []) == cell["sites"]
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow reads the Parquet twin")
    assert pq.read_table(tmp_path / "footprint_cells.parquet").to_pylist() == cells


def test_geojson_polygons_are_valid_for_shapely(footprint, tmp_path):
    geometry = pytest.importorskip("shapely.geometry", reason="shapely checks the GeoJSON")
    path = tmp_path / "footprint.geojson"
    write_geojson(footprint, path)
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    shapes = [geometry.shape(f["geometry"]) for f in features]
    polygons = [s for s in shapes if s.geom_type == "Polygon"]
    assert len(polygons) == len(footprint_cells(footprint))
    for polygon in polygons:
        assert polygon.is_valid
        assert polygon.area == pytest.approx(footprint.resolution_deg**2)
    assert sum(s.geom_type == "Point" for s in shapes) == 1


@pytest.mark.parametrize("writer", ["czml", "kml", "tables", "footprint"])
def test_a_missing_folder_is_a_roof_error_and_writes_nothing(writer, result, footprint, tmp_path):
    missing = tmp_path / "missing"
    calls = {
        "czml": lambda: write_czml(result, missing / "a.czml"),
        "kml": lambda: write_kml(result, missing / "a.kml"),
        "tables": lambda: write_tables(result, missing),
        "footprint": lambda: write_footprint_tables(footprint, missing),
    }
    with pytest.raises(RoofError, match="folder does not exist"):
        calls[writer]()
    assert list(tmp_path.iterdir()) == []


def test_missing_pyarrow_is_a_roof_error_naming_it_before_any_file(result, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(RoofError, match="pyarrow"):
        write_tables(result, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_no_partial_file(result, tmp_path, monkeypatch):
    (tmp_path / "engagements.csv").write_text("old\n", encoding="utf-8")

    def broken(handle, columns, rows):
        handle.write("half a row")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables, "_csv_rows", broken)
    with pytest.raises(RoofError, match="No space left"):
        write_tables(result, tmp_path, parquet=False)
    assert [p.name for p in tmp_path.iterdir()] == ["engagements.csv"]
    assert (tmp_path / "engagements.csv").read_text(encoding="utf-8") == "old\n"


def test_a_bad_epoch_is_a_roof_error(result, tmp_path):
    with pytest.raises(RoofError, match="ISO 8601"):
        write_czml(result, tmp_path / "a.czml", epoch_iso="yesterday")
    assert list(tmp_path.iterdir()) == []
