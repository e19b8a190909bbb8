"""Printed maps on the offline base map: an equal-area projection, filled land,
legends beside the map, labels placed so that they do not overlap.

`RegionMap` is an axes with its projection: everything is given in degrees
and drawn projected. The defended footprints of several architectures are
drawn side by side as small multiples sharing one legend.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from securityroof.analysis.footprint import FootprintResult
from securityroof.analysis.site_map import SiteMap
from securityroof.data.basemap import borders, clip, coastlines
from securityroof.model.defence import Site
from securityroof.model.scenario import PatrolArea
from securityroof.report.files import write_atomically
from securityroof.report.labels import Label, Placement, place_labels
from securityroof.report.projection import EARTH_RADIUS_KM, EqualArea, PolarEquidistant

NOT_THREATENED, UNDEFENDED, DEFENDED = 0, 1, 2
COLOURS = ListedColormap(["#ffffff00", "#d7301fa0", "#1a9850a0"])
KEEP_OUT_COLOURS = ListedColormap(["#ffffff00", "#d7301fa0", "#2166aca0"])  # -, land, sea
LAND, WATER = "#ece8dc", "#f3f7fa"
COAST, BORDER = "#7a7a7a", "#b0b0b0"
DEFENDED_GREEN, UNDEFENDED_RED = "#1a9850", "#d7301f"
# Site markers by what stands there; the legend and every map use these.
SITE_STYLES = {
    "interceptors": {"marker": "^", "color": "black", "label": "interceptor site"},
    "sensors": {"marker": "s", "color": "#2166ac", "label": "radar site"},
    "satellite": {"marker": "D", "color": "#762a83", "label": "infrared satellite (sub-point)"},
}


def site_style(site: Site) -> str:
    if site.interceptors:
        return "interceptors"
    return "satellite" if site.kind == "satellite" else "sensors"


class RegionMap:
    """An axes over a lat/lon box, drawn in an equal-area projection centred on it."""

    def __init__(self, axes, region: tuple[float, float, float, float]) -> None:
        self.axes = axes
        self.region = region
        self.project = EqualArea.for_region(region)
        self._draw_base()

    def _draw_base(self) -> None:
        axes = self.axes
        axes.set_facecolor(WATER)
        base = _projected_base(self.region)
        for level_fill, polygons in base.fills:
            axes.add_collection(
                PolyCollection(polygons, facecolors=level_fill, linewidths=0, zorder=0)
            )
        axes.add_collection(
            LineCollection(base.graticule, colors="#dddddd", linewidths=0.3, zorder=0.5)
        )
        axes.add_collection(LineCollection(base.coasts, colors=COAST, linewidths=0.45, zorder=1))
        axes.add_collection(LineCollection(base.borders, colors=BORDER, linewidths=0.4, zorder=1))
        x_min, x_max, y_min, y_max = self.project.extent(self.region)
        axes.set_xlim(x_min, x_max)
        axes.set_ylim(y_min, y_max)
        axes.set_aspect("equal")
        axes.set_xticks([])
        axes.set_yticks([])

    def xy(self, lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
        return self.project(lat_deg, lon_deg)

    def line(self, lat_deg, lon_deg, **style) -> None:
        self.axes.plot(*self.xy(lat_deg, lon_deg), **style)

    def fill(self, lat_deg, lon_deg, **style) -> None:
        self.axes.fill(*self.xy(lat_deg, lon_deg), **style)

    def points(self, lat_deg, lon_deg, **style) -> None:
        x, y = self.xy(lat_deg, lon_deg)
        self.axes.plot(np.atleast_1d(x), np.atleast_1d(y), linestyle="none", **style)

    def cells(self, state: np.ndarray, colours: ListedColormap) -> None:
        """Grid cells of states 0-2 (lat x lon, south first) over the region."""
        lat_min, lat_max, lon_min, lon_max = self.region
        lat_edges = np.linspace(lat_min, lat_max, state.shape[0] + 1)
        lon_edges = np.linspace(lon_min, lon_max, state.shape[1] + 1)
        lon_grid, lat_grid = np.meshgrid(lon_edges, lat_edges)
        x, y = self.xy(lat_grid, lon_grid)
        self.axes.pcolormesh(x, y, state, cmap=colours, vmin=0, vmax=2, zorder=2, linewidth=0)

    def sites(self, sites: dict[str, Site], *, labels: bool = True) -> list[Label]:
        """Site markers by kind; returns their labels (to place with the others)."""
        found = []
        for site_id, site in sites.items():
            style = SITE_STYLES[site_style(site)]
            lat, lon = site.lat_deg.nominal, site.lon_deg.nominal
            self.points(
                lat, lon, marker=style["marker"], color=style["color"], markersize=5, zorder=6
            )
            if labels:
                found.append(Label(*self._xy1(lat, lon), site_id))
        return found

    def _xy1(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = self.xy(lat, lon)
        return float(x), float(y)

    def label(self, lat: float, lon: float, text: str, **style) -> Label:
        return Label(*self._xy1(lat, lon), text, **style)

    def place(self, labels: Sequence[Label]) -> Placement:
        return place_labels(self.axes, labels)

    def legend(self, handles: Sequence, *, columns: int = 3) -> None:
        """The key below the map, outside it, so that it hides nothing."""
        self.axes.legend(
            handles=list(handles),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.01),
            ncol=columns,
            fontsize=7,
            frameon=False,
        )


@dataclass(frozen=True)
class _Base:
    """The base map of a region, projected once (x, y km arrays per outline)."""

    fills: list[tuple[str, list[np.ndarray]]]  # (colour, polygons), in drawing order
    coasts: list[np.ndarray]
    borders: list[np.ndarray]
    graticule: list[np.ndarray]  # every 10 degrees


@functools.cache
def _projected_base(region: tuple[float, float, float, float]) -> _Base:
    project = EqualArea.for_region(region)

    def xy(lat, lon) -> np.ndarray:
        return np.column_stack(project(lat, lon))

    # GSHHS levels nest: land (1), lakes (2), islands in lakes (3), ponds (4);
    # filled in that order, odd levels as land.
    shores = sorted(clip(coastlines("l"), _padded(region)), key=lambda o: o.level)
    fills: list[tuple[str, list[np.ndarray]]] = []
    for level in sorted({o.level for o in shores}):
        colour = LAND if level % 2 == 1 or level >= 5 else WATER
        fills.append((colour, [xy(o.lat_deg, o.lon_deg) for o in shores if o.level == level]))
    span = np.linspace(-90.0, 90.0, 181)
    ring = np.linspace(-180.0, 180.0, 361)
    graticule = [xy(span, np.full(span.shape, lon)) for lon in range(-180, 181, 10)]
    graticule += [xy(np.full(ring.shape, lat), ring) for lat in range(-80, 81, 10)]
    return _Base(
        fills=fills,
        coasts=[xy(o.lat_deg, o.lon_deg) for o in shores if o.level == 1],  # lakes: fill only
        borders=[xy(o.lat_deg, o.lon_deg) for o in clip(borders("l"), _padded(region))],
        graticule=graticule,
    )


def _padded(region: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The box with a margin: the projected map shows a little beyond the box's corners."""
    lat_min, lat_max, lon_min, lon_max = region
    return (max(-90.0, lat_min - 8.0), min(90.0, lat_max + 8.0), lon_min - 15.0, lon_max + 15.0)


