"""The trajectories as CZML, for Cesium: sites, threat tracks and flyout lines.

czml3 is optional: without it the writer raises RoofError naming the
package, before it writes anything. The file is written atomically (see
`securityroof.report.files`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from securityroof.analysis.engagement import EngagementResult
from securityroof.analysis.prepare import scenario_planet, site_position_ecef
from securityroof.errors import RoofError
from securityroof.records.fields import number_or_none
from securityroof.report.files import missing_package, write_text_atomically
from securityroof.report.tracks import (
    ENGAGEABLE_RGBA,
    FLYOUT_RGBA,
    NOT_ENGAGEABLE_RGBA,
    SITE_RGBA,
    engageable_by_any,
    position_at,
    site_geodetic,
    threat_track,
)

DEFAULT_EPOCH_ISO = "2010-03-26T00:00:00Z"


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
        raise missing_package("czml3", "CZML") from None

    epoch = _parse_epoch(epoch_iso)
    planet = scenario_planet(result.scenario)
    engageable = engageable_by_any(result)
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
        lat, lon, height = site_geodetic(result, site_id)
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
                point=Point(pixelSize=8, color=color(SITE_RGBA)),
                label=Label(text=site_id, font="12pt sans-serif"),
            )
        )
    for t, threat in enumerate(result.threats):
        times, positions = tracks[t]
        if times.size == 0:
            continue
        rgba = ENGAGEABLE_RGBA if engageable[t] else NOT_ENGAGEABLE_RGBA
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
            fire_control = number_or_none(float(result.launch_track_s[t, b]))
            point = position_at(result, t, first)
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
                            solidColor=SolidColorMaterial(color=color(FLYOUT_RGBA))
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
