"""Maps drawn on the offline base map: defended footprints, sites, cities."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from securityroof.analysis.footprint import FootprintResult
from securityroof.errors import RoofError
from securityroof.report.basemap import borders, clip, coastlines

NOT_THREATENED, UNDEFENDED, DEFENDED = 0, 1, 2
COLOURS = ListedColormap(["#ffffff00", "#d7301f99", "#1a985099"])


def footprint_map(result: FootprintResult, path: Path, *, title: str | None = None) -> None:
    """Draw the defended footprint (all threat configurations) to a PNG file.

    Green cells are defended against every configuration that reaches them,
    red cells are reached by some configuration they are not defended
    against. Interceptor sites are black triangles; threatened cities are
    dots, filled when defended. Written atomically.
    """
    lat_min, lat_max, lon_min, lon_max = result.region
    state = np.full(result.threatened[0].shape, NOT_THREATENED)
    state[result.threatened.any(axis=0)] = UNDEFENDED
    state[result.defended_everywhere] = DEFENDED
    aspect = 1.0 / np.cos(np.radians(0.5 * (lat_min + lat_max)))
    figure, axes = plt.subplots(
        figsize=(10, 10 * (lat_max - lat_min) / (lon_max - lon_min) * aspect)
    )
    axes.imshow(
        state,
        origin="lower",
        extent=(lon_min, lon_max, lat_min, lat_max),
        cmap=COLOURS,
        vmin=0,
        vmax=2,
        interpolation="nearest",
        aspect=aspect,
    )
    for outline in clip(coastlines("l"), result.region):
        axes.plot(outline.lon_deg, outline.lat_deg, color="#555555", linewidth=0.5)
    for outline in clip(borders("l"), result.region):
        axes.plot(outline.lon_deg, outline.lat_deg, color="#999999", linewidth=0.4)
    sites = result.scenario.sites
    for name in {b.split("/")[0] for b in result.batteries}:
        site = sites[name]
        axes.plot(site.lon_deg.nominal, site.lat_deg.nominal, "k^", markersize=6)
        axes.annotate(
            name,
            (site.lon_deg.nominal, site.lat_deg.nominal),
            fontsize=6,
            xytext=(3, 3),
            textcoords="offset points",
        )
    for city in result.cities:
        if city.threatened:
            axes.plot(
                city.lon_deg,
                city.lat_deg,
                "o",
                markersize=2.5,
                color="#1a9850" if city.defended else "#d7301f",
            )
    axes.set_xlim(lon_min, lon_max)
    axes.set_ylim(lat_min, lat_max)
    axes.set_xlabel("longitude (deg)")
    axes.set_ylabel("latitude (deg)")
    axes.set_title(title or f"Defended footprint: {result.scenario.name}", fontsize=10)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        plt.close(figure)
        raise RoofError("the folder does not exist.", where=str(directory), fix="Create it first.")
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".png.part")
    os.close(handle)
    try:
        figure.savefig(temporary, dpi=120, bbox_inches="tight", format="png")
        os.replace(temporary, path)
    except OSError as exc:
        raise RoofError(f"cannot write the file ({exc.strerror}).", where=str(path)) from None
    finally:
        plt.close(figure)
        if os.path.exists(temporary):
            os.remove(temporary)
