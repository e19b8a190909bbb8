"""Maps drawn on the offline base map: defended footprints, sites, cities."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from securityroof.analysis.footprint import FootprintResult
from securityroof.analysis.site_map import SiteMap
from securityroof.core.constants import SPHERE_RADIUS_M
from securityroof.data.basemap import borders, clip, coastlines
from securityroof.model.defence import Site
from securityroof.model.scenario import PatrolArea
from securityroof.report.files import write_atomically

NOT_THREATENED, UNDEFENDED, DEFENDED = 0, 1, 2
COLOURS = ListedColormap(["#ffffff00", "#d7301f99", "#1a985099"])
KEEP_OUT_COLOURS = ListedColormap(["#ffffff00", "#d7301f99", "#2166ac99"])  # -, land, sea


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


def polar_xy(lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """North-polar azimuthal equidistant projection (km from the pole).

    Distances and directions from the pole are true, so the polar routes of
    intercontinental missiles draw as the near-straight lines they are
    (J. P. Snyder, Map Projections: A Working Manual, USGS Professional Paper
    1395, 1987, eqs. 25-2, 21-2 and 21-3 for the polar aspect on the sphere).
    """
    rho = SPHERE_RADIUS_M / 1e3 * np.radians(90.0 - np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    return rho * np.sin(lon), -rho * np.cos(lon)


def polar_axes(min_lat_deg: float = 15.0, width_in: float = 9.0):
    """A figure and axes on the north-polar projection down to `min_lat_deg`, with coastlines."""
    figure, axes = plt.subplots(figsize=(width_in, width_in))
    region = (min_lat_deg - 5.0, 90.0, -180.0, 180.0)
    for outline in clip(coastlines("l"), region):
        x, y = polar_xy(outline.lat_deg, outline.lon_deg)
        axes.plot(x, y, color="#777777", linewidth=0.4)
    for lat in (30.0, 45.0, 60.0, 75.0):
        ring = np.linspace(-180.0, 180.0, 361)
        x, y = polar_xy(np.full(ring.shape, lat), ring)
        axes.plot(x, y, color="#dddddd", linewidth=0.4, zorder=0)
    limit = SPHERE_RADIUS_M / 1e3 * np.radians(90.0 - min_lat_deg)
    axes.set_xlim(-limit, limit)
    axes.set_ylim(-limit, limit)
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
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


def draw_cells(axes, state: np.ndarray, region, colours: ListedColormap) -> None:
    """Grid cells of states 0-2 (lat x lon, south first) over `region`, one colour each."""
    lat_min, lat_max, lon_min, lon_max = region
    axes.imshow(
        state,
        origin="lower",
        extent=(lon_min, lon_max, lat_min, lat_max),
        cmap=colours,
        vmin=0,
        vmax=2,
        interpolation="nearest",
        aspect=axes.get_aspect(),
    )


def footprint_map(result: FootprintResult, path: Path, *, title: str | None = None) -> None:
    """Draw the defended footprint (all threat configurations) to a PNG file.

    Green cells are defended against every configuration that reaches them,
    red cells are reached by some configuration they are not defended
    against. Interceptor sites are black triangles; threatened cities are
    dots, filled when defended. Written atomically.
    """
    state = np.full(result.threatened[0].shape, NOT_THREATENED)
    state[result.threatened.any(axis=0)] = UNDEFENDED
    state[result.defended_everywhere] = DEFENDED
    figure, axes = base_axes(result.region)
    draw_cells(axes, state, result.region, COLOURS)
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


def keep_out_map(
    found: SiteMap, patrols: list[PatrolArea], sites: dict[str, Site], path: Path
) -> None:
    """Where a battery of one type may stand: kept-out land and sea cells over the base map.

    Red cells on land and blue cells at sea are kept out (a battery there could
    engage a protected strategic trajectory); declared patrol areas of the type
    are outlined; the type's own sites are black triangles. Written atomically.
    """
    state = np.zeros(found.keep_out.shape)
    state[found.keep_out & found.land] = 1
    state[found.keep_out & ~found.land] = 2
    figure, axes = base_axes(found.region)
    draw_cells(axes, state, found.region, KEEP_OUT_COLOURS)
    for area in patrols:
        if area.interceptor in (None, found.interceptor):
            lon = [*area.lon_deg, area.lon_deg[0]]
            lat = [*area.lat_deg, area.lat_deg[0]]
            axes.plot(lon, lat, color="#222222", linewidth=1.0, linestyle="--")
    draw_sites(
        axes,
        {
            k: v
            for k, v in sites.items()
            if any(b.type == found.interceptor for b in v.interceptors)
        },
    )
    radar = f", with its own {found.radar}" if found.radar else ", on remote tracks only"
    axes.set_title(
        f"Where a {found.interceptor} battery{radar} may stand: shaded cells are kept out",
        fontsize=10,
    )
    save_png(figure, path)