def covering(
    region: tuple[float, float, float, float],
    points: Iterable[tuple[float, float]],
    margin_deg: float = 2.5,
) -> tuple[float, float, float, float]:
    """The lat/lon box grown to hold every (lat, lon) point with a margin, so
    that no marker is cut by the map's edge."""
    lat_min, lat_max, lon_min, lon_max = region
    for lat, lon in points:
        lat_min, lat_max = min(lat_min, lat - margin_deg), max(lat_max, lat + margin_deg)
        lon_min, lon_max = min(lon_min, lon - margin_deg), max(lon_max, lon + margin_deg)
    return (max(lat_min, -85.0), min(lat_max, 85.0), lon_min, lon_max)


def region_map(region: tuple[float, float, float, float], width_in: float = 10.0):
    """A figure with one `RegionMap`."""
    x_min, x_max, y_min, y_max = EqualArea.for_region(region).extent(region)
    height = width_in * (y_max - y_min) / (x_max - x_min)
    figure, axes = plt.subplots(figsize=(width_in, height))
    return figure, RegionMap(axes, region)


def site_handles(sites: Iterable[Site]) -> list[Line2D]:
    kinds = sorted({site_style(s) for s in sites}, key=list(SITE_STYLES).index)
    return [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=SITE_STYLES[k]["marker"],
            color=SITE_STYLES[k]["color"],
            label=SITE_STYLES[k]["label"],
        )
        for k in kinds
    ]


