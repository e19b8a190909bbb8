"""The report's printed maps: the equal-area projection, the greedy label
placer, and labels on a crowded map that do not overlap (measured by the
figure's own renderer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from securityroof.analysis.footprint import DEFAULT_REGION
from securityroof.report.believe import believe_table
from securityroof.report.figures import _merged_ticks
from securityroof.report.interactive import json_for_script, load_leaflet
from securityroof.report.labels import Label, overlapping_texts, place_labels
from securityroof.report.maps import covering, plt, region_map, site_handles
from securityroof.report.projection import EARTH_RADIUS_KM, EqualArea


def _shoelace_km2(x: np.ndarray, y: np.ndarray) -> float:
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


@pytest.mark.parametrize("lat_deg", [36.0, 55.0, 70.0])
def test_equal_area_projection_keeps_areas(lat_deg):
    # Snyder (1987) ch. 24: the Lambert azimuthal projection is equal-area. A
    # 1 x 1 degree cell on the sphere has area R^2 * dlon * (sin lat2 - sin lat1).
    project = EqualArea.for_region(DEFAULT_REGION)
    lon0 = 40.0
    edge = np.linspace(0.0, 1.0, 50)
    lat = np.concatenate(
        [np.full(50, lat_deg), lat_deg + edge, np.full(50, lat_deg + 1), lat_deg + 1 - edge]
    )
    lon = np.concatenate([lon0 + edge, np.full(50, lon0 + 1), lon0 + 1 - edge, np.full(50, lon0)])
    x, y = project(lat, lon)
    sphere = (
        EARTH_RADIUS_KM**2
        * np.radians(1.0)
        * (np.sin(np.radians(lat_deg + 1)) - np.sin(np.radians(lat_deg)))
    )
    assert _shoelace_km2(x, y) == pytest.approx(sphere, rel=1e-3)  # within 0.1 %, ~10 km^2
    # The centre maps to the origin; 1 degree of latitude there is 111.2 km.
    x0, y0 = project(project.lat0_deg, project.lon0_deg)
    assert abs(x0) < 1e-9 and abs(y0) < 1e-9
    _, y1 = project(project.lat0_deg + 1.0, project.lon0_deg)
    assert float(y1) == pytest.approx(111.19, abs=0.05)


def test_greedy_placer_leaves_no_overlap_and_counts_what_it_left_out():
    figure, axes = plt.subplots(figsize=(4, 3))
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 10)
    crowded = [Label(5.0 + 0.05 * k, 5.0, f"crowded label {k}") for k in range(25)]
    apart = [Label(1.0, 1.0, "alone south-west"), Label(8.5, 8.5, "alone")]
    placed = place_labels(axes, [*apart, *crowded])
    try:
        assert overlapping_texts(figure) == []
        texts = {t.get_text() for t in placed.placed}
        assert {"alone south-west", "alone"} <= texts  # room around them: always placed
        assert 1 <= len(placed.left_out) < 25  # the crowd cannot all fit, some do
        assert len(placed.placed) + len(placed.left_out) == 27
        frame = axes.get_window_extent(figure.canvas.get_renderer())
        for text in placed.placed:  # nothing hangs over the map's edge
            box = text.get_window_extent(figure.canvas.get_renderer())
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1
    finally:
        plt.close(figure)


def test_the_overlap_check_sees_overlaps():
    figure, axes = plt.subplots()
    axes.text(0.5, 0.5, "one")
    axes.text(0.5, 0.5, "two")
    try:
        assert overlapping_texts(figure) == [("one", "two")]
    finally:
        plt.close(figure)


def test_crowded_sites_and_cities_on_a_printed_map_do_not_overlap(tmp_path):
    """The default roof's sites (moscow-a135 beside the notional Moscow S-400,
    the radars of the Caucasus) and many cities, with the map's legend and
    title: no two texts of the figure overlap, and no site marker is cut."""
    from securityroof.cli.report import default_scenario
    from securityroof.model.scenario import load_scenario

    sites = load_scenario(default_scenario()).sites
    region = covering(
        DEFAULT_REGION,
        [(s.lat_deg.nominal, s.lon_deg.nominal) for s in sites.values() if s.kind != "satellite"],
    )
    ground = {k: v for k, v in sites.items() if v.kind != "satellite"}
    figure, panel = region_map(region)
    cities = [
        ("Moscow", 55.76, 37.62),
        ("Podolsk", 55.43, 37.54),
        ("Khimki", 55.89, 37.44),
        ("Tula", 54.19, 37.62),
        ("Bucharest", 44.43, 26.10),
        ("Craiova", 44.32, 23.80),
        ("Yerevan", 40.18, 44.51),
        ("Baku", 40.41, 49.87),
    ]
    labels = [*panel.sites(ground), *(panel.label(lat, lon, name) for name, lat, lon in cities)]
    placed = panel.place(labels)
    panel.legend(site_handles(sites.values()))
    panel.axes.set_title("A crowded map", fontsize=10)
    try:
        assert overlapping_texts(figure) == []
        names = {t.get_text() for t in placed.placed}
        assert {"moscow-a135", "deveselu", "kurecik"} <= names, placed.left_out
        x_min, x_max = panel.axes.get_xlim()
        y_min, y_max = panel.axes.get_ylim()
        for site in ground.values():
            x, y = panel.xy(site.lat_deg.nominal, site.lon_deg.nominal)
            # Inside the frame by more than a marker's size (25 km on this map).
            assert x_min + 25 < x < x_max - 25 and y_min + 25 < y < y_max - 25, site.name
        figure.savefig(tmp_path / "crowded.png")
    finally:
        plt.close(figure)


def test_interceptor_speeds_too_close_to_name_apart_share_one_tick():
    ticks = _merged_ticks({"a": 3.0, "b": 3.05, "c": 4.5, "d": 9.0}, min_gap=0.1)
    assert ticks == {3.0: "a, b", 4.5: "c", 9.0: "d"}


def test_one_builder_for_the_believe_table():
    table = believe_table(
        [
            {
                "source": "satellites (stereo)",
                "median_track_s": 95.4,
                "engageable": 3,
                "flown": 6,
                "by_battery": {"x at a": 1, "y at b": 3},
            },
            {
                "source": "launch (bound)",
                "median_track_s": None,
                "engageable": 6,
                "flown": 6,
                "by_battery": {},
            },
        ],
        engageable_with_tracks_shared=2,
        strategic_threats=6,
    )
    assert table.rows[0] == ("satellites (stereo)", "95", "3 / 6", "y at b (3), x at a (1)")
    assert table.rows[1][1] == "" and len(table.columns) == len(table.rows[0])
    assert "2 of 6" in table.footnote


def test_without_a_built_leaflet_the_map_is_unavailable(tmp_path):
    from securityroof.report.interactive import map_section

    assert load_leaflet(tmp_path / "missing") is None
    html = map_section(None, None)  # type: ignore[arg-type]  # no data is read without Leaflet
    assert 'id="map-unavailable"' in html and "make web" in html
    assert "<script" not in html


def test_an_inlined_leaflet_needs_no_file(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "layers.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "leaflet.js").write_text("var s = '</script>';")
    (tmp_path / "leaflet.css").write_text(".a { background: url(images/layers.png); }")
    leaflet = load_leaflet(tmp_path)
    assert leaflet is not None
    assert "url(data:image/png;base64," in leaflet.style and "images/" not in leaflet.style
    assert "</script" not in leaflet.script.lower()
    assert "</" not in json_for_script({"name": "</script>"})


def test_footprint_panels_with_long_labels_do_not_overlap(tmp_path):
    """The small multiples of an assessment: nine panels whose titles are the
    long cueing-variant labels wrap instead of running into each other."""
    from securityroof.analysis.footprint import analyse_footprint
    from securityroof.model.scenario import load_scenario
    from securityroof.report.maps import footprint_grid_figure

    root = Path(__file__).resolve().parents[2]
    result = analyse_footprint(
        load_scenario(root / "examples" / "epaa-phase-1.toml"), resolution_deg=6.0
    )
    labels = [
        "joint-nato-russia",
        "joint-nato-russia: non-NATO sensors cue NATO interceptors",
        "joint-nato-russia: NATO sensors cue non-NATO interceptors",
        "joint-nato-russia: tracks shared across every party",
        "joint-nato-russia: each party on its own sensors",
        "epaa-phase-1",
        "epaa-phase-2",
        "epaa-phase-3 + scenario sites a-very-long-site-name, another-long-site-name",
        "epaa-phase-4",
    ]
    figure = footprint_grid_figure([(label, result) for label in labels])
    try:
        assert overlapping_texts(figure) == []
        figure.savefig(tmp_path / "footprints.png")
    finally:
        plt.close(figure)
