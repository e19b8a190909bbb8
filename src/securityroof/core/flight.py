"""Batched point-mass flight of ballistic missiles on a rotating, oblate Earth.

One compiled kernel integrates many trajectories at once, in parallel over
trajectories. The state is the inertial position and velocity (m, m/s) in a
frame that coincides with the Earth-fixed frame at the common epoch; the Earth
turns about z at `omega` (rad/s). Forces: gravity with J2, thrust along the
guidance direction, drag on the Earth-relative velocity (U.S. Standard
Atmosphere 1976).

Integration: Dormand-Prince 5(4) with step control on physical tolerances
(position m, velocity m/s), steps never straddle a thrust discontinuity
(staging, cutoff, the end of the vertical rise or of the pitch-over).
Dormand & Prince, J. Comp. Appl. Math. 6 (1980) 19-26, Table 2.

Events (burnout, apogee, altitude crossings up and down, impact) are located
inside a step on the quintic Hermite interpolant built from position,
velocity and acceleration at both ends of the step, so that no trajectory
needs to be stored to find them; dense samples on a fixed time grid come from
the same interpolant, only when asked for.

Boost guidance: a vertical rise, a pitch-over in the launch azimuth plane that
tilts the thrust linearly in time to the kick angle, then a gravity turn
(thrust along the Earth-relative velocity, zero angle of attack) to burnout or
to thrust cutoff. The kick angle is the loft/depress parameter: a small kick
gives a lofted trajectory, a large one a depressed trajectory; thrust cutoff
before propellant exhaustion lowers the energy for shorter ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from securityroof.core.atmosphere import atmosphere
from securityroof.core.constants import G0_M_S2, P0_PA
from securityroof.core.earth import ecef_to_geodetic, geodetic_to_ecef_batch
from securityroof.core.planet import (
    A_M,
    GM,
    J2,
    J2_RADIUS_M,
    OMEGA,
    F,
    Planet,
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
# Trajectory outcome codes.
STATUS_IMPACT, STATUS_NO_IMPACT, STATUS_STEP_FAILURE = 0, 1, 2

# Dormand-Prince 5(4) tableau (Dormand & Prince 1980, Table 2).
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
# Difference between the 5th- and the embedded 4th-order weights: the error estimate.
_E1 = _B1 - 5179.0 / 57600.0
_E3 = _B3 - 7571.0 / 16695.0
_E4 = _B4 - 393.0 / 640.0
_E5 = _B5 - (-92097.0 / 339200.0)
_E6 = _B6 - 187.0 / 2100.0
_E7 = -1.0 / 40.0


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


@dataclass(frozen=True)
class IntegratorSettings:
    """Step control of the flight integrator.

    Parameters
    ----------
    position_tolerance_m, velocity_tolerance_m_s
        Local error allowed per step in position (m) and velocity (m/s).
    max_step_boost_s, max_step_free_s
        Largest step in powered and in free flight (s).
    max_flight_time_s
        A trajectory that has not impacted by then is reported as not impacting.
    impact_altitude_m
        Altitude above the ellipsoid at which a descending trajectory ends (m).
    """

    position_tolerance_m: float = 0.1
    velocity_tolerance_m_s: float = 1e-4
    max_step_boost_s: float = 2.0
    max_step_free_s: float = 120.0
    max_flight_time_s: float = 4.0 * 3600.0
    impact_altitude_m: float = 0.0

    def packed(self) -> np.ndarray:
        return np.array(
            [
                self.position_tolerance_m,
                self.velocity_tolerance_m_s,
                self.max_step_boost_s,
                self.max_step_free_s,
                self.max_flight_time_s,
                self.impact_altitude_m,
            ]
        )


DEFAULT_SETTINGS = IntegratorSettings()


@dataclass(frozen=True)
class FlightArrays:
    """Raw per-trajectory results of the kernel, Earth-fixed frame, SI units.

    Times are seconds from the start of each trajectory (launch, or the
    given burnout state). Positions are ECEF (m); velocities are relative to
    the rotating Earth (m/s). Missing events hold NaN.

    Attributes
    ----------
    status
        (n,) STATUS_IMPACT, STATUS_NO_IMPACT or STATUS_STEP_FAILURE.
    burnout
        (n, 7): time, position, velocity at the end of powered flight.
    apogee
        (n, 8): time, altitude above the ellipsoid (m), position, velocity.
    impact
        (n, 7): time, position, velocity at impact.
    crossings
        (n, n_levels, 2): first upward and last downward crossing time of
        each requested altitude.
    samples
        (n, n_samples, 6): position and velocity on the sample grid, NaN after
        impact; empty unless samples were asked for.
    steps
        (n,) accepted integration steps.
    """

    status: np.ndarray
    burnout: np.ndarray
    apogee: np.ndarray
    impact: np.ndarray
    crossings: np.ndarray
    samples: np.ndarray
    steps: np.ndarray


@numba.njit(cache=True)
def _build_segments(stages, payload_kg, vertical_rise_s, pitch_over_s, cutoff_s, seg):
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
def _geodetic_from_inertial(x, y, z, a_m, f):
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
def _acceleration(t, y, out, seg_row, guidance, planet, drag_on, beta_kg_m2, cd_mach, cd):
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
            lat, _, rho_axis = _geodetic_from_inertial(rx, ry, rz, planet[A_M], planet[F])
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


@numba.njit(cache=True)
def _dopri_step(t, y, k, h, seg_row, guidance, planet, drag_on, beta, cd_mach, cd, y_new, tol):
    """One Dormand-Prince 5(4) step from (t, y) with k[0] = f(t, y) already set.

    Writes the 5th-order solution into `y_new` and f(t + h, y_new) into k[6];
    k[7] is scratch. Returns the error norm scaled by the tolerances (accept
    when <= 1).
    """
    tmp = k[7]
    for i in range(6):
        tmp[i] = y[i] + h * _A21 * k[0, i]
    _acceleration(t + _C2 * h, tmp, k[1], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (_A31 * k[0, i] + _A32 * k[1, i])
    _acceleration(t + _C3 * h, tmp, k[2], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (_A41 * k[0, i] + _A42 * k[1, i] + _A43 * k[2, i])
    _acceleration(t + _C4 * h, tmp, k[3], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (_A51 * k[0, i] + _A52 * k[1, i] + _A53 * k[2, i] + _A54 * k[3, i])
    _acceleration(t + _C5 * h, tmp, k[4], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (
            _A61 * k[0, i] + _A62 * k[1, i] + _A63 * k[2, i] + _A64 * k[3, i] + _A65 * k[4, i]
        )
    _acceleration(t + h, tmp, k[5], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        y_new[i] = y[i] + h * (
            _B1 * k[0, i] + _B3 * k[2, i] + _B4 * k[3, i] + _B5 * k[4, i] + _B6 * k[5, i]
        )
    _acceleration(t + h, y_new, k[6], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    err = 0.0
    for i in range(6):
        e = h * (
            _E1 * k[0, i]
            + _E3 * k[2, i]
            + _E4 * k[3, i]
            + _E5 * k[4, i]
            + _E6 * k[5, i]
            + _E7 * k[6, i]
        )
        scale = tol[0] if i < 3 else tol[1]
        err = max(err, abs(e) / scale)
    return err


@numba.njit(cache=True, inline="always")
def _interpolate(s, h, y0, f0, y1, f1, out):
    """Quintic Hermite state at s = tau / h inside a step, into `out`.

    Matches position, velocity and acceleration at both ends of the step, so
    its error is O(h^6): a second-order ODE's natural dense output.
    """
    s2 = s * s
    s3 = s2 * s
    s4 = s3 * s
    s5 = s4 * s
    hh = h * h
    # Position weights of r0, h v0, h^2 a0, h^2 a1, h v1, r1 ...
    w0 = 1.0 - 10.0 * s3 + 15.0 * s4 - 6.0 * s5
    w1 = (s - 6.0 * s3 + 8.0 * s4 - 3.0 * s5) * h
    w2 = (0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5) * hh
    w3 = (0.5 * s3 - s4 + 0.5 * s5) * hh
    w4 = (-4.0 * s3 + 7.0 * s4 - 3.0 * s5) * h
    w5 = 10.0 * s3 - 15.0 * s4 + 6.0 * s5
    # ... and their time derivatives (d/dtau = d/ds / h).
    d0 = (-30.0 * s2 + 60.0 * s3 - 30.0 * s4) / h
    d1 = 1.0 - 18.0 * s2 + 32.0 * s3 - 15.0 * s4
    d2 = (s - 4.5 * s2 + 6.0 * s3 - 2.5 * s4) * h
    d3 = (1.5 * s2 - 4.0 * s3 + 2.5 * s4) * h
    d4 = -12.0 * s2 + 28.0 * s3 - 15.0 * s4
    d5 = (30.0 * s2 - 60.0 * s3 + 30.0 * s4) / h
    for i in range(3):
        out[i] = w0 * y0[i] + w1 * f0[i] + w2 * f0[i + 3] + w3 * f1[i + 3] + w4 * f1[i] + w5 * y1[i]
        out[i + 3] = (
            d0 * y0[i] + d1 * f0[i] + d2 * f0[i + 3] + d3 * f1[i + 3] + d4 * f1[i] + d5 * y1[i]
        )


@numba.njit(cache=True)
def _altitude_and_rate(y, planet):
    """Geodetic altitude (m) and its rate (m/s) of an inertial state.

    The rate is the Earth-relative velocity along the ellipsoid normal.
    """
    lat, h, rho_axis = _geodetic_from_inertial(y[0], y[1], y[2], planet[A_M], planet[F])
    omega = planet[OMEGA]
    wx = y[3] + omega * y[1]
    wy = y[4] - omega * y[0]
    cp = np.cos(lat)
    rate = cp * (wx * y[0] + wy * y[1]) / rho_axis + np.sin(lat) * y[5]
    return h, rate


@numba.njit(cache=True, inline="always")
def _quick_altitude_and_rate(y, planet):
    """Radial altitude (m) and radial rate (m/s), with bounds on how far each
    can be from the geodetic altitude and its rate.

    The geodetic normal leans from the radius by at most about f (rad), so
    the rate differs by at most f |v| and the altitude by about f^2 |h| / 2;
    the margins take twice that. Events are looked for with the exact
    values only where these bounds cannot rule them out.
    """
    r2 = y[0] * y[0] + y[1] * y[1] + y[2] * y[2]
    r = np.sqrt(r2)
    a_m, f = planet[A_M], planet[F]
    sin2 = y[2] * y[2] / r2
    b = a_m * (1.0 - f)
    h = r - a_m * b / np.sqrt(b * b * (1.0 - sin2) + a_m * a_m * sin2)
    rate = (y[0] * y[3] + y[1] * y[4] + y[2] * y[5]) / r  # omega x r is normal to r
    speed = np.sqrt(y[3] * y[3] + y[4] * y[4] + y[5] * y[5])
    return h, rate, f * f * abs(h) + 1e-3, (2.0 * f + 1e-9) * speed + 1e-9


@numba.njit(cache=True, inline="always")
def _event_possible(h0, r0, mh0, mr0, h1, r1, mh1, mr1, levels, impact_level):
    """Whether a step may contain an altitude crossing, an impact or an apogee."""
    low = min(h0 - mh0, h1 - mh1)
    high = max(h0 + mh0, h1 + mh1)
    if low <= impact_level <= high:
        return True
    for j in range(levels.size):
        if low <= levels[j] <= high:
            return True
    rising = r0 - mr0 > 0.0 and r1 - mr1 > 0.0
    falling = r0 + mr0 < 0.0 and r1 + mr1 < 0.0
    return not (rising or falling)


@numba.njit(cache=True)
def _find_root(which, level, h, y0, f0, y1, f1, g0, g1, planet, buf):
    """Locate s in [0, 1] where altitude - level (which=0) or altitude rate
    (which=1) changes sign, by the Illinois variant of regula falsi.

    g0 and g1 are the function at both ends; returns s, and `buf` holds the
    interpolated state there.
    """
    a, b = 0.0, 1.0
    ga, gb = g0, g1
    side = 0
    s = 0.5
    for _ in range(60):
        s = (a * gb - b * ga) / (gb - ga)
        _interpolate(s, h, y0, f0, y1, f1, buf)
        alt, rate = _altitude_and_rate(buf, planet)
        g = alt - level if which == 0 else rate
        if g * gb > 0.0:
            b, gb = s, g
            if side == -1:
                ga *= 0.5
            side = -1
        else:
            a, ga = s, g
            if side == 1:
                gb *= 0.5
            side = 1
        if abs(b - a) * h < 1e-9 or g == 0.0:
            break
    return s


@numba.njit(cache=True, inline="always")
def _to_earth_fixed(y, theta, omega, out, offset):
    """Write ECEF position and Earth-relative velocity of inertial `y` at
    Earth rotation angle theta into out[offset : offset + 6]."""
    _rotate_to_earth_fixed(y, np.cos(theta), np.sin(theta), omega, out, offset)


@numba.njit(cache=True, inline="always")
def _rotate_to_earth_fixed(y, c, s, omega, out, offset):
    """As `_to_earth_fixed`, given the cosine and sine of the rotation angle."""
    x, yy, z = y[0], y[1], y[2]
    wx = y[3] + omega * y[1]
    wy = y[4] - omega * y[0]
    out[offset + 0] = c * x + s * yy
    out[offset + 1] = -s * x + c * yy
    out[offset + 2] = z
    out[offset + 3] = c * wx + s * wy
    out[offset + 4] = -s * wx + c * wy
    out[offset + 5] = y[5]


@numba.njit(cache=True)
def _fly_one(
    y,
    epoch_s,
    seg,
    n_seg,
    guidance,
    planet,
    drag_on,
    beta,
    cd_mach,
    cd,
    settings,
    levels,
    sample_dt_s,
    out_burnout,
    out_apogee,
    out_impact,
    out_crossings,
    out_samples,
    k,
    y_new,
    buf,
    free_row,
):
    """Integrate one trajectory from the inertial state `y` at t = 0.

    Powered segments come first, then free flight until impact or the
    maximum flight time. `k` (8, 6), `y_new` (6), `buf` (6) and `free_row`
    (8) are scratch space. Returns (status, accepted steps).
    """
    tol = settings[0:2]
    omega = planet[OMEGA]
    t_max = settings[4]
    impact_level = settings[5]
    n_levels = levels.size
    n_samples = out_samples.shape[0]
    free_row[:] = 0.0
    free_row[SEG_MODE] = MODE_FREE
    t = 0.0
    next_sample = 0
    if n_samples > 0:
        _to_earth_fixed(y, omega * epoch_s, omega, out_samples[0], 0)
        next_sample = 1
    if n_seg == 0:
        out_burnout[0] = 0.0
        _to_earth_fixed(y, omega * epoch_s, omega, out_burnout, 1)
    q_h0, q_r0, q_mh0, q_mr0 = _quick_altitude_and_rate(y, planet)
    # Rotation of the sample grid, advanced by one grid step at a time.
    sample_cos, sample_sin = (
        np.cos(omega * (epoch_s + sample_dt_s)),
        np.sin(omega * (epoch_s + sample_dt_s)),
    )
    step_cos, step_sin = np.cos(omega * sample_dt_s), np.sin(omega * sample_dt_s)
    h = 0.5
    steps = 0
    for si in range(n_seg + 1):
        powered = si < n_seg
        row = seg[si] if powered else free_row
        t_end = row[SEG_T1] if powered else t_max
        h_max = settings[2] if powered else settings[3]
        _acceleration(t, y, k[0], row, guidance, planet, drag_on, beta, cd_mach, cd)
        while t < t_end:
            h_try = min(h, h_max, t_end - t)
            err = _dopri_step(
                t, y, k, h_try, row, guidance, planet, drag_on, beta, cd_mach, cd, y_new, tol
            )
            growth = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err**-0.2))
            if err > 1.0:
                h = h_try * growth
                if h < 1e-9:
                    return STATUS_STEP_FAILURE, steps
                continue
            steps += 1
            t1 = t_end if h_try == t_end - t else t + h_try
            q_h1, q_r1, q_mh1, q_mr1 = _quick_altitude_and_rate(y_new, planet)
            event = _event_possible(
                q_h0, q_r0, q_mh0, q_mr0, q_h1, q_r1, q_mh1, q_mr1, levels, impact_level
            )
            q_h0, q_r0, q_mh0, q_mr0 = q_h1, q_r1, q_mh1, q_mr1
            # Without a possible event, placeholders that trigger nothing below.
            alt0 = alt1 = impact_level + 1.0
            rate0 = rate1 = 1.0
            if event:
                alt0, rate0 = _altitude_and_rate(y, planet)
                alt1, rate1 = _altitude_and_rate(y_new, planet)
            for j in range(n_levels if event else 0):
                lv = levels[j]
                if (alt0 < lv) != (alt1 < lv):
                    s = _find_root(
                        0, lv, h_try, y, k[0], y_new, k[6], alt0 - lv, alt1 - lv, planet, buf
                    )
                    if alt1 >= lv:
                        if np.isnan(out_crossings[j, 0]):
                            out_crossings[j, 0] = t + s * h_try
                    else:
                        out_crossings[j, 1] = t + s * h_try
            if rate0 > 0.0 and rate1 <= 0.0:
                s = _find_root(1, 0.0, h_try, y, k[0], y_new, k[6], rate0, rate1, planet, buf)
                alt_top, _ = _altitude_and_rate(buf, planet)
                if np.isnan(out_apogee[1]) or alt_top > out_apogee[1]:
                    t_top = t + s * h_try
                    out_apogee[0] = t_top
                    out_apogee[1] = alt_top
                    _to_earth_fixed(buf, omega * (epoch_s + t_top), omega, out_apogee, 2)
            t_stop = t1
            impact = alt0 > impact_level and alt1 <= impact_level
            if impact:
                s = _find_root(
                    0,
                    impact_level,
                    h_try,
                    y,
                    k[0],
                    y_new,
                    k[6],
                    alt0 - impact_level,
                    alt1 - impact_level,
                    planet,
                    buf,
                )
                t_stop = t + s * h_try
            while next_sample < n_samples and next_sample * sample_dt_s <= t_stop:
                s = (next_sample * sample_dt_s - t) / h_try
                _interpolate(s, h_try, y, k[0], y_new, k[6], k[1])
                _rotate_to_earth_fixed(
                    k[1], sample_cos, sample_sin, omega, out_samples[next_sample], 0
                )
                sample_cos, sample_sin = (
                    sample_cos * step_cos - sample_sin * step_sin,
                    sample_sin * step_cos + sample_cos * step_sin,
                )
                next_sample += 1
            if impact:
                out_impact[0] = t_stop
                _to_earth_fixed(buf, omega * (epoch_s + t_stop), omega, out_impact, 1)
                return STATUS_IMPACT, steps
            t = t1
            for i in range(6):
                y[i] = y_new[i]
                k[0, i] = k[6, i]
            h = h_try * growth
        if si == n_seg - 1:
            out_burnout[0] = t
            _to_earth_fixed(y, omega * (epoch_s + t), omega, out_burnout, 1)
    return STATUS_NO_IMPACT, steps


@numba.njit(cache=True, parallel=True)
def _fly_batch(
    y0,
    epoch_s,
    guidance,
    cutoff_s,
    boosted,
    stages,
    payload_kg,
    planet,
    drag_on,
    beta,
    cd_mach,
    cd,
    settings,
    levels,
    sample_dt_s,
    n_samples,
    n_chunks,
):
    n = y0.shape[0]
    status = np.empty(n, dtype=np.int8)
    steps = np.empty(n, dtype=np.int64)
    burnout = np.full((n, 7), np.nan)
    apogee = np.full((n, 8), np.nan)
    impact = np.full((n, 7), np.nan)
    crossings = np.full((n, levels.size, 2), np.nan)
    samples = np.full((n, n_samples, 6), np.nan)
    max_segments = 2 * stages.shape[0] + 3
    # Scratch space is allocated once per chunk of trajectories, not per trajectory.
    for c in numba.prange(n_chunks):
        seg = np.empty((max_segments, 8))
        y = np.empty(6)
        k = np.empty((8, 6))
        y_new = np.empty(6)
        buf = np.empty(6)
        free_row = np.empty(8)
        for i in range(c * n // n_chunks, (c + 1) * n // n_chunks):
            _fly_batch_member(
                i,
                y0,
                epoch_s,
                guidance,
                cutoff_s,
                boosted,
                stages,
                payload_kg,
                planet,
                drag_on,
                beta,
                cd_mach,
                cd,
                settings,
                levels,
                sample_dt_s,
                status,
                steps,
                burnout,
                apogee,
                impact,
                crossings,
                samples,
                seg,
                y,
                k,
                y_new,
                buf,
                free_row,
            )
    return status, steps, burnout, apogee, impact, crossings, samples


@numba.njit(cache=True)
def _fly_batch_member(
    i,
    y0,
    epoch_s,
    guidance,
    cutoff_s,
    boosted,
    stages,
    payload_kg,
    planet,
    drag_on,
    beta,
    cd_mach,
    cd,
    settings,
    levels,
    sample_dt_s,
    status,
    steps,
    burnout,
    apogee,
    impact,
    crossings,
    samples,
    seg,
    y,
    k,
    y_new,
    buf,
    free_row,
):
    """Fly trajectory i of a batch into the batch's output arrays."""
    n_seg = 0
    if boosted:
        n_seg = _build_segments(
            stages, payload_kg, guidance[i, 2], guidance[i, 3], cutoff_s[i], seg
        )
    y[:] = y0[i]
    status[i], steps[i] = _fly_one(
        y,
        epoch_s[i],
        seg,
        n_seg,
        guidance[i],
        planet,
        drag_on,
        beta,
        cd_mach,
        cd,
        settings,
        levels,
        sample_dt_s,
        burnout[i],
        apogee[i],
        impact[i],
        crossings[i],
        samples[i],
        k,
        y_new,
        buf,
        free_row,
    )


