"""Engagement and footprint results for other tools: CZML (Cesium), KML (Google
Earth), CSV and Parquet tables.

Every writer converts SI to the people's units once, here, at the edge (km,
degrees), names each column with its unit, and writes each file atomically:
to a temporary file in the same folder, then `os.replace`, so a reader never
sees a half-written file and a failure leaves nothing behind.

czml3, simplekml and pyarrow are optional: a writer whose library is missing
raises RoofError naming the package, before it writes anything.

Heights are above the ellipsoid of the scenario's Earth model (WGS 84 by
default). CZML and KML clients read heights as above the WGS 84 ellipsoid
and above mean sea level respectively; the geoid separation (tens of metres)
is below the fidelity of these analyses.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from securityroof.analysis.engagement import EngagementResult
from securityroof.analysis.footprint import FootprintResult
from securityroof.analysis.prepare import scenario_planet, site_position_ecef
from securityroof.core.earth import ecef_to_geodetic_batch
from securityroof.errors import RoofError
from securityroof.report.files import existing_folder, write_atomically, write_text_atomically
from securityroof.report.footprint_export import footprint_cells

DEFAULT_EPOCH_ISO = "2010-03-26T00:00:00Z"

ENGAGEMENT_COLUMNS = (
    "threat",
    "site",
    "interceptor",
    "engageable",
    "first_intercept_s",
    "last_intercept_s",
    "intercept_altitude_min_km",
    "intercept_altitude_max_km",
    "intercept_ground_range_km",
    "closing_speed_m_s",
    "engagement_angle_deg",
    "shots",
    "reason",
    "launch_track_s",
    "track_source",
    "guidance_track_s",
    "guidance_source",
    "launch_margin_s",
)
THREAT_COLUMNS = (
    "name",
    "missile",
    "launch_area",
    "launch_lat_deg",
    "launch_lon_deg",
    "target_name",
    "target_lat_deg",
    "target_lon_deg",
    "shape",
    "launch_time_s",
    "burnout_time_s",
    "apogee_km",
    "apogee_time_s",
    "flight_time_s",
)
FOOTPRINT_CELL_COLUMNS = ("lat_deg", "lon_deg", "defended", "min_shots", "sites")

# RGBA colours shared by the CZML and KML writers.
_ENGAGEABLE_RGBA = (40, 200, 80, 255)
_NOT_ENGAGEABLE_RGBA = (230, 50, 40, 255)
_SITE_RGBA = (60, 120, 255, 255)
_FLYOUT_RGBA = (255, 210, 0, 255)


# --- shared helpers ----------------------------------------------------------


def _missing(package: str, purpose: str, fix: str | None = None) -> RoofError:
    return RoofError(
        f"writing {purpose} needs the Python package {package!r}, which is not installed.",
        fix=fix or f"Install it: pip install {package}",
    )


def _site_geodetic(result: EngagementResult, site_id: str) -> tuple[float, float, float]:
    """(lat deg, lon deg, height m) of a scenario site (nominal position)."""
    site = result.scenario.sites[site_id]
    height = site.altitude_m.nominal if site.altitude_m else 0.0
    return site.lat_deg.nominal, site.lon_deg.nominal, float(height)


def threat_track(result: EngagementResult, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample times (s after the threat's launch) and ECEF positions (m) of threat `t`.

    The samples before impact on the result's time grid, then the impact
    point at the impact time (when it falls after the last sample).
    """
    samples = result.flights.samples[t]
    keep = np.all(np.isfinite(samples[:, :3]), axis=1)
    times = np.asarray(result.times_s, dtype=float)[keep]
    positions = samples[keep, :3]
    flights = result.flights
    impact_s = flights.impact_time_s[t]
    impact_m = flights.impact_position_ecef_m[t]
    if (
        np.isfinite(impact_s)
        and np.all(np.isfinite(impact_m))
        and (times.size == 0 or impact_s > times[-1])
    ):
        times = np.append(times, impact_s)
        positions = np.vstack([positions, impact_m])
    return times, positions


def _position_at(result: EngagementResult, t: int, time_s: float) -> np.ndarray:
    """ECEF position (m) of threat `t` at `time_s` after its launch, linear between samples."""
    times, positions = threat_track(result, t)
    return np.array([np.interp(time_s, times, positions[:, k]) for k in range(3)])


