"""Latitude/longitude grids over a region: the cells of footprints and site maps."""

from __future__ import annotations

import math

import numpy as np

from securityroof.errors import RoofError


def region_grid(
    region: tuple[float, float, float, float],
    resolution_deg: float,
    *,
    max_cells: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres (degrees) of the box ``(lat_min, lat_max, lon_min, lon_max)``
    in cells of about `resolution_deg`, or an error saying what is wrong; a
    grid of more than `max_cells` cells is refused before any work."""
    lat_min, lat_max, lon_min, lon_max = region
    if not (math.isfinite(resolution_deg) and resolution_deg > 0):
        raise RoofError(
            f"the resolution must be a positive number of degrees, got {resolution_deg}.",
            parameter="resolution_deg",
        )
    if not (-90 <= lat_min < lat_max <= 90 and -180 <= lon_min < lon_max <= 360):
        raise RoofError(
            f"the region {region} holds no cell: it is empty or outside the globe.",
            parameter="region_deg",
            fix="Give lat min < lat max and lon min < lon max, in degrees.",
        )
    n_lat = max(1, round((lat_max - lat_min) / resolution_deg))
    n_lon = max(1, round((lon_max - lon_min) / resolution_deg))
    if max_cells is not None and n_lat * n_lon > max_cells:
        raise RoofError(
            f"a {resolution_deg:g} degree grid over {region} has {n_lat * n_lon:,} cells.",
            parameter="resolution_deg",
            fix=f"Use a coarser resolution or a smaller region (at most {max_cells:,} cells).",
        )
    lat = lat_min + (np.arange(n_lat) + 0.5) * (lat_max - lat_min) / n_lat
    lon = lon_min + (np.arange(n_lon) + 0.5) * (lon_max - lon_min) / n_lon
    return lat, lon
