"""Invariants of ballistic flight that hold for any burnout state."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from securityroof.core.earth import ecef_to_geodetic_batch
from securityroof.core.flight import burnout_state_ecef, fly_free
from securityroof.core.geodesy import geodesic_inverse_batch
from securityroof.core.planet import Planet

SPHERE = Planet.build("sphere", rotating=False, j2=False)
WGS84 = Planet.build("wgs84")

lat = st.floats(-80.0, 80.0)
lon = st.floats(-180.0, 180.0)
azimuth = st.floats(0.0, 360.0)
speed = st.floats(1500.0, 7000.0)
gamma = st.floats(5.0, 80.0)


def _ranges(planet, lat_deg, lon_deg, speeds, gammas, azimuths):
    lat_r, lon_r = np.radians(lat_deg), np.radians(lon_deg)
    position, velocity = burnout_state_ecef(
        lat_r, lon_r, 0.0, speeds, np.radians(gammas), np.radians(azimuths), planet
    )
    flight = fly_free(planet, position, velocity, drag=False)
    ilat, ilon, _ = ecef_to_geodetic_batch(*flight.impact_position_ecef_m.T, planet.a_m, planet.f)
    d, _, _ = geodesic_inverse_batch(lat_r, lon_r, ilat, ilon, planet.a_m, planet.f)
    return np.atleast_1d(d)


@settings(max_examples=25, deadline=None)
@given(lat, lon, lat, lon, azimuth, azimuth, speed, gamma)
def test_range_on_a_still_round_earth_ignores_place_and_heading(la1, lo1, la2, lo2, az1, az2, v, g):
    r1 = _ranges(SPHERE, la1, lo1, v, g, az1)
    r2 = _ranges(SPHERE, la2, lo2, v, g, az2)
    assert abs(r1[0] - r2[0]) < 0.5  # metres: the integrator tolerance, not the physics


@settings(max_examples=25, deadline=None)
@given(lat, lon, azimuth, speed, gamma)
def test_faster_burnout_flies_farther(la, lo, az, v, g):
    speeds = np.array([v, v + 50.0])
    r = _ranges(WGS84, la, lo, speeds, g, az)
    assert r[1] > r[0]


@settings(max_examples=25, deadline=None)
@given(st.floats(-60.0, 60.0), lon, st.floats(3000.0, 7000.0), st.floats(10.0, 45.0))
def test_eastward_launch_beats_westward_on_the_rotating_earth(la, lo, v, g):
    # Only for missile-like flights: a slow, steep shot drifts west on the way up
    # and down (Coriolis) whichever way it is aimed, and then west can win.
    r = _ranges(WGS84, la, lo, v, g, np.array([90.0, 270.0]))
    assert r[0] > r[1]
