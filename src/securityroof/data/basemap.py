"""An offline base map: coastlines and country borders for the report's maps and the live page.

The outlines are GSHHS's (`securityroof.data.geography`), read offline.
"""

from __future__ import annotations

from securityroof.data import geography
from securityroof.data.geography import RESOLUTIONS, Outline

__all__ = ["RESOLUTIONS", "Outline", "borders", "clip", "coastlines"]


def coastlines(resolution: str = "l") -> tuple[Outline, ...]:
    """GSHHS shorelines (level 1 and up: land, lakes, islands)."""
    return geography.outlines("gshhs", resolution)


def borders(resolution: str = "l") -> tuple[Outline, ...]:
    """Country borders."""
    return geography.outlines("countries", resolution)


def clip(outlines: tuple[Outline, ...], region: tuple[float, float, float, float]) -> list[Outline]:
    """Outlines with any point inside a lat/lon box (degrees), for drawing."""
    lat_min, lat_max, lon_min, lon_max = region
    kept = []
    for outline in outlines:
        inside = (
            (outline.lat_deg >= lat_min)
            & (outline.lat_deg <= lat_max)
            & (outline.lon_deg >= lon_min)
            & (outline.lon_deg <= lon_max)
        )
        if inside.any():
            kept.append(outline)
    return kept