def polar_axes(min_lat_deg: float = 15.0, width_in: float = 9.0):
    """A figure and axes on the north-polar projection down to `min_lat_deg`, land filled."""
    project = PolarEquidistant()
    figure, axes = plt.subplots(figsize=(width_in, width_in))
    axes.set_facecolor(WATER)
    region = (min_lat_deg - 10.0, 90.0, -180.0, 180.0)
    for outline in sorted(clip(coastlines("l"), region), key=lambda o: o.level):
        if outline.lat_deg.min() < -60.0:
            continue  # Antarctica wraps the south pole, the one point with no image
        fill = LAND if outline.level % 2 == 1 else WATER
        x, y = project(outline.lat_deg, outline.lon_deg)
        axes.fill(x, y, color=fill, linewidth=0, zorder=0)
        axes.plot(x, y, color=COAST, linewidth=0.4, zorder=1)
    ring = np.linspace(-180.0, 180.0, 361)
    for lat in (30.0, 45.0, 60.0, 75.0):
        x, y = project(np.full(ring.shape, lat), ring)
        axes.plot(x, y, color="#dddddd", linewidth=0.4, zorder=0.5)
    limit = EARTH_RADIUS_KM * np.radians(90.0 - min_lat_deg)
    axes.set_xlim(-limit, limit)
    axes.set_ylim(-limit, limit)
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
    return figure, axes


