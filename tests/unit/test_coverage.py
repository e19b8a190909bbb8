"""Radar coverage, one definition for the report's figure and the live page:
the arc lies at the radar's range against the drawn target, on the scenario's
Earth, across its azimuth sector. Distances and azimuths checked with PROJ's
geodesics (pyproj), independent of the project's own."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from securityroof.analysis.coverage import COVERAGE_RCS_M2, coverage_range_m, radar_coverage
from securityroof.model.scenario import load_scenario
from securityroof.ops.sites import sites_json

ROOT = Path(__file__).resolve().parents[2]
METRE = 1.0
DEGREE = 1.0


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "examples/joint-nato-russia.toml")


def test_the_arc_lies_at_the_range_against_the_drawn_target(scenario):
    pyproj = pytest.importorskip("pyproj", reason="pyproj checks the geodesics independently")
    geod = pyproj.Geod(ellps="WGS84")
    found = radar_coverage(scenario)
    assert found, "the example has radars"
    for coverage in found:
        site = scenario.sites[coverage.site]
        kind = scenario.sensor_types[coverage.sensor]
        assert kind.detection_range_km is not None and kind.azimuth_half_width_deg is not None
        # Radar range goes with the fourth root of the cross section.
        expected_m = kind.detection_range_km.nominal * 1e3 * COVERAGE_RCS_M2**0.25
        assert coverage_range_m(kind) == pytest.approx(expected_m, rel=1e-12)
        half = kind.azimuth_half_width_deg.nominal
        arc = slice(None) if half >= 180 else slice(1, -1)
        lat, lon = coverage.lat_deg[arc], coverage.lon_deg[arc]
        n = lat.size
        azimuth, _, distance = geod.inv(
            np.full(n, site.lon_deg.nominal), np.full(n, site.lat_deg.nominal), lon, lat
        )
        np.testing.assert_allclose(distance, expected_m, atol=1 * METRE)
        # The arc spans the sector, from one edge to the other.
        offsets = (np.asarray(azimuth) - coverage.boresight_deg + 180.0) % 360.0 - 180.0
        if half < 180:
            assert offsets[0] == pytest.approx(-half, abs=1e-6 * DEGREE)
            assert offsets[-1] == pytest.approx(half, abs=1e-6 * DEGREE)
            assert (coverage.lat_deg[0], coverage.lon_deg[0]) == (
                site.lat_deg.nominal,
                site.lon_deg.nominal,
            )


def test_the_sphere_scenario_draws_on_the_sphere(scenario):
    sphere = dataclasses.replace(
        scenario, assumptions=scenario.assumptions.model_copy(update={"earth": "sphere"})
    )
    ellipsoid, spherical = radar_coverage(scenario)[0], radar_coverage(sphere)[0]
    # Same range along a different surface: the arc moves by kilometres, not metres.
    shift = np.abs(ellipsoid.lat_deg - spherical.lat_deg).max()
    assert 1e-3 < shift < 0.5


def test_the_live_page_draws_the_same_coverage(scenario):
    drawn = [
        (site["id"], sensor["type"], sensor["coverage"])
        for site in sites_json(scenario)
        for sensor in site["sensors"]
        if sensor["coverage"]
    ]
    found = radar_coverage(scenario)
    assert len(drawn) == len(found)
    for (site_id, sensor_type, polygon), coverage in zip(drawn, found, strict=True):
        assert (site_id, sensor_type) == (coverage.site, coverage.sensor)
        points = np.array(polygon)
        np.testing.assert_allclose(points[:, 0], coverage.lat_deg, atol=1e-3)
        np.testing.assert_allclose(points[:, 1], coverage.lon_deg, atol=1e-3)