def _engageable_by_any(result: EngagementResult) -> np.ndarray:
    return np.asarray(np.asarray(result.windows.engageable, dtype=bool).any(axis=1))


def _none_if_nan(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


# --- CZML --------------------------------------------------------------------


def _parse_epoch(epoch_iso: str) -> dt.datetime:
    try:
        epoch = dt.datetime.fromisoformat(epoch_iso.replace("Z", "+00:00"))
    except ValueError:
        raise RoofError(
            f"the epoch {epoch_iso!r} is not an ISO 8601 time.",
            where="epoch",
            fix="Give it like 2010-03-26T00:00:00Z.",
        ) from None
    if epoch.tzinfo is None:
        epoch = epoch.replace(tzinfo=dt.UTC)
    return epoch.astimezone(dt.UTC)


def _iso(epoch: dt.datetime, offset_s: float) -> str:
    moment = epoch + dt.timedelta(seconds=float(offset_s))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".") + "Z"


def czml_packets(
    result: EngagementResult, *, epoch_iso: str = DEFAULT_EPOCH_ISO
) -> list[dict[str, Any]]:
    """The CZML document of `write_czml` as a list of packets (plain JSON values)."""
    try:
        import czml3
        from czml3.enums import ArcTypes, InterpolationAlgorithms
        from czml3.properties import (
            Color,
            Label,
            Point,
            Polyline,
            PolylineMaterial,
            Position,
            PositionList,
            SolidColorMaterial,
        )
        from czml3.properties import Path as CzmlPath
        from czml3.types import TimeInterval
    except ImportError:
        raise _missing("czml3", "CZML") from None

    epoch = _parse_epoch(epoch_iso)
    planet = scenario_planet(result.scenario)
    engageable = _engageable_by_any(result)
    tracks = [threat_track(result, t) for t in range(len(result.threats))]
    ends = [
        threat.launch_time_s + (float(times[-1]) if times.size else 0.0)
        for threat, (times, _) in zip(result.threats, tracks, strict=True)
    ]
    start_s = min((threat.launch_time_s for threat in result.threats), default=0.0)
    stop_s = max(ends, default=start_s)
    epoch_text = _iso(epoch, 0.0)

    def color(rgba: Sequence[int]) -> Color:
        return Color(rgba=list(rgba))

    packets = [
        czml3.Packet(
            id="document",
            name=result.scenario.name,
            version=czml3.CZML_VERSION,
            clock=czml3.Clock(
                interval=TimeInterval(start=_iso(epoch, start_s), end=_iso(epoch, stop_s)),
                currentTime=_iso(epoch, start_s),
                multiplier=10,
            ),
        )
    ]
    site_ids = list(result.scenario.sites)
    for site_id in site_ids:
        site = result.scenario.sites[site_id]
        lat, lon, height = _site_geodetic(result, site_id)
        roles = []
        if site.interceptors:
            roles.append("interceptors: " + ", ".join(b.type for b in site.interceptors))
        if site.sensors:
            roles.append("sensors: " + ", ".join(s.type for s in site.sensors))
        packets.append(
            czml3.Packet(
                id=f"site/{site_id}",
                name=site.name,
                description=f"{site.name} ({site.party}); " + "; ".join(roles),
                position=Position(cartographicDegrees=[lon, lat, height]),
                point=Point(pixelSize=8, color=color(_SITE_RGBA)),
                label=Label(text=site_id, font="12pt sans-serif"),
            )
        )
    for t, threat in enumerate(result.threats):
        times, positions = tracks[t]
        if times.size == 0:
            continue
        rgba = _ENGAGEABLE_RGBA if engageable[t] else _NOT_ENGAGEABLE_RGBA
        cartesian = np.column_stack([times + threat.launch_time_s, positions]).ravel()
        packets.append(
            czml3.Packet(
                id=f"threat/{t}",
                name=threat.name,
                description=(
                    f"{threat.missile} from {threat.launch_area or 'launch point'} to "
                    f"{threat.target_name}, {threat.shape}; "
                    + ("engageable" if engageable[t] else "not engageable")
                ),
                availability=TimeInterval(
                    start=_iso(epoch, threat.launch_time_s),
                    end=_iso(epoch, threat.launch_time_s + float(times[-1])),
                ),
                position=Position(
                    epoch=epoch_text,
                    referenceFrame="FIXED",
                    interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                    interpolationDegree=3,
                    cartesian=[float(v) for v in cartesian],
                ),
                point=Point(pixelSize=6, color=color(rgba)),
                path=CzmlPath(
                    leadTime=0,
                    trailTime=float(times[-1]) + 1.0,
                    width=2,
                    material=PolylineMaterial(solidColor=SolidColorMaterial(color=color(rgba))),
                ),
            )
        )
    # Flyout lines: a straight chord from the battery's site to the threat's
    # position at the first intercept time, shown from the fire-control time
    # to the first intercept. A pointer to the intercept geometry, not a
    # modelled interceptor trajectory.
    for b, battery in enumerate(result.batteries):
        site_ecef = site_position_ecef(result.scenario, battery.site, planet)
        for t, threat in enumerate(result.threats):
            if not result.windows.engageable[t, b]:
                continue
            first = float(result.windows.first_intercept_s[t, b])
            fire_control = _none_if_nan(float(result.launch_track_s[t, b]))
            point = _position_at(result, t, first)
            start = fire_control if fire_control is not None else 0.0
            packets.append(
                czml3.Packet(
                    id=f"flyout/{t}/{battery.site}/{battery.interceptor}",
                    name=f"{battery.interceptor} at {battery.site} -> {threat.name}",
                    description=(
                        f"first intercept {first:.0f} s after launch, at "
                        f"{result.windows.min_altitude_m[t, b] / 1e3:.0f}-"
                        f"{result.windows.max_altitude_m[t, b] / 1e3:.0f} km altitude"
                    ),
                    availability=TimeInterval(
                        start=_iso(epoch, threat.launch_time_s + start),
                        end=_iso(epoch, threat.launch_time_s + first),
                    ),
                    polyline=Polyline(
                        positions=PositionList(
                            referenceFrame="FIXED",
                            cartesian=[float(v) for v in (*site_ecef, *point)],
                        ),
                        arcType=ArcTypes.NONE,
                        width=2,
                        material=PolylineMaterial(
                            solidColor=SolidColorMaterial(color=color(_FLYOUT_RGBA))
                        ),
                    ),
                )
            )
    document = czml3.Document(packets=packets)
    dumped: Any = document.model_dump(mode="json", exclude_none=True)
    return list(dumped)