def polar_xy(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
    """North-polar azimuthal equidistant coordinates (km from the pole)."""
    return PolarEquidistant()(lat_deg, lon_deg)


def save_png(figure, path: Path) -> None:
    """Write a figure as PNG atomically, then close it."""
    try:
        write_atomically(
            path,
            lambda temporary: figure.savefig(temporary, dpi=110, bbox_inches="tight", format="png"),
        )
    finally:
        plt.close(figure)


def footprint_state(result: FootprintResult) -> np.ndarray:
    state = np.full(result.threatened[0].shape, NOT_THREATENED)
    state[result.threatened.any(axis=0)] = UNDEFENDED
    state[result.defended_everywhere] = DEFENDED
    return state


def _battery_sites(result: FootprintResult) -> dict[str, Site]:
    batteries = {b.split("/")[0] for b in result.batteries}
    return {k: v for k, v in result.scenario.sites.items() if k in batteries}


FOOTPRINT_KEY = [
    Patch(color=COLOURS(DEFENDED), label="defended against every threat reaching it"),
    Patch(color=COLOURS(UNDEFENDED), label="threatened, not defended"),
    Line2D([], [], linestyle="none", marker="o", color=DEFENDED_GREEN, label="city, defended"),
    Line2D([], [], linestyle="none", marker="o", color=UNDEFENDED_RED, label="city, not defended"),
]


def draw_footprint(panel: RegionMap, result: FootprintResult, *, labels: bool) -> list[Label]:
    """Cells, threatened cities and the batteries' sites; returns the labels to place."""
    panel.cells(footprint_state(result), COLOURS)
    found = panel.sites(_battery_sites(result), labels=labels)
    cities = sorted((c for c in result.cities if c.threatened), key=lambda c: -c.population)
    for city in cities:
        colour = DEFENDED_GREEN if city.defended else UNDEFENDED_RED
        panel.points(city.lat_deg, city.lon_deg, marker="o", markersize=2.5, color=colour, zorder=5)
    if labels:
        found += [panel.label(c.lat_deg, c.lon_deg, c.name, colour="#444444") for c in cities[:12]]
    return found


def footprint_map(result: FootprintResult, path: Path, *, title: str | None = None) -> None:
    """One architecture's defended footprint (all threat configurations) as a PNG.

    Green cells are defended against every configuration that reaches them,
    red cells are reached by some configuration they are not defended
    against; threatened cities are dots in the same colours. Written atomically.
    """
    figure, panel = region_map(result.region)
    panel.place(draw_footprint(panel, result, labels=True))
    panel.legend([*FOOTPRINT_KEY, *site_handles(_battery_sites(result).values())])
    panel.axes.set_title(title or f"Defended footprint: {result.scenario.name}", fontsize=10)
    save_png(figure, path)


def footprint_grid(
    comparison: Sequence[tuple[str, FootprintResult]], path: Path, *, columns: int = 3
) -> None:
    """The footprints of several architectures side by side, one key for all."""
    save_png(footprint_grid_figure(comparison, columns=columns), path)


# Characters of a panel title's line: long variant labels wrap rather than
# run into the next panel's title.
GRID_TITLE_CHARS = 44


def footprint_grid_figure(
    comparison: Sequence[tuple[str, FootprintResult]], *, columns: int = 3
) -> Figure:
    """The figure of `footprint_grid` (not saved)."""
    region = comparison[0][1].region
    x_min, x_max, y_min, y_max = EqualArea.for_region(region).extent(region)
    rows = math.ceil(len(comparison) / columns)
    panel_w = 11.0 / columns
    figure, grid = plt.subplots(
        rows,
        columns,
        figsize=(11.0, rows * (panel_w * (y_max - y_min) / (x_max - x_min) + 0.25) + 0.9),
        squeeze=False,
    )
    for k, axes in enumerate(grid.flat):
        if k >= len(comparison):
            axes.set_visible(False)
            continue
        label, result = comparison[k]
        panel = RegionMap(axes, result.region)
        draw_footprint(panel, result, labels=False)
        share = _defended_share(result)
        title = textwrap.fill(label, GRID_TITLE_CHARS)
        axes.set_title(f"{title}\n{share}", fontsize=7.5)
    sites = [s for _, r in comparison for s in _battery_sites(r).values()]
    figure.legend(
        handles=[*FOOTPRINT_KEY, *site_handles(sites)],
        loc="lower center",
        ncol=3,
        fontsize=7.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    figure.subplots_adjust(wspace=0.04, hspace=0.4, bottom=0.9 / figure.get_figheight() + 0.02)
    return figure


def _defended_share(result: FootprintResult) -> str:
    state = footprint_state(result)
    threatened = int((state != NOT_THREATENED).sum())
    defended = int((state == DEFENDED).sum())
    return f"{defended} of {threatened} threatened cells defended"


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
    figure, panel = region_map(found.region)
    panel.cells(state, KEEP_OUT_COLOURS)
    key: list[Patch | Line2D] = [
        Patch(color=KEEP_OUT_COLOURS(1), label="kept out, on land"),
        Patch(color=KEEP_OUT_COLOURS(2), label="kept out, at sea"),
    ]
    for area in patrols:
        if area.interceptor in (None, found.interceptor):
            lon = [*area.lon_deg, area.lon_deg[0]]
            lat = [*area.lat_deg, area.lat_deg[0]]
            panel.line(lat, lon, color="#222222", linewidth=1.0, linestyle="--", zorder=4)
    if patrols:
        key.append(Line2D([], [], color="#222222", linestyle="--", label="declared patrol area"))
    own = {
        k: v for k, v in sites.items() if any(b.type == found.interceptor for b in v.interceptors)
    }
    panel.place(panel.sites(own))
    panel.legend([*key, *site_handles(own.values())])
    radar = f", with its own {found.radar}" if found.radar else ", on remote tracks only"
    panel.axes.set_title(
        f"Where a {found.interceptor} battery{radar} may stand: shaded cells are kept out",
        fontsize=10,
    )
    save_png(figure, path)
