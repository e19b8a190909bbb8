"""Footprint results as plain records (JSON): the summary and one record per threatened cell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.footprint import FootprintResult


def footprint_summary(result: FootprintResult) -> dict[str, Any]:
    """Counts and populations: the comparable part of a footprint."""
    threatened_any = result.threatened.any(axis=0)
    everywhere = result.defended_everywhere
    cities = result.cities
    by_country: dict[str, dict[str, float]] = {}
    for city in cities:
        if not city.threatened:
            continue
        entry = by_country.setdefault(city.country, {"threatened": 0.0, "defended": 0.0})
        entry["threatened"] += city.population
        if city.defended:
            entry["defended"] += city.population
    return {
        "scenario": result.scenario.name,
        "region_deg": list(result.region),
        "resolution_deg": result.resolution_deg,
        "fan_trajectories": result.fan_trajectories,
        "cells": int(result.threatened[0].size),
        "cells_threatened": int(threatened_any.sum()),
        "cells_defended": int(everywhere.sum()),
        "population_threatened": sum(c.population for c in cities if c.threatened),
        "population_defended": sum(c.population for c in cities if c.defended),
        "population_by_country": by_country,
        "configurations": [
            {
                "launch_area": config.launch_area,
                "missile": config.missile,
                "shape": config.shape,
                "cells_threatened": int(result.threatened[c].sum()),
                "cells_defended": int(result.defended[c].sum()),
            }
            for c, config in enumerate(result.configs)
        ],
    }


def _sites_of(result: FootprintResult, mask: int) -> list[str]:
    return [name for b, name in enumerate(result.batteries) if mask >> b & 1]


def footprint_cells(result: FootprintResult) -> list[dict[str, Any]]:
    """One record per threatened cell: defended, fewest shots, engaging batteries."""
    threatened_any = result.threatened.any(axis=0)
    everywhere = result.defended_everywhere
    # Fewest shot opportunities over the configurations that reach the cell.
    shots = np.where(result.threatened, result.shots, np.iinfo(np.int64).max).min(axis=0)
    cells = []
    for i, j in zip(*np.nonzero(threatened_any), strict=True):
        masks = np.bitwise_or.reduce(result.sites[:, i, j])
        cells.append(
            {
                "lat_deg": float(result.lat_deg[i]),
                "lon_deg": float(result.lon_deg[j]),
                "defended": bool(everywhere[i, j]),
                "min_shots": int(shots[i, j]),
                "sites": _sites_of(result, int(masks)),
            }
        )
    return cells