def write_czml(result: EngagementResult, path: Path, *, epoch_iso: str = DEFAULT_EPOCH_ISO) -> None:
    """Write a CZML document for Cesium; atomically.

    Packets: the document (clock over all flights, from `epoch_iso` plus the
    earliest launch time to the last impact); one per scenario site
    (``site/<id>``: point and label at its geodetic position); one per threat
    (``threat/<index>``: time-dynamic ECEF position, ``cartesian`` samples
    ``[t, x, y, z, ...]`` in seconds after `epoch_iso` and metres, in the
    Earth-fixed frame, from the flight samples and the impact point, each
    offset by the threat's launch time; green if some battery can engage
    it, red otherwise); and, for each engageable (threat, battery) pair, one
    ``flyout/<threat>/<site>/<interceptor>``: a straight line from the site to
    the threat's position at the first intercept time, shown from the
    fire-control time to the first intercept time.

    Parameters
    ----------
    result
        The engagement analysis.
    path
        The .czml file; its folder must exist.
    epoch_iso
        ISO 8601 UTC time of time zero (the threats' launch times count from it).
    """
    packets = czml_packets(result, epoch_iso=epoch_iso)
    write_text_atomically(Path(path), json.dumps(packets, indent=1))


# --- KML ---------------------------------------------------------------------


def _kml_color(rgba: Sequence[int]) -> str:
    """KML's aabbggrr hex colour."""
    r, g, b, a = rgba
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"


