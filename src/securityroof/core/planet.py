"""The Earth model a flight is computed on: shape, gravity field and rotation.

A `Planet` is packed into a small float array for the compiled kernels so that
the same kernel serves WGS 84 and the teaching sphere, rotating or not, with or
without J2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from securityroof.core.constants import (
    GM_EARTH_M3_S2,
    J2_EARTH,
    OMEGA_EARTH_RAD_S,
    SPHERE_RADIUS_M,
    WGS84_A_M,
    WGS84_F,
)

# Index of each field in the packed array used by kernels.
A_M, F, GM, J2, J2_RADIUS_M, OMEGA = range(6)


@dataclass(frozen=True)
class Planet:
    """Shape, gravity and rotation of the Earth model.

    Parameters
    ----------
    a_m
        Equatorial radius (m).
    f
        Flattening (0 for a sphere).
    gm_m3_s2
        Gravitational parameter (m^3/s^2).
    j2
        Second zonal harmonic (dimensionless), 0 to switch it off.
    j2_radius_m
        Reference radius of the J2 term (m); the WGS 84 equatorial radius.
    omega_rad_s
        Rotation rate about the z axis (rad/s), 0 for a non-rotating Earth.
    """

    a_m: float
    f: float
    gm_m3_s2: float
    j2: float
    j2_radius_m: float
    omega_rad_s: float

    @classmethod
    def build(cls, shape: str = "wgs84", *, rotating: bool = True, j2: bool = True) -> Planet:
        """WGS 84 ellipsoid or a 6,371.0 km sphere, each switchable.

        J2 keeps the WGS 84 reference radius on the sphere so that switching the
        shape changes only the geometry, not the gravity field.
        """
        if shape == "wgs84":
            a_m, f = WGS84_A_M, WGS84_F
        elif shape == "sphere":
            a_m, f = SPHERE_RADIUS_M, 0.0
        else:
            raise ValueError(f"unknown Earth shape {shape!r}: expected 'wgs84' or 'sphere'")
        return cls(
            a_m=a_m,
            f=f,
            gm_m3_s2=GM_EARTH_M3_S2,
            j2=J2_EARTH if j2 else 0.0,
            j2_radius_m=WGS84_A_M,
            omega_rad_s=OMEGA_EARTH_RAD_S if rotating else 0.0,
        )

    def packed(self) -> np.ndarray:
        """The float64 array the kernels read, indexed by A_M, F, GM, J2, J2_RADIUS_M, OMEGA."""
        return np.array(
            [self.a_m, self.f, self.gm_m3_s2, self.j2, self.j2_radius_m, self.omega_rad_s],
            dtype=np.float64,
        )


@numba.njit(cache=True, inline="always")
def gravity_acceleration(x, y, z, gm, j2, j2_radius_m):
    """Point mass plus J2 acceleration (m/s^2) at an inertial position (m).

    The z axis is the spin axis, so the zonal J2 field is the same in the
    inertial and the Earth-fixed frame. Vallado, "Fundamentals of Astrodynamics
    and Applications", 4th ed. (2013), eq. 8-30.
    """
    r2 = x * x + y * y + z * z
    r = np.sqrt(r2)
    mu_r3 = gm / (r2 * r)
    k = 1.5 * j2 * (j2_radius_m * j2_radius_m) / r2
    z2_r2 = z * z / r2
    common = 1.0 + k * (1.0 - 5.0 * z2_r2)
    return (
        -mu_r3 * x * common,
        -mu_r3 * y * common,
        -mu_r3 * z * (1.0 + k * (3.0 - 5.0 * z2_r2)),
    )
