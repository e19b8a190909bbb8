"""Forces on a missile: gravity with J2, thrust under boost guidance, drag.

Boost guidance: a vertical rise, a pitch-over in the launch azimuth plane that
tilts the thrust linearly in time to the kick angle, then a gravity turn
(thrust along the Earth-relative velocity, zero angle of attack) to burnout or
to thrust cutoff. The kick angle is the loft/depress parameter: a small kick
gives a lofted trajectory, a large one a depressed trajectory; thrust cutoff
before propellant exhaustion lowers the energy for shorter ranges.

Powered flight is cut into segments with one active stage and one guidance
mode each, so that the integrator never steps across a discontinuity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from securityroof.core.atmosphere import atmosphere
from securityroof.core.constants import G0_M_S2, P0_PA
from securityroof.core.earth import ecef_to_geodetic
from securityroof.core.planet import (
    A_M,
    GM,
    J2,
    J2_RADIUS_M,
    OMEGA,
    F,
    gravity_acceleration,
)

# Columns of a vehicle's stage table.
STAGE_PROPELLANT_KG, STAGE_DRY_KG, STAGE_BURN_S, STAGE_ISP_VAC_S, STAGE_ISP_SL_S, STAGE_AREA_M2 = (
    range(6)
)
# Guidance modes of a flight segment.
MODE_VERTICAL, MODE_PITCH_OVER, MODE_GRAVITY_TURN, MODE_FREE = range(4)
# Columns of a segment table built per trajectory.
SEG_T0, SEG_T1, SEG_MODE, SEG_MASS0, SEG_MDOT, SEG_THRUST_VAC, SEG_EXIT_AREA, SEG_AREA = range(8)


@dataclass(frozen=True)
class VehicleArrays:
    """A missile packed for the kernel (SI units).

    Parameters
    ----------
    stages
        (n_stages, 6) table, bottom stage first: propellant mass (kg), dry mass
        (kg), burn time (s), vacuum and sea-level specific impulse (s),
        reference area (m^2).
    payload_kg
        Mass above the last stage (kg).
    ballistic_coefficient_kg_m2
        m / (Cd A) of the body in free flight (kg/m^2).
    vertical_rise_s, pitch_over_s
        Duration of the vertical rise and of the pitch-over manoeuvre (s).
    cd_mach, cd
        Zero-lift drag coefficient of the boosting stack against Mach number.
    """

    stages: np.ndarray
    payload_kg: float
    ballistic_coefficient_kg_m2: float
    vertical_rise_s: float
    pitch_over_s: float
    cd_mach: np.ndarray
    cd: np.ndarray

    @property
    def full_burn_s(self) -> float:
        """Time from launch to the burnout of the last stage (s)."""
        return float(self.stages[:, STAGE_BURN_S].sum())


@numba.njit(cache=True)
def build_segments(stages, payload_kg, vertical_rise_s, pitch_over_s, cutoff_s, seg):
    """Fill `seg` with the powered segments of one trajectory; return how many.

    A segment is an interval with one active stage and one guidance mode, so
    thrust and its direction law are smooth inside it.
    """
    n_stages = stages.shape[0]
    bounds = np.empty(2 * n_stages + 3)
    nb = 0
    t_start = 0.0
    boost_end = 0.0
    for i in range(n_stages):
        if t_start >= cutoff_s:
            break
        t_end = min(t_start + stages[i, STAGE_BURN_S], cutoff_s)
        bounds[nb] = t_start
        nb += 1
        boost_end = t_end
        t_start += stages[i, STAGE_BURN_S]
    for t in (vertical_rise_s, vertical_rise_s + pitch_over_s, boost_end):
        if t < boost_end or t == boost_end:
            bounds[nb] = t
            nb += 1
    bounds = np.sort(bounds[:nb])
    n_seg = 0
    for k in range(nb - 1):
        t0 = bounds[k]
        t1 = bounds[k + 1]
        if t1 <= t0:
            continue
        # Active stage at t0 and the mass above it.
        stage_t0 = 0.0
        i = 0
        while i < n_stages - 1 and stage_t0 + stages[i, STAGE_BURN_S] <= t0:
            stage_t0 += stages[i, STAGE_BURN_S]
            i += 1
        mass_above = payload_kg
        for j in range(i + 1, n_stages):
            mass_above += stages[j, STAGE_PROPELLANT_KG] + stages[j, STAGE_DRY_KG]
        mdot = stages[i, STAGE_PROPELLANT_KG] / stages[i, STAGE_BURN_S]
        thrust_vac = mdot * G0_M_S2 * stages[i, STAGE_ISP_VAC_S]
        thrust_sl = mdot * G0_M_S2 * stages[i, STAGE_ISP_SL_S]
        seg[n_seg, SEG_T0] = t0
        seg[n_seg, SEG_T1] = t1
        if t0 < vertical_rise_s:
            seg[n_seg, SEG_MODE] = MODE_VERTICAL
        elif t0 < vertical_rise_s + pitch_over_s:
            seg[n_seg, SEG_MODE] = MODE_PITCH_OVER
        else:
            seg[n_seg, SEG_MODE] = MODE_GRAVITY_TURN
        seg[n_seg, SEG_MASS0] = (
            mass_above
            + stages[i, STAGE_DRY_KG]
            + stages[i, STAGE_PROPELLANT_KG]
            - mdot * (t0 - stage_t0)
        )
        seg[n_seg, SEG_MDOT] = mdot
        seg[n_seg, SEG_THRUST_VAC] = thrust_vac
        # Thrust falls linearly with ambient pressure: T = T_vac - A_exit p.
        seg[n_seg, SEG_EXIT_AREA] = (thrust_vac - thrust_sl) / P0_PA
        seg[n_seg, SEG_AREA] = stages[i, STAGE_AREA_M2]
        n_seg += 1
    return n_seg


@numba.njit(cache=True, inline="always")
def geodetic_from_inertial(x, y, z, a_m, f):
    """Geodetic latitude and height from an inertial position.

    Both depend only on the distance from the spin axis and on z, so the
    Earth's rotation angle is not needed.
    """
    rho = np.sqrt(x * x + y * y)
    lat, _, h = ecef_to_geodetic(rho, 0.0, z, a_m, f)
    return lat, h, rho


@numba.njit(cache=True, inline="always")
def _air_altitude(x, y, z, a_m, f):
    """Height above the ellipsoid along the geocentric radius (m), for the air only.

    It differs from the geodetic height by about h * e^4 / 8 at most (0.6 m
    at 100 km, 6 m at 1,000 km), a density error below 1e-4, and costs a
    fraction of the exact conversion that the events use.
    """
    r2 = x * x + y * y + z * z
    sin2 = z * z / r2
    b = a_m * (1.0 - f)
    surface = a_m * b / np.sqrt(b * b * (1.0 - sin2) + a_m * a_m * sin2)
    return np.sqrt(r2) - surface


@numba.njit(cache=True, inline="always")
def acceleration(t, y, out, seg_row, guidance, planet, drag_on, beta_kg_m2, cd_mach, cd):
    """Write d(state)/dt of the inertial state `y` = (r, v) into `out`.

    `seg_row` is the active segment (MODE_FREE: no thrust). `guidance` =
    (azimuth, kick, vertical_rise_s, pitch_over_s).
    """
    rx, ry, rz, vx, vy, vz = y[0], y[1], y[2], y[3], y[4], y[5]
    gx, gy, gz = gravity_acceleration(rx, ry, rz, planet[GM], planet[J2], planet[J2_RADIUS_M])
    omega = planet[OMEGA]
    # Velocity relative to the rotating Earth and its atmosphere: v - omega x r.
    wx = vx + omega * ry
    wy = vy - omega * rx
    wz = vz
    mode = int(seg_row[SEG_MODE])
    powered = mode != MODE_FREE
    if not (powered or drag_on):  # coasting in vacuum: gravity only
        out[0], out[1], out[2], out[3], out[4], out[5] = vx, vy, vz, gx, gy, gz
        return
    steer_local = mode in (MODE_VERTICAL, MODE_PITCH_OVER)
    density = 0.0
    pressure = 0.0
    sound = 1.0
    if drag_on or powered:
        # Altitude sets the drag and, in powered flight, the thrust loss to
        # ambient pressure even when drag is switched off.
        density, pressure, sound = atmosphere(_air_altitude(rx, ry, rz, planet[A_M], planet[F]))
    speed_rel = np.sqrt(wx * wx + wy * wy + wz * wz)
    ax, ay, az = gx, gy, gz
    if not powered:
        if drag_on and speed_rel > 0.0:
            k = 0.5 * density * speed_rel / beta_kg_m2
            ax -= k * wx
            ay -= k * wy
            az -= k * wz
    else:
        mass = seg_row[SEG_MASS0] - seg_row[SEG_MDOT] * (t - seg_row[SEG_T0])
        thrust = seg_row[SEG_THRUST_VAC] - seg_row[SEG_EXIT_AREA] * pressure
        if steer_local:
            # Local geodetic up and the horizontal heading along the launch azimuth.
            lat, _, rho_axis = geodetic_from_inertial(rx, ry, rz, planet[A_M], planet[F])
            cl, sl = rx / rho_axis, ry / rho_axis
            cp, sp = np.cos(lat), np.sin(lat)
            ux, uy, uz = cp * cl, cp * sl, sp
            tilt = 0.0
            if mode == MODE_PITCH_OVER:
                tilt = guidance[1] * min(1.0, (t - guidance[2]) / guidance[3])
            ca, sa = np.cos(guidance[0]), np.sin(guidance[0])
            hx = -ca * sp * cl - sa * sl
            hy = -ca * sp * sl + sa * cl
            hz = ca * cp
            ct, st = np.cos(tilt), np.sin(tilt)
            dx, dy, dz = ct * ux + st * hx, ct * uy + st * hy, ct * uz + st * hz
        else:
            dx, dy, dz = wx / speed_rel, wy / speed_rel, wz / speed_rel
        a_thrust = thrust / mass
        ax += a_thrust * dx
        ay += a_thrust * dy
        az += a_thrust * dz
        if drag_on and speed_rel > 0.0:
            cd_now = np.interp(speed_rel / sound, cd_mach, cd)
            k = 0.5 * density * speed_rel * cd_now * seg_row[SEG_AREA] / mass
            ax -= k * wx
            ay -= k * wy
            az -= k * wz
    out[0] = vx
    out[1] = vy
    out[2] = vz
    out[3] = ax
    out[4] = ay
    out[5] = az