def _inertial_state(position_ecef_m, velocity_rel_m_s, epoch_s, omega_rad_s):
    """Inertial (r, v) at rotation angle omega * epoch from ECEF position and
    Earth-relative velocity: v_inertial = v_relative + omega x r."""
    theta = omega_rad_s * epoch_s
    c, s = np.cos(theta), np.sin(theta)
    x, y, z = position_ecef_m.T
    vx = velocity_rel_m_s[:, 0] - omega_rad_s * y
    vy = velocity_rel_m_s[:, 1] + omega_rad_s * x
    vz = velocity_rel_m_s[:, 2]
    return np.column_stack((c * x - s * y, s * x + c * y, z, c * vx - s * vy, s * vx + c * vy, vz))


def _broadcast(n: int, value, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
    if not np.all(np.isfinite(arr) | (name == "cutoff_s")):
        raise ValueError(f"{name} must be finite")
    return np.array(arr)  # an owned, writeable copy for the kernels


def _run(
    y0,
    epoch_s,
    guidance,
    cutoff_s,
    boosted,
    vehicle,
    planet,
    drag,
    levels_m,
    sample_dt_s,
    sample_until_s,
    settings,
):
    if sample_dt_s is None:
        n_samples, dt = 0, 1.0
    else:
        if sample_dt_s <= 0 or sample_until_s is None or sample_until_s < 0:
            raise ValueError("samples need sample_dt_s > 0 and sample_until_s >= 0")
        n_samples, dt = int(np.floor(sample_until_s / sample_dt_s + 1e-9)) + 1, float(sample_dt_s)
    levels = np.ascontiguousarray(np.asarray(levels_m, dtype=np.float64).reshape(-1))
    result = _fly_batch(
        np.ascontiguousarray(y0),
        epoch_s,
        np.ascontiguousarray(guidance),
        cutoff_s,
        boosted,
        np.ascontiguousarray(vehicle.stages, dtype=np.float64),
        float(vehicle.payload_kg),
        planet.packed(),
        bool(drag),
        float(vehicle.ballistic_coefficient_kg_m2),
        np.ascontiguousarray(vehicle.cd_mach, dtype=np.float64),
        np.ascontiguousarray(vehicle.cd, dtype=np.float64),
        settings.packed(),
        levels,
        dt,
        n_samples,
        max(1, min(y0.shape[0], 8 * numba.get_num_threads())),
    )
    status, steps, burnout, apogee, impact, crossings, samples = result
    return FlightArrays(status, burnout, apogee, impact, crossings, samples, steps)


def fly_boosted(
    vehicle: VehicleArrays,
    planet: Planet,
    launch_lat: np.ndarray | float,
    launch_lon: np.ndarray | float,
    launch_altitude_m: np.ndarray | float,
    azimuth: np.ndarray | float,
    kick: np.ndarray | float,
    *,
    cutoff_s: np.ndarray | float = np.inf,
    epoch_s: np.ndarray | float = 0.0,
    drag: bool = True,
    levels_m: np.ndarray | tuple[float, ...] = (),
    sample_dt_s: float | None = None,
    sample_until_s: float | None = None,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> FlightArrays:
    """Fly a batch of missiles of one type from launch to impact.

    Parameters
    ----------
    vehicle
        The missile.
    planet
        Earth model.
    launch_lat, launch_lon
        Geodetic launch coordinates (rad); arrays of one length or scalars.
    launch_altitude_m
        Launch altitude above the ellipsoid (m).
    azimuth
        Launch azimuth, clockwise from north (rad).
    kick
        Pitch-over angle from the vertical (rad): the loft/depress parameter.
    cutoff_s
        Thrust cutoff time after launch (s); inf burns all stages out.
    epoch_s
        Launch time after the common epoch at which the inertial and the
        Earth-fixed frames coincide (s); sets the Earth's rotation angle.
    drag
        Whether the atmosphere acts on the missile.
    levels_m
        Altitudes (m) whose upward and downward crossing times are wanted.
    sample_dt_s, sample_until_s
        Optional dense samples every `sample_dt_s` from launch up to
        `sample_until_s` (s).
    settings
        Integrator tolerances and limits.
    """
    lat = np.atleast_1d(np.asarray(launch_lat, dtype=np.float64))
    n = max(
        lat.size,
        *(np.size(v) for v in (launch_lon, launch_altitude_m, azimuth, kick, cutoff_s, epoch_s)),
    )
    lat = _broadcast(n, launch_lat, "launch_lat")
    lon = _broadcast(n, launch_lon, "launch_lon")
    alt = _broadcast(n, launch_altitude_m, "launch_altitude_m")
    epoch = _broadcast(n, epoch_s, "epoch_s")
    position = np.column_stack(geodetic_to_ecef_batch(lat, lon, alt, planet.a_m, planet.f))
    y0 = _inertial_state(position, np.zeros((n, 3)), epoch, planet.omega_rad_s)
    guidance = np.column_stack(
        (
            _broadcast(n, azimuth, "azimuth"),
            _broadcast(n, kick, "kick"),
            np.full(n, float(vehicle.vertical_rise_s)),
            np.full(n, float(vehicle.pitch_over_s)),
        )
    )
    return _run(
        y0,
        epoch,
        guidance,
        _broadcast(n, cutoff_s, "cutoff_s"),
        True,
        vehicle,
        planet,
        drag,
        levels_m,
        sample_dt_s,
        sample_until_s,
        settings,
    )


def fly_free(
    planet: Planet,
    position_ecef_m: np.ndarray,
    velocity_rel_m_s: np.ndarray,
    *,
    ballistic_coefficient_kg_m2: float = np.inf,
    epoch_s: np.ndarray | float = 0.0,
    drag: bool = True,
    levels_m: np.ndarray | tuple[float, ...] = (),
    sample_dt_s: float | None = None,
    sample_until_s: float | None = None,
    settings: IntegratorSettings = DEFAULT_SETTINGS,
) -> FlightArrays:
    """Fly a batch of unpowered bodies from given Earth-fixed states to impact.

    Parameters
    ----------
    position_ecef_m
        (n, 3) ECEF start positions (m), e.g. burnout points.
    velocity_rel_m_s
        (n, 3) start velocities relative to the rotating Earth, ECEF axes (m/s).
    ballistic_coefficient_kg_m2
        m / (Cd A) (kg/m^2); inf means no drag.
    Other parameters as in `fly_boosted`; times count from the start state.
    """
    position = np.atleast_2d(np.asarray(position_ecef_m, dtype=np.float64))
    velocity = np.atleast_2d(np.asarray(velocity_rel_m_s, dtype=np.float64))
    n = position.shape[0]
    epoch = _broadcast(n, epoch_s, "epoch_s")
    y0 = _inertial_state(position, velocity, epoch, planet.omega_rad_s)
    body = VehicleArrays(
        stages=np.zeros((1, 6)),
        payload_kg=0.0,
        ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2,
        vertical_rise_s=0.0,
        pitch_over_s=1.0,
        cd_mach=np.zeros(2) + np.array([0.0, 1.0]),
        cd=np.zeros(2),
    )
    return _run(
        y0,
        epoch,
        np.zeros((n, 4)),
        np.zeros(n),
        False,
        body,
        planet,
        drag and np.isfinite(ballistic_coefficient_kg_m2),
        levels_m,
        sample_dt_s,
        sample_until_s,
        settings,
    )


def burnout_state_ecef(
    lat: np.ndarray | float,
    lon: np.ndarray | float,
    altitude_m: np.ndarray | float,
    speed_m_s: np.ndarray | float,
    flight_path_angle: np.ndarray | float,
    azimuth: np.ndarray | float,
    planet: Planet,
) -> tuple[np.ndarray, np.ndarray]:
    """ECEF position (m) and Earth-relative velocity (m/s) of burnout states.

    The flight-path angle (rad) is measured above the local geodetic horizontal,
    the azimuth (rad) clockwise from north; speed is relative to the Earth.
    """
    values = (lat, lon, altitude_m, speed_m_s, flight_path_angle, azimuth)
    lat, lon, alt, speed, gamma, az = (
        np.array(v)  # broadcast views are read-only; the kernels want owned arrays
        for v in np.broadcast_arrays(
            *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values)
        )
    )
    position = np.column_stack(geodetic_to_ecef_batch(lat, lon, alt, planet.a_m, planet.f))
    cp, sp, cl, sl = np.cos(lat), np.sin(lat), np.cos(lon), np.sin(lon)
    east = np.column_stack((-sl, cl, np.zeros_like(cl)))
    north = np.column_stack((-sp * cl, -sp * sl, cp))
    up = np.column_stack((cp * cl, cp * sl, sp))
    horizontal = np.cos(az)[:, None] * north + np.sin(az)[:, None] * east
    velocity = speed[:, None] * (np.cos(gamma)[:, None] * horizontal + np.sin(gamma)[:, None] * up)
    return position, velocity
