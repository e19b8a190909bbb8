"""What the CZML and KML writers draw: threat tracks, site positions and
the colours of both.

Heights are above the ellipsoid of the scenario's Earth model (WGS 84 by
default). CZML and KML clients read heights as above the WGS 84 ellipsoid
and above mean sea level respectively; the geoid separation (tens of metres)
is below the fidelity of these analyses.
"""

from __future__ import annotations

import numpy as np

from securityroof.analysis.engagement import EngagementResult

# RGBA colours shared by the CZML and KML writers.
ENGAGEABLE_RGBA = (40, 200, 80, 255)
NOT_ENGAGEABLE_RGBA = (230, 50, 40, 255)
SITE_RGBA = (60, 120, 255, 255)
FLYOUT_RGBA = (255, 210, 0, 255)


def site_geodetic(result: EngagementResult, site_id: str) -> tuple[float, float, float]:
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


def position_at(result: EngagementResult, t: int, time_s: float) -> np.ndarray:
    """ECEF position (m) of threat `t` at `time_s` after its launch, linear between samples."""
    times, positions = threat_track(result, t)
    return np.array([np.interp(time_s, times, positions[:, k]) for k in range(3)])


def engageable_by_any(result: EngagementResult) -> np.ndarray:
    return np.asarray(np.asarray(result.windows.engageable, dtype=bool).any(axis=1))
