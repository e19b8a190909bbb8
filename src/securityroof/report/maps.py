"""Maps drawn on the offline base map: defended footprints, sites, cities."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from securityroof.analysis.footprint import FootprintResult
from securityroof.model.defence import Site
from securityroof.report.basemap import borders, clip, coastlines
from securityroof.report.files import write_atomically

NOT_THREATENED, UNDEFENDED, DEFENDED = 0, 1, 2
COLOURS = ListedColormap(["#ffffff00", "#d7301f99", "#1a985099"])


def base_axes(region: tuple[float, float, float, float], width_in: float = 10.0):
    """A figure and axes over a lat/lon box with coastlines and borders drawn."""
    lat_min, lat_max, lon_min, lon_max = region
    aspect = 1.0 / np.cos(np.radians(0.5 * (lat_min + lat_max)))
    height = width_in * (lat_max - lat_min) / (lon_max - lon_min) * aspect
    figure, axes = plt.subplots(figsize=(width_in, height))
    for outline in clip(coastlines("l"), region):
        axes.plot(outline.lon_deg, outline.lat_deg, color="#555555", linewidth=0.5)
    for outline in clip(borders("l"), region):
        axes.plot(outline.lon_deg, outline.lat_deg, color="#999999", linewidth=0.4)
    axes.set_xlim(lon_min, lon_max)
    axes.set_ylim(lat_min, lat_max)
    axes.set_aspect(aspect)
    axes.set_xlabel("longitude (deg)")
    axes.set_ylabel("latitude (deg)")
    return figure, axes


def save_png(figure, path: Path) -> None:
    """Write a figure as PNG atomically, then close it."""
    try:
        write_atomically(
            path,
            lambda temporary: figure.savefig(temporary, dpi=110, bbox_inches="tight", format="png"),
        )
    finally:
        plt.close(figure)


def draw_sites(axes, sites: dict[str, Site]) -> None:
    """Sites with interceptors as black triangles, sensor-only sites as blue squares."""
    for site_id, site in sites.items():
        marker = "k^" if site.interceptors else "bs"
        axes.plot(site.lon_deg.nominal, site.lat_deg.nominal, marker, markersize=5)
        axes.annotate(
            site_id,
            (site.lon_deg.nominal, site.lat_deg.nominal),
            fontsize=6,
            xytext=(3, 3),
            textcoords="offset points",
        )


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
    figure, axes = base_axes(result.region)
    axes.imshow(
        state,
        origin="lower",
        extent=(lon_min, lon_max, lat_min, lat_max),
        cmap=COLOURS,
        vmin=0,
        vmax=2,
        interpolation="nearest",
        aspect=axes.get_aspect(),
    )
    batteries = {b.split("/")[0] for b in result.batteries}
    draw_sites(axes, {k: v for k, v in result.scenario.sites.items() if k in batteries})
    for city in result.cities:
        if city.threatened:
            axes.plot(
                city.lon_deg,
                city.lat_deg,
                "o",
                markersize=2.5,
                color="#1a9850" if city.defended else "#d7301f",
            )
    axes.set_title(title or f"Defended footprint: {result.scenario.name}", fontsize=10)
    save_png(figure, path)
