"""The report's interactive map: Leaflet, inlined, on the offline base map.

Everything the map needs is written into index.html itself: Leaflet's script
and style (its images as data URIs), the base map's coastlines and borders,
and the assessment's layers as one JSON block. The page therefore opens
offline, from a file, with no request to any server. Leaflet is the copy the
operations page ships (`src/securityroof/ops/static/vendor/leaflet`, built by
`make web` from the pinned `web/package-lock.json`); where it was not built,
the report says that the interactive map is unavailable and the rest stands.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape

from securityroof.analysis.assess import Assessment
from securityroof.analysis.coverage import radar_coverage
from securityroof.analysis.stability import judged_pairs
from securityroof.data.basemap import borders, clip, coastlines
from securityroof.report.figures import ground_track, planet_of
from securityroof.report.maps import footprint_state, site_style

# The operations page's vendored Leaflet (a git-ignored, built folder).
LEAFLET_DIR = Path(str(resources.files("securityroof"))) / "ops" / "static" / "vendor" / "leaflet"
BASEMAP_REGION = (0.0, 85.0, -180.0, 180.0)  # the northern hemisphere: regional and polar routes
COORDINATE_DECIMALS = 2  # about 1 km: finer than any line the map draws
TRACK_POINTS = 120  # per trajectory, evenly spaced
CITY_LABELS = 15  # the most populous threatened cities are named on the map


@dataclass(frozen=True)
class Leaflet:
    script: str
    style: str  # its images inlined as data URIs


def load_leaflet(folder: Path = LEAFLET_DIR) -> Leaflet | None:
    """Leaflet's script and style, ready to inline; None where it was not built."""
    try:
        script = (folder / "leaflet.js").read_text(encoding="utf-8")
        style = (folder / "leaflet.css").read_text(encoding="utf-8")
    except OSError:
        return None

    def inline(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        if not image.is_file():
            return match.group(0)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    style = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, style)
    # Inside a <script> element the text "</script" would end it early.
    script = re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)
    return Leaflet(script=script, style=style)


def json_for_script(value: Any) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def _line(lat_deg: np.ndarray, lon_deg: np.ndarray) -> list[list[float]]:
    """[[lat, lon], ...] rounded, with repeated points dropped."""
    points = np.round(np.column_stack([lat_deg, lon_deg]), COORDINATE_DECIMALS)
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    return points[keep].tolist()


def _basemap() -> dict[str, list[list[list[float]]]]:
    return {
        "coastlines": [
            _line(o.lat_deg, o.lon_deg)
            for o in clip(coastlines("c"), BASEMAP_REGION)
            if o.level == 1
        ],
        "borders": [_line(o.lat_deg, o.lon_deg) for o in clip(borders("c"), BASEMAP_REGION)],
    }


def _runs(state: np.ndarray) -> list[list[int]]:
    """Cells as [row, first column, last column, state] runs (fewer shapes to draw)."""
    runs = []
    for row in range(state.shape[0]):
        start = 0
        values = state[row]
        for col in range(1, len(values) + 1):
            if col == len(values) or values[col] != values[start]:
                if values[start]:
                    runs.append([row, start, col - 1, int(values[start])])
                start = col
    return runs


def _sites(assessment: Assessment) -> list[dict[str, Any]]:
    scenario = assessment.scenario
    found = []
    for site_id, site in scenario.sites.items():
        found.append(
            {
                "id": site_id,
                "name": site.name,
                "party": site.party,
                "kind": site_style(site),
                "lat": site.lat_deg.nominal,
                "lon": site.lon_deg.nominal,
                "batteries": [f"{b.type} ({b.count})" for b in site.interceptors],
                "sensors": [scenario.sensor_types[m.type].name for m in site.sensors],
            }
        )
    return found


def _tracks(assessment: Assessment) -> list[dict[str, Any]]:
    result = assessment.engagements
    if result is None:  # not run (roof assess --only)
        return []
    planet = planet_of(assessment)
    found = []
    for t, threat in enumerate(result.threats):
        lat, lon = ground_track(result, planet, t)
        by = [
            f"{b.interceptor} at {b.site}"
            for b, ok in zip(result.batteries, result.windows.engageable[t].tolist(), strict=True)
            if ok
        ]
        found.append({"name": threat.name, "engaged": bool(by), "by": by, "line": _thin(lat, lon)})
    return found


