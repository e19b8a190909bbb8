"""Pieces of the envelope: land and sea, sample caps, grids, patrol points, masks, margins."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from securityroof.analysis.regime import _site_margin
from securityroof.analysis.site_map import (
    PlaceMargins,
    SiteMap,
    candidate_grid,
    patrol_points,
)
from securityroof.core.siting import GROUP, sample_groups
from securityroof.data.geography import land_mask
from securityroof.errors import RoofError
from securityroof.model.scenario import PatrolArea
from securityroof.records.envelope import pack_mask, unpack_mask


@pytest.mark.parametrize(
    ("place", "lat", "lon", "land"),
    [
        ("Paris", 48.85, 2.35, True),
        ("Moscow", 55.75, 37.62, True),
        ("Tehran", 35.69, 51.39, True),
        ("Redzikowo", 54.48, 17.10, True),
        ("North Sea", 56.0, 3.0, False),
        ("Black Sea", 43.0, 34.0, False),
        ("eastern Mediterranean", 34.0, 30.0, False),
        ("Norwegian Sea", 68.0, 2.0, False),
        ("Caspian Sea (a lake in GSHHS: water)", 42.0, 50.5, False),
        ("Lake Ladoga", 61.0, 31.5, False),
        ("Sicily (an island)", 37.5, 14.0, True),
    ],
)
def test_land_mask_knows_land_from_water(place: str, lat: float, lon: float, land: bool):
    assert bool(land_mask(np.array([lat]), np.array([lon]))[0]) == land, place


def test_land_mask_takes_any_turn_of_longitude():
    inside = land_mask(np.array([48.85, 48.85]), np.array([2.35, 362.35]))
    assert inside.tolist() == [True, True]


def _arc(n: int, seed: int) -> np.ndarray:
    """A random great-circle arc at altitude, NaN-padded (samples after 'impact')."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=3), rng.normal(size=3)
    a /= np.linalg.norm(a)
    b -= a * (a @ b)
    b /= np.linalg.norm(b)
    angles = np.linspace(0.0, rng.uniform(0.1, 2.5), n)
    r = 6.371e6 + 1e6 * np.sin(np.linspace(0, math.pi, n))
    points = r[:, None] * (np.cos(angles)[:, None] * a + np.sin(angles)[:, None] * b)
    out = np.full((1, n + 5, 6), np.nan)
    out[0, :n, :3] = points
    out[0, :n, 3:] = 0.0
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=3, max_value=200), st.integers(min_value=0, max_value=10_000))
@example(n=9, seed=9)  # a one-sample group: its cap must hold it despite acos rounding
def test_every_sample_lies_inside_its_caps(n: int, seed: int):
    samples = _arc(n, seed)
    groups = sample_groups(samples)
    unit = samples[0, :n, :3] / np.linalg.norm(samples[0, :n, :3], axis=1)[:, None]
    for k in range(n):
        g, big = k // GROUP, k // (GROUP * 8)
        for centre, radius in (
            (groups.centre[0, g], groups.radius[0, g]),
            (groups.coarse_centre[0, big], groups.coarse_radius[0, big]),
        ):
            angle = math.acos(min(1.0, float(unit[k] @ centre)))
            assert angle <= radius + 1e-12
    # A cap is empty (NaN radius) exactly when all its samples are after impact.
    for g in range(groups.radius.shape[1]):
        assert np.isnan(groups.radius[0, g]) == (g * GROUP >= n)


def test_region_grid_centres_and_refusals():
    lat, lon = candidate_grid((25.0, 75.0, -30.0, 70.0), 0.5)
    assert lat.size == 100 and lon.size == 200
    assert lat[0] == pytest.approx(25.25) and lon[-1] == pytest.approx(69.75)
    with pytest.raises(RoofError, match="holds no cell"):
        candidate_grid((60.0, 40.0, 0.0, 10.0), 1.0)
    with pytest.raises(RoofError, match="positive number of degrees"):
        candidate_grid((25.0, 75.0, -30.0, 70.0), -1.0)
    with pytest.raises(RoofError, match="cells"):
        candidate_grid((-90.0, 90.0, -180.0, 180.0), 0.05)


def test_patrol_points_cover_vertices_edges_and_inside():
    area = PatrolArea("box", None, (60.0, 62.0, 62.0, 60.0), (0.0, 0.0, 4.0, 4.0))
    lat, lon = patrol_points(area, 1.0)
    pairs = set(zip(np.round(lat, 6), np.round(lon, 6), strict=True))
    for vertex in ((60.0, 0.0), (62.0, 0.0), (62.0, 4.0), (60.0, 4.0)):
        assert vertex in pairs
    assert (61.0, 0.0) in pairs  # on an edge, a degree from the corners
    assert (60.5, 0.5) in pairs and (61.5, 3.5) in pairs  # the grid inside
    assert lat.min() >= 60.0 and lat.max() <= 62.0 and lon.min() >= 0.0 and lon.max() <= 4.0


def test_keep_out_follows_the_probability_asked():
    places = PlaceMargins(
        margin_s=np.array([5.0, -3.0, -np.inf]),
        floor_s=-np.inf,
        best_threat=np.array(["a", "b", ""], dtype=object),
        probability=np.array([0.10, 0.05, 0.0]),
        draws=20,
    )
    # 95 %: a place engaging in more than 5 % of the draws is kept out.
    assert places.keep_out(0.95).tolist() == [True, False, False]
    assert places.keep_out(0.80).tolist() == [False, False, False]
    nominal = PlaceMargins(places.margin_s, -np.inf, places.best_threat, None, 0)
    assert nominal.keep_out(0.95).tolist() == [True, False, False]


def test_packed_masks_round_trip():
    rng = np.random.default_rng(4)
    mask = rng.random((37, 91)) < 0.3
    assert np.array_equal(unpack_mask(pack_mask(mask), mask.shape), mask)


def _map(keep: np.ndarray) -> SiteMap:
    lat = np.array([50.0, 51.0, 52.0])
    lon = np.array([10.0, 11.0, 12.0])
    places = PlaceMargins(np.zeros(keep.shape), 0.0, np.zeros(keep.shape, dtype=object), None, 0)
    return SiteMap(
        "x",
        "usa",
        "site",
        None,
        (49.5, 52.5, 9.5, 12.5),
        1.0,
        lat,
        lon,
        np.ones(keep.shape, dtype=bool),
        places,
        keep,
    )


def test_site_margin_is_the_distance_to_the_keep_out_zone_and_negative_inside():
    keep = np.zeros((3, 3), dtype=bool)
    keep[2, 2] = True
    margin, _ = _site_margin(_map(keep), 50.0, 10.0)
    # From (50, 10) to (52, 12) on the mean sphere.
    assert margin == pytest.approx(264.0, abs=2.0)
    inside, note = _site_margin(_map(keep), 52.0, 12.0)
    assert inside is not None and inside < 0 and "kept out" in note
    none, note = _site_margin(_map(np.zeros((3, 3), dtype=bool)), 50.0, 10.0)
    assert none is None and "no cell" in note
