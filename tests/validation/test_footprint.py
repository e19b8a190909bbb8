"""A footprint computable by hand: one fast interceptor site on the way.

A site with a very fast interceptor (8 km/s), a 300 km reach, no altitude
floor and a fire-control track at every threat's launch defends an aim point
exactly when the threat's ground track passes within its reach while the
threat is in flight. On the sphere the ground track is the great circle from
launch to aim point (Earth rotation bends it by a few km over these 1,000 km
flights), so the cross-track distance of the site from that arc decides:
well inside the reach (< 150 km) must be defended, well outside (> 450 km)
must not. Spherical trigonometry: Bowditch, "The American Practical
Navigator" (2019), ch. 24 (great-circle sailing).
"""

from __future__ import annotations

import math

import numpy as np

from securityroof.analysis.footprint import analyse_footprint
from securityroof.model.scenario import load_scenario

R_KM = 6371.0
LAUNCH = (38.08, 46.29)  # Tabriz, as in the catalog
SITE = (38.9, 40.0)
SCENARIO = f"""
[scenario]
name = "one fast site on the path"

[assumptions]
fire_control_at_s = 0.0

[[sites]]
id = "test-site"
party = "usa"
lat_deg = {SITE[0]}
lon_deg = {SITE[1]}
sensors = [{{ type = "an-tpy-2-fbm", boresight_deg = 90.0 }}]
interceptors = [{{ type = "sm-3-block-iia", count = 24 }}]

[overrides.interceptors.sm-3-block-iia]
burnout_speed_m_s = 8000.0
max_ground_range_km = 300.0
min_intercept_altitude_km = 0.0
launch_delay_s = 0.0

[[threats]]
missile = "shahab-3"
from = "tabriz"
to = ["ankara"]
"""


def _unit(lat_deg, lon_deg):
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def _track_distance_km(aim):
    """Distance from the site to the launch->aim great-circle arc, and how far
    along the arc (km) its closest point lies."""
    a, b, p = _unit(*LAUNCH), _unit(*aim), _unit(*SITE)
    normal = np.cross(a, b)
    normal /= np.linalg.norm(normal)
    cross = math.asin(np.clip(p @ normal, -1, 1))
    foot = p - (p @ normal) * normal
    foot /= np.linalg.norm(foot)
    along = math.atan2(np.linalg.norm(np.cross(a, foot)), a @ foot)
    total = math.atan2(np.linalg.norm(np.cross(a, b)), a @ b)
    if np.cross(a, foot) @ normal < 0:
        along = -along
    if 0 <= along <= total:
        return abs(cross) * R_KM, along * R_KM, total * R_KM
    ends = [math.acos(np.clip(p @ a, -1, 1)), math.acos(np.clip(p @ b, -1, 1))]
    return min(ends) * R_KM, along * R_KM, total * R_KM


def test_single_site_footprint_matches_the_cross_track_rule(tmp_path):
    path = tmp_path / "one-site.toml"
    path.write_text(SCENARIO)
    result = analyse_footprint(
        load_scenario(path), resolution_deg=1.0, region=(32.0, 46.0, 24.0, 46.0)
    )
    threatened, defended = result.threatened[0], result.defended[0]
    checked_in = checked_out = 0
    for i, lat in enumerate(result.lat_deg):
        for j, lon in enumerate(result.lon_deg):
            if not threatened[i, j]:
                continue
            distance, along, total = _track_distance_km((lat, lon))
            in_flight = 150.0 < along < total - 150.0
            if distance < 150.0 and in_flight:
                assert defended[i, j], (lat, lon, distance)
                checked_in += 1
            elif distance > 450.0:
                assert not defended[i, j], (lat, lon, distance)
                checked_out += 1
    assert checked_in >= 5 and checked_out >= 20  # the rule was actually exercised