def _strategic(assessment: Assessment) -> list[dict[str, Any]]:
    result = assessment.strategic
    if result is None:
        return []
    planet = planet_of(assessment)
    hit = (result.windows.engageable & judged_pairs(result.prepared)).any(axis=1)
    found = []
    for t, threat in enumerate(result.threats):
        # As on the printed map: the engageable ones, and the minimum-energy routes of the rest.
        if not hit[t] and threat.shape != "minimum-energy":
            continue
        if not np.isfinite(result.flights.samples[t, :, 0]).any():
            continue
        lat, lon = ground_track(result, planet, t)
        found.append({"name": threat.name, "engaged": bool(hit[t]), "line": _thin(lat, lon)})
    return found


def _thin(lat: np.ndarray, lon: np.ndarray) -> list[list[float]]:
    if len(lat) > TRACK_POINTS:
        pick = np.unique(np.linspace(0, len(lat) - 1, TRACK_POINTS).round().astype(int))
        lat, lon = lat[pick], lon[pick]
    return _line(lat, lon)


def _ends(assessment: Assessment) -> list[dict[str, Any]]:
    """Launch areas and aim points of the regional and strategic threats, once each."""
    flown = assessment.engagements.threats if assessment.engagements is not None else []
    threats = [(t, True) for t in flown]
    if assessment.strategic is not None:
        threats += [(t, False) for t in assessment.strategic.threats]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for t, regional in threats:
        launch = t.launch_area or f"{t.launch_lat_deg:.1f}, {t.launch_lon_deg:.1f}"
        found.setdefault(
            ("launch", launch),
            {
                "kind": "launch",
                "name": launch,
                "lat": t.launch_lat_deg,
                "lon": t.launch_lon_deg,
                "regional": regional,
            },
        )
        found.setdefault(
            ("aim", t.target_name),
            {
                "kind": "aim",
                "name": t.target_name,
                "lat": t.target_lat_deg,
                "lon": t.target_lon_deg,
            },
        )
    return list(found.values())


def map_data(assessment: Assessment) -> dict[str, Any]:
    """Everything the interactive map draws, as JSON-ready values (degrees)."""
    footprints = []
    for label, result in assessment.comparison:
        lat_min, lat_max, lon_min, lon_max = result.region
        state = footprint_state(result)
        footprints.append(
            {
                "label": label,
                "south": lat_min,
                "west": lon_min,
                "dlat": (lat_max - lat_min) / state.shape[0],
                "dlon": (lon_max - lon_min) / state.shape[1],
                "runs": _runs(state),
            }
        )
    reached = assessment.footprint.cities if assessment.footprint is not None else []
    cities = sorted((c for c in reached if c.threatened), key=lambda c: -c.population)
    return {
        "basemap": _basemap(),
        "footprints": footprints,
        "threats": _tracks(assessment),
        "strategic": _strategic(assessment),
        "coverage": [
            {
                "site": found.site,
                "radar": assessment.scenario.sensor_types[found.sensor].name,
                "line": _line(found.lat_deg, found.lon_deg),
            }
            for found in radar_coverage(assessment.scenario)
        ],
        "sites": _sites(assessment),
        "ends": _ends(assessment),
        "cities": [
            {
                "name": c.name,
                "lat": c.lat_deg,
                "lon": c.lon_deg,
                "population": c.population,
                "defended": c.defended,
                "label": k < CITY_LABELS,
            }
            for k, c in enumerate(cities)
        ],
    }


def map_section(leaflet: Leaflet | None, assessment: Assessment) -> str:
    """The interactive map's HTML, Leaflet and data inlined; or, without
    Leaflet, the sentence that says the map is unavailable."""
    environment = Environment(
        loader=PackageLoader("securityroof.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    if leaflet is None:
        return environment.get_template("map_section.html.j2").render(leaflet=None)
    script = resources.files("securityroof.report").joinpath("templates/report_map.js")
    return environment.get_template("map_section.html.j2").render(
        leaflet=leaflet,
        data=json_for_script(map_data(assessment)),
        script=script.read_text(encoding="utf-8"),
    )
