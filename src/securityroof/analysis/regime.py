"""The regime of a transparency envelope: the verifiable parameters of a roof.

For each parameter a party declares (interceptor burnout speeds, site
coordinates, ship patrol areas, radar sectors, data-link timing,
inventories): the declared value, the limit the envelope computed that keeps
the roof non-strategic, the margin between them, and how another party
checks it (`securityroof.analysis.envelope`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from securityroof.analysis.site_map import PatrolVerdict, SiteMap
from securityroof.core.constants import SPHERE_RADIUS_M
from securityroof.model.scenario import Scenario

if TYPE_CHECKING:
    from securityroof.analysis.envelope import LinkLimit, SpeedLimit


@dataclass(frozen=True)
class RegimeRow:
    """One verifiable parameter of the regime."""

    parameter: str
    subject: str
    declared: float | None
    limit: float | None
    margin: float | None  # positive: inside the limit
    unit: str
    note: str  # what the numbers mean, when they need words
    verification: str


# How another party checks each kind of declared parameter. These are this
# project's proposals, patterned on the 1997 agreed statements (demarcation by
# demonstrated speed, tests declared) and New START's notifications and
# inspections; none is an agreed procedure.
VERIFY_SPEED = (
    "declared flight tests; the other party observes each test or receives its "
    "telemetry, which shows the burnout speed (as the 1997 agreed statements tie "
    "demarcation to demonstrated speed)"
)
VERIFY_SITE = "declared coordinates; national technical means and on-site visits"
VERIFY_PATROL = "declared patrol areas; ship positions shared on the joint picture, and NTM"
VERIFY_SECTOR = "declared boresight and sector; array faces are visible to satellite imagery"
VERIFY_LINK = (
    "the link's tracks are time-stamped in the roof's tamper-evident record, "
    "which every party audits"
)
VERIFY_INVENTORY = "declared numbers per site, as New START counts launchers; inspections"


def _distance_km(lat_deg: float, lon_deg: float, lats: np.ndarray, lons: np.ndarray) -> float:
    """Great-circle distance (km, mean sphere) to the nearest of many points; inf if none."""
    if lats.size == 0:
        return math.inf
    phi, lam = math.radians(lat_deg), math.radians(lon_deg)
    la, lo = np.radians(lats), np.radians(lons)
    c = np.sin(la) * math.sin(phi) + np.cos(la) * math.cos(phi) * np.cos(lo - lam)
    return float(SPHERE_RADIUS_M / 1e3 * np.arccos(np.clip(c, -1.0, 1.0)).min())


def _site_margin(found: SiteMap, lat: float, lon: float) -> tuple[float | None, str]:
    """How far a site may move before its type's map keeps it out (km; < 0: it is kept
    out, by the distance to the nearest allowed cell)."""
    grid_lat, grid_lon = np.meshgrid(found.lat_deg, found.lon_deg, indexing="ij")
    keep = found.keep_out
    i = int(np.abs(found.lat_deg - lat).argmin())
    j = int(np.abs(found.lon_deg - lon).argmin())
    if keep[i, j]:
        return -_distance_km(lat, lon, grid_lat[~keep], grid_lon[~keep]), (
            "kept out: distance to the nearest allowed cell of its type's map"
        )
    margin = _distance_km(lat, lon, grid_lat[keep], grid_lon[keep])
    if math.isinf(margin):
        return None, "no cell of its type's map is kept out"
    return margin, "distance to the nearest kept-out cell of its type's map"


def regime(
    scenario: Scenario,
    limits: list[SpeedLimit],
    links: list[LinkLimit],
    maps: list[SiteMap],
    patrols: list[PatrolVerdict],
) -> list[RegimeRow]:
    """The verifiable parameters, their declared values, limits and margins."""
    rows: list[RegimeRow] = []
    for limit in limits:
        rows.append(
            RegimeRow(
                parameter="burnout-speed limit",
                subject=f"{limit.interceptor} at {limit.site}",
                declared=limit.catalogued_m_s,
                limit=limit.limit_m_s,
                margin=limit.margin_m_s,
                unit="m/s",
                note={
                    "limit": "the highest speed at which it engages none",
                    "above the sweep": "engages none at any speed swept: no limit binds",
                    "below the sweep": "engages some even at the slowest speed swept",
                }[limit.bound],
                verification=VERIFY_SPEED,
            )
        )
    by_type = {m.interceptor: m for m in maps}
    for site_id, site in scenario.sites.items():
        for battery in site.interceptors:
            found = by_type.get(battery.type)
            lat, lon = site.lat_deg.nominal, site.lon_deg.nominal
            if found is None:
                margin, note = None, "no site map computed for this type"
            else:
                margin, note = _site_margin(found, lat, lon)
            rows.append(
                RegimeRow(
                    parameter="site",
                    subject=f"{battery.type} at {site_id} ({lat:.2f}, {lon:.2f})",
                    declared=None,
                    limit=None,
                    margin=margin,
                    unit="km",
                    note=note,
                    verification=VERIFY_SITE,
                )
            )
            rows.append(
                RegimeRow(
                    parameter="inventory",
                    subject=f"{battery.type} at {site_id}",
                    declared=float(battery.count),
                    limit=None,
                    margin=None,
                    unit="interceptors",
                    note="declared; the verdict does not depend on the number",
                    verification=VERIFY_INVENTORY,
                )
            )
        for mount in site.sensors:
            kind = scenario.sensor_types[mount.type]
            if kind.kind != "radar" or kind.azimuth_half_width_deg is None:
                continue
            rows.append(
                RegimeRow(
                    parameter="radar sector",
                    subject=f"{mount.type} at {site_id}",
                    declared=mount.boresight_deg,
                    limit=None,
                    margin=None,
                    unit="deg",
                    note=(
                        f"boresight, half-width {kind.azimuth_half_width_deg.nominal:g} deg; "
                        "declared as modelled"
                    ),
                    verification=VERIFY_SECTOR,
                )
            )
    for patrol in patrols:
        rows.append(
            RegimeRow(
                parameter="patrol area",
                subject=f"{patrol.interceptor} in {patrol.area}",
                declared=None,
                limit=None,
                margin=-patrol.worst_margin_s if math.isfinite(patrol.worst_margin_s) else None,
                unit="s",
                note=(
                    "kept out: some place of it engages"
                    if patrol.keep_out
                    else "allowed: seconds short of the nearest engagement anywhere in it"
                ),
                verification=VERIFY_PATROL,
            )
        )
    for link in links:
        rows.append(
            RegimeRow(
                parameter="data link",
                subject=f"{link.sensor_party} sensors to {link.battery_party} interceptors",
                declared=link.attainable_s,
                limit=link.earliest_s,
                margin=None if link.margin_s is None else -link.margin_s,
                unit="s after launch",
                note={
                    "any time": "may pass tracks at any time",
                    "from a time": "earliest time the link may pass tracks",
                    "engages without it": "the roof engages strategic forces without this link",
                }[link.status],
                verification=VERIFY_LINK,
            )
        )
    return rows
