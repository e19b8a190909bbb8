"""Engagement records: one per (threat, battery) and one per threat.

`roof engage --json` prints `engagement_record`s; the report's engagements
and threats tables (CSV, Parquet) are their `flatten`ed rows, so the two
never disagree on a name or a unit: times in seconds after the threat's
launch, altitudes and ranges in km, None where there is no value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from securityroof.records.fields import number_or_none

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.engagement import EngagementRecord, EngagementResult

# The flattened engagement record, column by column (`flatten` of
# `engagement_record`; a test holds the two together).
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


def _km(value_m: float | None) -> float | None:
    return None if value_m is None else value_m / 1e3


def engagement_record(record: EngagementRecord) -> dict[str, Any]:
    """One threat against one battery (km, seconds after the threat's launch)."""
    low, high = record.intercept_altitude_m or (None, None)
    return {
        "threat": record.threat,
        "site": record.site,
        "interceptor": record.interceptor,
        "engageable": record.engageable,
        "first_intercept_s": record.first_intercept_s,
        "last_intercept_s": record.last_intercept_s,
        "intercept_altitude": {"min_km": _km(low), "max_km": _km(high)},
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


def threat_records(result: EngagementResult) -> list[dict[str, Any]]:
    """One record per threat, in `THREAT_COLUMNS` order; times in s after its launch."""
    flights = result.flights
    rows = []
    for t, threat in enumerate(result.threats):
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
                "burnout_time_s": number_or_none(float(flights.burnout_time_s[t])),
                "apogee_km": _km(number_or_none(float(flights.apogee_altitude_m[t]))),
                "apogee_time_s": number_or_none(float(flights.apogee_time_s[t])),
                "flight_time_s": number_or_none(float(flights.impact_time_s[t])),
            }
        )
    return rows
