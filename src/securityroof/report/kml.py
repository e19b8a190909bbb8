"""The trajectories as KML, for Google Earth and GIS tools: sites and threat tracks.

simplekml is optional: without it the writer raises RoofError naming the
package, before it writes anything. The file is written atomically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from securityroof.analysis.engagement import EngagementResult
from securityroof.analysis.prepare import scenario_planet
from securityroof.core.earth import ecef_to_geodetic_batch
from securityroof.report.files import missing_package, write_text_atomically
from securityroof.report.tracks import (
    ENGAGEABLE_RGBA,
    NOT_ENGAGEABLE_RGBA,
    SITE_RGBA,
    engageable_by_any,
    site_geodetic,
    threat_track,
)


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
        raise missing_package("simplekml", "KML") from None

    planet = scenario_planet(result.scenario)
    engageable = engageable_by_any(result)
    kml = simplekml.Kml(name=kml_safe(result.scenario.name))
    styles = {}
    for key, rgba in ((True, ENGAGEABLE_RGBA), (False, NOT_ENGAGEABLE_RGBA)):
        style = simplekml.Style()
        style.linestyle.color = _kml_color(rgba)
        style.linestyle.width = 3
        styles[key] = style
    site_style = simplekml.Style()
    site_style.iconstyle.color = _kml_color(SITE_RGBA)

    sites = kml.newfolder(name="Sites")
    for site_id, site in result.scenario.sites.items():
        lat, lon, height = site_geodetic(result, site_id)
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