# Characters XML 1.0 cannot hold, even escaped (control characters other than
# tab and line breaks, lone surrogates, U+FFFE and U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def kml_safe(text: str) -> str:
    """`text` with every character XML cannot hold written as a visible escape
    (ESC becomes the four characters \\x1b); the KML writer escapes the rest."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def kml_text(result: EngagementResult) -> str:
    """The KML document of `write_kml` as text."""
    try:
        import simplekml
    except ImportError:
        raise _missing("simplekml", "KML") from None

    planet = scenario_planet(result.scenario)
    engageable = _engageable_by_any(result)
    kml = simplekml.Kml(name=kml_safe(result.scenario.name))
    styles = {}
    for key, rgba in ((True, _ENGAGEABLE_RGBA), (False, _NOT_ENGAGEABLE_RGBA)):
        style = simplekml.Style()
        style.linestyle.color = _kml_color(rgba)
        style.linestyle.width = 3
        styles[key] = style
    site_style = simplekml.Style()
    site_style.iconstyle.color = _kml_color(_SITE_RGBA)

    sites = kml.newfolder(name="Sites")
    for site_id, site in result.scenario.sites.items():
        lat, lon, height = _site_geodetic(result, site_id)
        point = sites.newpoint(name=kml_safe(site_id), coords=[(lon, lat, height)])
        point.description = kml_safe(f"{site.name} ({site.party})")
        point.altitudemode = simplekml.AltitudeMode.absolute
        point.style = site_style

    threats = kml.newfolder(name="Threats")
    for t, threat in enumerate(result.threats):
        _, positions = threat_track(result, t)
        lat_rad, lon_rad, height_m = ecef_to_geodetic_batch(
            positions[:, 0], positions[:, 1], positions[:, 2], planet.a_m, planet.f
        )
        coords = [
            (float(x), float(y), float(h))
            for x, y, h in zip(np.degrees(lon_rad), np.degrees(lat_rad), height_m, strict=True)
        ]
        line = threats.newlinestring(name=kml_safe(threat.name), coords=coords)
        line.altitudemode = simplekml.AltitudeMode.absolute
        line.extrude = 0
        line.tessellate = 0
        line.style = styles[bool(engageable[t])]
        line.description = kml_safe(
            f"{threat.missile}, {threat.shape}, to {threat.target_name}; "
            + ("engageable" if engageable[t] else "not engageable")
        )
    text: str = kml.kml()
    return text


def write_kml(result: EngagementResult, path: Path) -> None:
    """Write a KML document for Google Earth and GIS tools; atomically.

    One Placemark per scenario site (a Point at its height, absolute
    altitude) in the folder "Sites", and one per threat (a LineString of its
    3D trajectory: the flight samples and the impact point, absolute
    altitude) in the folder "Threats", green if some battery can engage the
    threat, red otherwise.
    """
    write_text_atomically(Path(path), kml_text(result))


# --- tables ------------------------------------------------------------------


def _km(value_m: float | None) -> float | None:
    return None if value_m is None else value_m / 1e3


def engagement_rows(result: EngagementResult) -> list[dict[str, Any]]:
    """One row per (threat, battery), in `ENGAGEMENT_COLUMNS` order; None for no value."""
    rows = []
    for record in result.records:
        low, high = record.intercept_altitude_m or (None, None)
        rows.append(
            {
                "threat": record.threat,
                "site": record.site,
                "interceptor": record.interceptor,
                "engageable": record.engageable,
                "first_intercept_s": record.first_intercept_s,
                "last_intercept_s": record.last_intercept_s,
                "intercept_altitude_min_km": _km(low),
                "intercept_altitude_max_km": _km(high),
                "intercept_ground_range_km": _km(record.intercept_ground_range_m),
                "closing_speed_m_s": record.closing_speed_m_s,
                "engagement_angle_deg": record.engagement_angle_deg,
                "shots": record.shots,
                "reason": record.reason,
                "launch_track_s": record.launch_track_s,
                "track_source": record.track_source,
                "guidance_track_s": record.guidance_track_s,
                "guidance_source": record.guidance_source,
                "launch_margin_s": record.launch_margin_s,
            }
        )
    return rows


def threat_rows(result: EngagementResult) -> list[dict[str, Any]]:
    """One row per threat, in `THREAT_COLUMNS` order; times in s after its launch."""
    flights = result.flights
    rows = []
    for t, threat in enumerate(result.threats):
        apogee_m = _none_if_nan(float(flights.apogee_altitude_m[t]))
        rows.append(
            {
                "name": threat.name,
                "missile": threat.missile,
                "launch_area": threat.launch_area,
                "launch_lat_deg": threat.launch_lat_deg,
                "launch_lon_deg": threat.launch_lon_deg,
                "target_name": threat.target_name,
                "target_lat_deg": threat.target_lat_deg,
                "target_lon_deg": threat.target_lon_deg,
                "shape": threat.shape,
                "launch_time_s": threat.launch_time_s,
                "burnout_time_s": _none_if_nan(float(flights.burnout_time_s[t])),
                "apogee_km": _km(apogee_m),
                "apogee_time_s": _none_if_nan(float(flights.apogee_time_s[t])),
                "flight_time_s": _none_if_nan(float(flights.impact_time_s[t])),
            }
        )
    return rows


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value  # floats print as their shortest round-tripping repr


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            _csv_rows(handle, columns, rows)

    write_atomically(path, write)


def _csv_rows(handle: IO[str], columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    writer = csv.writer(handle)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row[c]) for c in columns])


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise _missing(
            "pyarrow", "Parquet tables", "Install it (pip install pyarrow), or ask for CSV only."
        ) from None
    return pyarrow


def _write_parquet(
    pa: Any, path: Path, columns: Sequence[str], rows: list[dict[str, Any]], types: dict[str, Any]
) -> None:
    arrays = [pa.array([row[c] for row in rows], type=types[c]) for c in columns]
    table = pa.Table.from_arrays(arrays, names=list(columns))
    write_atomically(path, lambda temporary: pa.parquet.write_table(table, str(temporary)))


def _types(pa: Any, columns: Sequence[str], text: set[str], flags: set[str], ints: set[str]):
    def kind(column: str) -> Any:
        if column in text:
            return pa.string()
        if column in flags:
            return pa.bool_()
        if column in ints:
            return pa.int64()
        return pa.float64()

    return {c: kind(c) for c in columns}


def write_tables(result: EngagementResult, folder: Path, *, parquet: bool = True) -> list[Path]:
    """Write engagements.csv and threats.csv (and .parquet twins); each file atomically.

    engagements: one row per (threat, battery), columns `ENGAGEMENT_COLUMNS`
    (times in s after the threat's launch, altitudes and ranges in km, an
    empty cell / null where the battery cannot engage). threats: one row per
    threat, columns `THREAT_COLUMNS`. Returns the paths written.
    """
    folder = existing_folder(Path(folder))
    pa = _pyarrow() if parquet else None  # fail before writing anything
    tables = [
        (
            "engagements",
            ENGAGEMENT_COLUMNS,
            engagement_rows(result),
            (
                {"threat", "site", "interceptor", "reason", "track_source", "guidance_source"},
                {"engageable"},
                {"shots"},
            ),
        ),
        (
            "threats",
            THREAT_COLUMNS,
            threat_rows(result),
            ({"name", "missile", "launch_area", "target_name", "shape"}, set(), set()),
        ),
    ]
    written = []
    for name, columns, rows, (text, flags, ints) in tables:
        _write_csv(folder / f"{name}.csv", columns, rows)
        written.append(folder / f"{name}.csv")
        if pa is not None:
            types = _types(pa, columns, text, flags, ints)
            _write_parquet(pa, folder / f"{name}.parquet", columns, rows, types)
            written.append(folder / f"{name}.parquet")
    return written


def write_footprint_tables(
    result: FootprintResult, folder: Path, *, parquet: bool = True
) -> list[Path]:
    """Write footprint_cells.csv (and .parquet): one row per threatened cell.

    Columns `FOOTPRINT_CELL_COLUMNS`: the cell centre (deg), whether it is
    defended against every configuration reaching it, the fewest shot
    opportunities, and the batteries ("site/interceptor") that engage there
    (joined with ";" in the CSV, a list of strings in Parquet). Returns the
    paths written.
    """
    folder = existing_folder(Path(folder))
    pa = _pyarrow() if parquet else None
    rows = footprint_cells(result)
    _write_csv(folder / "footprint_cells.csv", FOOTPRINT_CELL_COLUMNS, rows)
    written = [folder / "footprint_cells.csv"]
    if pa is not None:
        types = {
            "lat_deg": pa.float64(),
            "lon_deg": pa.float64(),
            "defended": pa.bool_(),
            "min_shots": pa.int64(),
            "sites": pa.list_(pa.string()),
        }
        _write_parquet(pa, folder / "footprint_cells.parquet", FOOTPRINT_CELL_COLUMNS, rows, types)
        written.append(folder / "footprint_cells.parquet")
    return written
