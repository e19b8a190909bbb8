"""The compiled propagator: many trajectories at once, events without storage.

The state is the inertial position and velocity (m, m/s) in a frame that
coincides with the Earth-fixed frame at the common epoch; the Earth turns
about z at `omega` (rad/s).

Integration: Dormand-Prince 5(4) with step control on physical tolerances
(position m, velocity m/s); steps never straddle a thrust discontinuity.
Dormand & Prince, J. Comp. Appl. Math. 6 (1980) 19-26, Table 2.

Events (burnout, apogee, altitude crossings up and down, impact) are located
inside a step on the quintic Hermite interpolant built from position,
velocity and acceleration at both ends of the step, so that no trajectory is
stored to find them; dense samples on a fixed time grid come from the same
interpolant, only when asked for.
"""

from __future__ import annotations

import numba
import numpy as np

from securityroof.core.dynamics import (
    MODE_FREE,
    SEG_MODE,
    SEG_T1,
    acceleration,
    build_segments,
    geodetic_from_inertial,
)
from securityroof.core.planet import A_M, OMEGA, F

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
    acceleration(t + _C2 * h, tmp, k[1], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (_A31 * k[0, i] + _A32 * k[1, i])
    acceleration(t + _C3 * h, tmp, k[2], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (_A41 * k[0, i] + _A42 * k[1, i] + _A43 * k[2, i])
    acceleration(t + _C4 * h, tmp, k[3], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (_A51 * k[0, i] + _A52 * k[1, i] + _A53 * k[2, i] + _A54 * k[3, i])
    acceleration(t + _C5 * h, tmp, k[4], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        tmp[i] = y[i] + h * (
            _A61 * k[0, i] + _A62 * k[1, i] + _A63 * k[2, i] + _A64 * k[3, i] + _A65 * k[4, i]
        )
    acceleration(t + h, tmp, k[5], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
    for i in range(6):
        y_new[i] = y[i] + h * (
            _B1 * k[0, i] + _B3 * k[2, i] + _B4 * k[3, i] + _B5 * k[4, i] + _B6 * k[5, i]
        )
    acceleration(t + h, y_new, k[6], seg_row, guidance, planet, drag_on, beta, cd_mach, cd)
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
    lat, h, rho_axis = geodetic_from_inertial(y[0], y[1], y[2], planet[A_M], planet[F])
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
        acceleration(t, y, k[0], row, guidance, planet, drag_on, beta, cd_mach, cd)
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
def fly_batch(
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
            n_seg = 0
            if boosted:
                n_seg = build_segments(
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
    return status, steps, burnout, apogee, impact, crossings, samples
