"""Physical constants, each with its unit and source.

Names carry their unit. Angles in radians and everything else in SI unless
the name says otherwise.
"""

# WGS 84: NIMA TR8350.2, "Department of Defense World Geodetic System 1984",
# 3rd edition (2000), Table 3.1 (defining parameters) and Table 3.3 (J2).
WGS84_A_M = 6_378_137.0  # semi-major axis
WGS84_INV_F = 298.257223563  # inverse flattening
WGS84_F = 1.0 / WGS84_INV_F
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)  # semi-minor axis (derived)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)  # first eccentricity squared (derived)
GM_EARTH_M3_S2 = 3.986004418e14  # geocentric gravitational constant incl. atmosphere
OMEGA_EARTH_RAD_S = 7.292115e-5  # nominal mean angular velocity
# Second zonal harmonic, unnormalised: J2 = -sqrt(5) * C20bar, C20bar = -4.84166774985e-4
# (TR8350.2 Table 5.1, EGM96) gives 1.08263e-3.
J2_EARTH = 1.08263e-3

# Mean Earth radius used for the spherical teaching/validation model (the issue
# and the arms-control literature use 6,371.0 km; IUGG mean radius R1 = 6,371,008.8 m).
SPHERE_RADIUS_M = 6_371_000.0

# Standard gravity, used only to convert specific impulse in seconds to exhaust
# velocity: CGPM 1901 / ISO 80000-3.
G0_M_S2 = 9.80665

# Sea-level pressure of the U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562, Table I).
P0_PA = 101_325.0
