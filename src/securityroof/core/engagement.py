"""Engagement windows: when can an interceptor battery hit a threat, and how often.

For each threat trajectory and battery the chain is: a *launch* track (own or
remote, of a quality the interceptor may launch on; computed by the caller
from the detections and the cueing rules) -> decision and launch delay ->
flyout -> intercept, which also needs a *guidance* track (of a quality the
interceptor may be guided on) by then. An intercept at the threat's sample
time ``t`` is feasible when the threat is inside the battery's envelope
(altitude band, ground range), and

    t_launch_track + delay + T_fly(ground range, altitude) <= t,
    T_fly <= max flight time,
    t_guidance_track <= t,

and the kill vehicle can make the hit: the closing speed is at least its
minimum and the engagement angle (between the interceptor's velocity and
the reversed threat velocity: 0 head-on, pi a pure tail chase) at most its
maximum. T_fly and the interceptor's velocity come from the reach tables of
`securityroof.core.reach` (several burnout speeds of one interceptor are
interpolated linearly in speed).

Windows run from the first to the last feasible sample; their ends are
resolved between samples by interpolating, linearly in time, the margins of
the constraints that change from violated to met (altitude, range, timing,
flight time, kill-vehicle limits, guidance). Shoot-look-shoot opportunities
are counted greedily: after each intercept attempt the battery waits the
kill-assessment time before it may launch again (the APS 2003 boost-phase
study and Wilkening, Science & Global Security 8 (2000), use the same
timeline logic). The *launch margin* is the largest slack, over all
samples the interceptor could reach within its envelope, kill-vehicle limits
and guidance, between the latest launch that still intercepts there and the
earliest launch the track allows: engageable exactly when it is at least
zero, and a continuous measure of how far from engageable a pair is.

As for the sensors (`securityroof.core.sightlines`), the geometry is done
once (`battery_lines`: the candidate samples of every (trajectory, battery)
pair inside the hull of the envelopes, with ground range, altitude and the
threat's velocity in the site's frame) and evaluated for any number of
draws of the batteries' values (`engage_draws`), parallel over (draw,
threat) pairs.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from securityroof.core.reach import (
    GRID_ALTITUDE0_M,
    GRID_ALTITUDE_STEP_M,
    GRID_RANGE0_M,
    GRID_RANGE_STEP_M,
    ReachTable,
)
from securityroof.core.reach_metric import ground_range_and_altitude

__all__ = [
    "BATTERY_PARAMETERS",
    "N_BATTERY_PARAMETERS",
    "REASON_TEXT",
    "BatteryLines",
    "EngagementArrays",
    "InterceptorTables",
    "SiteArrays",
    "battery_lines",
    "engage",
    "engage_draws",
]

# Why a pair cannot engage (REASON_NONE when it can).
(
    REASON_NONE,
    REASON_NO_TRACK,
    REASON_OUT_OF_RANGE,
    REASON_BELOW_MIN_ALTITUDE,
    REASON_ABOVE_MAX_ALTITUDE,
    REASON_TOO_LATE,
    REASON_CANNOT_CATCH,
    REASON_KILL_VEHICLE,
    REASON_NO_GUIDANCE,
    REASON_NOT_FLOWN,
) = range(10)
REASON_TEXT = (
    "",
    "no track",
    "out of range",
    "below minimum altitude",
    "above maximum altitude",
    "too late",
    "cannot catch",
    "kill vehicle cannot close",
    "no guidance track",
    "not flown",
)

# Per-draw battery values, the last axis of the `params` of `engage_draws`.
(
    DELAY_S,
    KILL_ASSESSMENT_S,
    MIN_ALTITUDE_M,
    MAX_ALTITUDE_M,
    MAX_GROUND_RANGE_M,
    MAX_FLIGHT_TIME_S,
    BURNOUT_SPEED_M_S,
    MIN_CLOSING_SPEED_M_S,
    MAX_ENGAGEMENT_ANGLE,
) = range(9)
N_BATTERY_PARAMETERS = 9
BATTERY_PARAMETERS = (
    "delay_s",
    "kill_assessment_s",
    "min_altitude_m",
    "max_altitude_m",
    "max_ground_range_m",
    "max_flight_time_s",
    "burnout_speed_m_s",
    "min_closing_speed_m_s",
    "max_engagement_angle",
)

# Output columns of the kernel.
(
    _FIRST,
    _LAST,
    _MIN_ALT,
    _MAX_ALT,
    _GROUND_RANGE,
    _CLOSING,
    _ANGLE,
    _SHOTS,
    _REASON,
    _MARGIN,
) = range(10)
_N_OUT = 10


# ---------------------------------------------------------------------------
# Geometry, once
# ---------------------------------------------------------------------------


@numba.njit(cache=True, inline="always")
def site_frame_velocity(site, p, v):
    """Threat velocity in the site's frame at the threat: (away, up, cross) components.

    ``up`` is the geocentric radial direction at the threat, ``away`` the
    horizontal direction from the site toward the threat, ``cross`` completes
    the right-handed set (up x away).
    """
    r = math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2])
    ux, uy, uz = p[0] / r, p[1] / r, p[2] / r
    dx, dy, dz = p[0] - site[0], p[1] - site[1], p[2] - site[2]
    along = dx * ux + dy * uy + dz * uz
    hx, hy, hz = dx - along * ux, dy - along * uy, dz - along * uz
    hn = math.sqrt(hx * hx + hy * hy + hz * hz)
    if hn > 0.0:
        hx, hy, hz = hx / hn, hy / hn, hz / hn
    cx, cy, cz = uy * hz - uz * hy, uz * hx - ux * hz, ux * hy - uy * hx
    away = v[0] * hx + v[1] * hy + v[2] * hz
    up = v[0] * ux + v[1] * uy + v[2] * uz
    cross = v[0] * cx + v[1] * cy + v[2] * cz
    return away, up, cross


@numba.njit(cache=True, parallel=True)
def _lines_kernel(samples, sites, max_range, min_alt, max_alt, a_m, f, offsets, fill):
    n, n_t = samples.shape[0], samples.shape[1]
    n_b = sites.shape[0]
    counts = np.zeros(n * n_b, dtype=np.int64)
    total = offsets[-1] if fill else 0
    sample_k = np.empty(total, dtype=np.int32)
    ground = np.empty(total, dtype=np.float64)
    altitude = np.empty(total, dtype=np.float64)
    v_away = np.empty(total, dtype=np.float64)
    v_up = np.empty(total, dtype=np.float64)
    v_cross = np.empty(total, dtype=np.float64)
    in_range = np.zeros(n * n_b, dtype=np.bool_)
    above = np.zeros(n * n_b, dtype=np.bool_)
    for i in numba.prange(n):
        for k in range(n_t):
            if not math.isfinite(samples[i, k, 0]):
                continue
            point = samples[i, k, 0:3]
            for b in range(n_b):
                g, h = ground_range_and_altitude(sites[b], point, a_m, f)
                if g > max_range[b]:
                    continue
                p = i * n_b + b
                in_range[p] = True
                if h > max_alt[b]:
                    above[p] = True
                    continue
                if h < min_alt[b]:
                    continue
                if fill:
                    c = offsets[p] + counts[p]
                    sample_k[c] = k
                    ground[c] = g
                    altitude[c] = h
                    w = site_frame_velocity(sites[b], point, samples[i, k, 3:6])
                    v_away[c] = w[0]
                    v_up[c] = w[1]
                    v_cross[c] = w[2]
                counts[p] += 1
    return counts, sample_k, ground, altitude, v_away, v_up, v_cross, in_range, above


@dataclass(frozen=True)
class BatteryLines:
    """Candidate intercept samples of every (trajectory, battery) pair.

    Pair ``p = i * n_batteries + b`` is ``offsets[p]:offsets[p + 1]`` of the
    flat arrays, in increasing sample index: the samples inside the hull of
    the battery's envelope, with ground range from the site and radial
    altitude (m, `securityroof.core.reach_metric`) and the threat's
    Earth-relative velocity in the site's frame (away, up, cross; m/s).
    Per pair, `in_range` and `above`: some sample lies within the hull's
    ground range, and some such sample above its highest altitude (for the
    reason a pair cannot engage).
    """

    offsets: NDArray[np.int64]
    sample: NDArray[np.int32]
    ground_range_m: NDArray[np.float64]
    altitude_m: NDArray[np.float64]
    v_away_m_s: NDArray[np.float64]
    v_up_m_s: NDArray[np.float64]
    v_cross_m_s: NDArray[np.float64]
    in_range: NDArray[np.bool_]
    above: NDArray[np.bool_]
    n_batteries: int

    @property
    def nbytes(self) -> int:
        """Memory held by the candidate arrays, bytes."""
        arrays = [getattr(self, n) for n in self.__dataclass_fields__ if n != "n_batteries"]
        return int(sum(a.nbytes for a in arrays))


def battery_lines(
    samples: np.ndarray,
    positions_ecef_m: np.ndarray,
    max_ground_range_m: np.ndarray,
    min_altitude_m: np.ndarray,
    max_altitude_m: np.ndarray,
    a_m: float,
    f: float,
) -> BatteryLines:
    """The candidate intercept samples of every trajectory for every battery.

    Parameters
    ----------
    samples : ndarray, shape (n, n_times, 6)
        ECEF position (m) and Earth-relative velocity (m/s), NaN after impact.
    positions_ecef_m : ndarray, shape (n_batteries, 3)
        Battery sites, ECEF, m.
    max_ground_range_m, min_altitude_m, max_altitude_m : ndarray, shape (n_batteries,)
        The hull of each battery's envelope (the widest values its draws
        may take), m.
    a_m, f : float
        Ellipsoid.
    """
    samples = np.ascontiguousarray(samples, dtype=np.float64)
    if samples.ndim != 3 or samples.shape[2] < 6:
        raise ValueError("samples must have shape (n, n_times, 6): position and velocity")
    sites = np.ascontiguousarray(np.asarray(positions_ecef_m, dtype=np.float64).reshape(-1, 3))
    n_b = sites.shape[0]

    def column(value: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.broadcast_to(value, (n_b,)), dtype=np.float64)

    args = (
        samples,
        sites,
        column(max_ground_range_m),
        column(min_altitude_m),
        column(max_altitude_m),
        float(a_m),
        float(f),
    )
    counts = _lines_kernel(*args, np.zeros(1, dtype=np.int64), False)[0]
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    _, sample_k, ground, altitude, v_away, v_up, v_cross, in_range, above = _lines_kernel(
        *args, offsets, True
    )
    return BatteryLines(
        offsets, sample_k, ground, altitude, v_away, v_up, v_cross, in_range, above, n_b
    )


# ---------------------------------------------------------------------------
# Interceptor reach, several burnout speeds per type
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InterceptorTables:
    """Reach tables stacked for the kernel: one or more burnout speeds per type.

    The tables of one type share one grid (built for the hull of its
    envelope); all types share the grid shape. `time_s`, `speed_m_s` and
    `flight_path_angle` have shape (n_types, n_nodes, n_range, n_altitude);
    `node_speed_m_s` (n_types, n_nodes) holds each table's burnout speed in
    increasing order, and `n_nodes` (n_types,) how many are real (the rest
    repeat the last).
    """

    grid: NDArray[np.float64]
    node_speed_m_s: NDArray[np.float64]
    n_nodes: NDArray[np.int64]
    time_s: NDArray[np.float64]
    speed_m_s: NDArray[np.float64]
    flight_path_angle: NDArray[np.float64]

    @classmethod
    def stack(cls, tables_by_type: list[list[ReachTable]]) -> InterceptorTables:
        """Stack tables given per type, each list in increasing burnout speed."""
        if not tables_by_type or any(not t for t in tables_by_type):
            raise ValueError("give at least one reach table per interceptor type")
        shapes = {t.time_s.shape for ts in tables_by_type for t in ts}
        if len(shapes) != 1:
            raise ValueError(f"reach tables must share one grid shape, got {sorted(shapes)}")
        for ts in tables_by_type:
            if any(not np.array_equal(t.grid, ts[0].grid) for t in ts):
                raise ValueError("the tables of one interceptor type must share one grid")
            speeds = [t.burnout_speed_m_s for t in ts]
            if any(b <= a for a, b in itertools.pairwise(speeds)):
                raise ValueError("tables of one type must be in increasing burnout speed")
        n_nodes = max(len(ts) for ts in tables_by_type)

        def padded(ts: list[ReachTable], name: str) -> np.ndarray:
            arrays = [getattr(t, name) for t in ts]
            arrays += [arrays[-1]] * (n_nodes - len(arrays))
            return np.stack(arrays)

        node_speeds = np.array(
            [
                [t.burnout_speed_m_s for t in ts] + [ts[-1].burnout_speed_m_s] * (n_nodes - len(ts))
                for ts in tables_by_type
            ]
        )
        return cls(
            grid=np.stack([ts[0].grid for ts in tables_by_type]),
            node_speed_m_s=node_speeds,
            n_nodes=np.array([len(ts) for ts in tables_by_type], dtype=np.int64),
            time_s=np.stack([padded(ts, "time_s") for ts in tables_by_type]),
            speed_m_s=np.stack([padded(ts, "speed_m_s") for ts in tables_by_type]),
            flight_path_angle=np.stack([padded(ts, "flight_path_angle") for ts in tables_by_type]),
        )


@numba.njit(cache=True, inline="always")
def flyout(tables, v, ground_range_m, altitude_m):
    """Flyout time (s), speed (m/s) and flight-path angle (rad) of one type at burnout speed v.

    Linear in burnout speed between the two tables that bracket it (clamped
    to the first and last); where only one of the two reaches the cell, the
    nearer table's values (+inf, NaN, NaN when that one does not reach it).
    `tables` is one type's (grid, node speeds, node count, time, speed, angle).
    """
    grid, node_speed, n_nodes, time_t, speed_t, fpa_t = tables
    n_r, n_a = time_t.shape[1], time_t.shape[2]
    i = math.floor((ground_range_m - grid[GRID_RANGE0_M]) / grid[GRID_RANGE_STEP_M])
    j = math.floor((altitude_m - grid[GRID_ALTITUDE0_M]) / grid[GRID_ALTITUDE_STEP_M])
    i = min(max(i, 0), n_r - 1)
    j = min(max(j, 0), n_a - 1)
    a = 0
    w = 0.0
    if n_nodes > 1 and v > node_speed[0]:
        if v >= node_speed[n_nodes - 1]:
            a = n_nodes - 1
        else:
            while node_speed[a + 1] <= v:
                a += 1
            w = (v - node_speed[a]) / (node_speed[a + 1] - node_speed[a])
    ta = time_t[a, i, j]
    if w == 0.0:
        return ta, speed_t[a, i, j], fpa_t[a, i, j]
    tb = time_t[a + 1, i, j]
    if not (math.isfinite(ta) and math.isfinite(tb)):
        # The cell's reach begins between the two speeds: take the nearer table.
        b = a + 1 if w >= 0.5 else a
        return time_t[b, i, j], speed_t[b, i, j], fpa_t[b, i, j]
    return (
        ta + w * (tb - ta),
        speed_t[a, i, j] + w * (speed_t[a + 1, i, j] - speed_t[a, i, j]),
        fpa_t[a, i, j] + w * (fpa_t[a + 1, i, j] - fpa_t[a, i, j]),
    )


# ---------------------------------------------------------------------------
# Evaluation, per draw
# ---------------------------------------------------------------------------


@numba.njit(cache=True, inline="always")
def kill_vehicle_geometry(v_away, v_up, v_cross, speed, gamma):
    """Closing speed (m/s) and engagement angle (rad; 0 head-on, pi tail chase)."""
    ia = speed * math.cos(gamma)
    iu = speed * math.sin(gamma)
    ra, ru = v_away - ia, v_up - iu
    closing = math.sqrt(ra * ra + ru * ru + v_cross * v_cross)
    vt = math.sqrt(v_away * v_away + v_up * v_up + v_cross * v_cross)
    if vt == 0.0 or speed == 0.0:
        return closing, 0.0
    c = -(v_away * ia + v_up * iu) / (vt * speed)
    return closing, math.acos(min(1.0, max(-1.0, c)))


@numba.njit(cache=True)
def _margins(m, c, t, geometry, prm, tables, launch_open, guide):
    """Fill `m` (8) with the constraints' margins at candidate c (>= 0 each when met); return T_fly.

    Order: min altitude, max altitude, ground range, flight time, timing,
    closing speed, engagement angle, guidance. Margins of constraints that
    cannot be evaluated (no reach) are -inf.
    """
    _, ground, altitude, v_away, v_up, v_cross, _ = geometry
    m[3:7] = -np.inf
    alt = altitude[c]
    g = ground[c]
    m[0] = alt - prm[MIN_ALTITUDE_M]
    m[1] = prm[MAX_ALTITUDE_M] - alt
    m[2] = prm[MAX_GROUND_RANGE_M] - g
    t_fly, speed, gamma = flyout(tables, prm[BURNOUT_SPEED_M_S], g, alt)
    if math.isfinite(t_fly):
        m[3] = prm[MAX_FLIGHT_TIME_S] - t_fly
        m[4] = t - t_fly - launch_open
        closing, angle = kill_vehicle_geometry(v_away[c], v_up[c], v_cross[c], speed, gamma)
        m[5] = closing - prm[MIN_CLOSING_SPEED_M_S]
        m[6] = prm[MAX_ENGAGEMENT_ANGLE] - angle
    m[7] = t - guide if math.isfinite(guide) else -np.inf
    return t_fly


@numba.njit(cache=True, inline="always")
def _crossing(before, after):
    """Fraction of the step from `before` to `after` at which all margins are met."""
    frac = 0.0
    for q in range(before.size):
        if before[q] < 0.0 <= after[q]:
            if math.isfinite(before[q]):
                frac = max(frac, before[q] / (before[q] - after[q]))
            else:
                frac = 1.0
    return frac


@numba.njit(cache=True)
def _engage_pair(
    lo, hi, geometry, tables, prm, launch, guide, m, before, pair_in_range, pair_above
):
    """One threat against one battery; `m` and `before` are scratch arrays of 8.

    `geometry` is the candidates' (sample, ground range, altitude, velocity
    away, up and across, sample times); `pair_in_range` and `pair_above` are
    the pair's flags of `BatteryLines`.
    """
    sample_k, ground, altitude, v_away, v_up, v_cross, times = geometry
    out = np.full(_N_OUT, np.nan)
    out[_SHOTS] = 0.0
    out[_MARGIN] = -np.inf
    if math.isnan(launch):
        out[_REASON] = REASON_NO_TRACK
        return out
    launch_open = launch + prm[DELAY_S]
    seen_in_range = pair_in_range
    seen_above = pair_above
    seen_before = False
    seen_after = False
    seen_kill_vehicle = False
    seen_guidance = False
    first = -1
    last = -1
    for c in range(lo, hi):
        t = times[sample_k[c]]
        _margins(m, c, t, geometry, prm, tables, launch_open, guide)
        if m[2] < 0.0:
            continue
        seen_in_range = True
        if m[1] < 0.0:
            seen_above = True
            continue
        if m[0] < 0.0:
            continue
        if m[3] >= 0.0:  # reachable within the flight time
            kinematic = m[5] >= 0.0 and m[6] >= 0.0 and m[7] >= 0.0
            if kinematic and m[4] > out[_MARGIN]:
                out[_MARGIN] = m[4]
        if t < launch_open:
            seen_before = True
            continue
        seen_after = True
        if m[3] < 0.0 or m[4] < 0.0:
            continue
        if m[5] < 0.0 or m[6] < 0.0:
            seen_kill_vehicle = True
            continue
        if m[7] < 0.0:
            seen_guidance = True
            continue
        if first < 0:
            first = c
            out[_MIN_ALT] = altitude[c]
            out[_MAX_ALT] = altitude[c]
            out[_GROUND_RANGE] = ground[c]
            speed, gamma = flyout(tables, prm[BURNOUT_SPEED_M_S], ground[c], altitude[c])[1:]
            out[_CLOSING], out[_ANGLE] = kill_vehicle_geometry(
                v_away[c], v_up[c], v_cross[c], speed, gamma
            )
        last = c
        out[_MIN_ALT] = min(out[_MIN_ALT], altitude[c])
        out[_MAX_ALT] = max(out[_MAX_ALT], altitude[c])
    if first < 0:
        if seen_guidance:
            out[_REASON] = REASON_NO_GUIDANCE
        elif seen_kill_vehicle:
            out[_REASON] = REASON_KILL_VEHICLE
        elif seen_after:
            out[_REASON] = REASON_CANNOT_CATCH
        elif seen_before:
            out[_REASON] = REASON_TOO_LATE
        elif not seen_in_range:
            out[_REASON] = REASON_OUT_OF_RANGE
        elif seen_above:
            out[_REASON] = REASON_ABOVE_MAX_ALTITUDE
        else:
            out[_REASON] = REASON_BELOW_MIN_ALTITUDE
        return out
    # Window ends between samples, where the last violated margin is met.
    k_first = sample_k[first]
    t_first = times[k_first]
    if first > lo and sample_k[first - 1] == k_first - 1:
        t_prev = times[k_first - 1]
        args = (geometry, prm, tables, launch_open, guide)
        _margins(before, first - 1, t_prev, *args)
        _margins(m, first, t_first, *args)
        t_first = t_prev + _crossing(before, m) * (t_first - t_prev)
    k_last = sample_k[last]
    t_last = times[k_last]
    if last + 1 < hi and sample_k[last + 1] == k_last + 1:
        t_next = times[k_last + 1]
        args = (geometry, prm, tables, launch_open, guide)
        _margins(before, last + 1, t_next, *args)
        _margins(m, last, t_last, *args)
        t_last = t_last + (1.0 - _crossing(before, m)) * (t_next - t_last)
    out[_FIRST] = t_first
    out[_LAST] = t_last
    # Shoot-look-shoot: each next launch waits for the previous intercept's assessment.
    shots = 0
    next_launch = launch_open
    for c in range(first, last + 1):
        t = times[sample_k[c]]
        t_fly = _margins(m, c, t, geometry, prm, tables, launch_open, guide)
        feasible = True
        for q in range(8):
            feasible = feasible and m[q] >= 0.0
        if feasible and t - t_fly >= next_launch:
            shots += 1
            next_launch = t + prm[KILL_ASSESSMENT_S]
    out[_SHOTS] = shots
    out[_REASON] = REASON_NONE
    return out


@numba.njit(cache=True)
def _engage_summary(lo, hi, geometry, tables, prm, launch, guide):
    """Only the launch margin of one pair (its sign: engageable), pruned.

    The same constraints as `_engage_pair`, visited cheapest first; a sample
    whose timing slack cannot beat the best margin found so far skips the
    kill-vehicle and guidance tests, which can only rule it out.
    """
    if math.isnan(launch):
        return -np.inf
    sample_k, ground, altitude, v_away, v_up, v_cross, times = geometry
    launch_open = launch + prm[DELAY_S]
    best = -np.inf
    for c in range(lo, hi):
        alt = altitude[c]
        g = ground[c]
        if g > prm[MAX_GROUND_RANGE_M] or alt > prm[MAX_ALTITUDE_M] or alt < prm[MIN_ALTITUDE_M]:
            continue
        t = times[sample_k[c]]
        if t < guide or not t >= guide:  # no guidance track by then (NaN: never)
            continue
        t_fly, speed, gamma = flyout(tables, prm[BURNOUT_SPEED_M_S], g, alt)
        if not t_fly <= prm[MAX_FLIGHT_TIME_S]:
            continue
        slack = t - t_fly - launch_open
        if slack <= best:
            continue
        closing, angle = kill_vehicle_geometry(v_away[c], v_up[c], v_cross[c], speed, gamma)
        if closing < prm[MIN_CLOSING_SPEED_M_S] or angle > prm[MAX_ENGAGEMENT_ANGLE]:
            continue
        best = slack
    return best


@numba.njit(cache=True, inline="always")
def _type_tables(reach, k):
    """Type k's tables out of the stacked `InterceptorTables` arrays."""
    grid, node_speed, n_nodes, time_t, speed_t, fpa_t = reach
    return grid[k], node_speed[k], n_nodes[k], time_t[k], speed_t[k], fpa_t[k]


@numba.njit(cache=True, parallel=True)
def _summary_kernel(
    offsets,
    geometry,
    battery_type,
    reach,
    trajectory,
    launch_track,
    guide_track,
    params,
):
    n_draws, n_threats = trajectory.shape[0], trajectory.shape[1]
    n_b = battery_type.size
    margin = np.full((n_draws, n_threats, n_b), -np.inf)
    for job in numba.prange(n_draws * n_threats):
        d = job // n_threats
        i = job % n_threats
        traj = trajectory[d, i]
        if traj < 0:
            continue
        for b in range(n_b):
            tables = _type_tables(reach, battery_type[b])
            p = traj * n_b + b
            margin[d, i, b] = _engage_summary(
                offsets[p],
                offsets[p + 1],
                geometry,
                tables,
                params[d, b],
                launch_track[d, i, b],
                guide_track[d, i, b],
            )
    return margin


@numba.njit(cache=True, parallel=True)
def _engage_kernel(
    offsets,
    geometry,
    battery_type,
    reach,
    trajectory,
    launch_track,
    guide_track,
    params,
    in_range,
    above,
):
    n_draws, n_threats = trajectory.shape[0], trajectory.shape[1]
    n_b = battery_type.size
    out = np.full((n_draws, n_threats, n_b, _N_OUT), np.nan)
    for job in numba.prange(n_draws * n_threats):
        d = job // n_threats
        i = job % n_threats
        traj = trajectory[d, i]
        m = np.empty(8)
        before = np.empty(8)
        for b in range(n_b):
            if traj < 0:
                out[d, i, b, _SHOTS] = 0.0
                out[d, i, b, _REASON] = REASON_NOT_FLOWN
                out[d, i, b, _MARGIN] = -np.inf
                continue
            tables = _type_tables(reach, battery_type[b])
            p = traj * n_b + b
            out[d, i, b] = _engage_pair(
                offsets[p],
                offsets[p + 1],
                geometry,
                tables,
                params[d, b],
                launch_track[d, i, b],
                guide_track[d, i, b],
                m,
                before,
                in_range[p],
                above[p],
            )
    return out


@dataclass(frozen=True)
class EngagementArrays:
    """Per (draw, threat, battery) results; times in seconds after the threat's launch.

    Shape (n_draws, n_threats, n_batteries), or without the draw axis for
    a single draw (`single`).
    """

    engageable: np.ndarray  # bool
    first_intercept_s: np.ndarray
    last_intercept_s: np.ndarray
    min_altitude_m: np.ndarray
    max_altitude_m: np.ndarray
    first_ground_range_m: np.ndarray  # from the site, at the first intercept
    closing_speed_m_s: np.ndarray  # at the first intercept
    engagement_angle: np.ndarray  # rad, at the first intercept: 0 head-on, pi tail chase
    shots: np.ndarray  # shoot-look-shoot opportunities in the window
    reason: np.ndarray  # REASON_* code
    launch_margin_s: np.ndarray  # >= 0 exactly when engageable; -inf when nothing is reachable

    def single(self) -> EngagementArrays:
        """The only draw, without the draw axis."""
        if self.shots.ndim != 3 or self.shots.shape[0] != 1:
            raise ValueError("single() needs arrays of exactly one draw")
        return EngagementArrays(*(getattr(self, name)[0] for name in self.__dataclass_fields__))


def engage_draws(
    lines: BatteryLines,
    times_s: np.ndarray,
    battery_type: np.ndarray,
    tables: InterceptorTables,
    trajectory: np.ndarray,
    launch_track_s: np.ndarray,
    guidance_track_s: np.ndarray,
    params: np.ndarray,
    *,
    details: bool = True,
) -> EngagementArrays:
    """Engagement windows of every threat against every battery under each draw.

    Parameters
    ----------
    lines : BatteryLines
        The geometry, for the hull of the draws' envelopes.
    times_s : ndarray, shape (n_times,)
        The sample times the lines index, s.
    battery_type : ndarray of int64, shape (n_batteries,)
        Each battery's interceptor type: an index of `tables`.
    tables : InterceptorTables
        Reach tables; each type's grid covers the hull of its envelopes.
    trajectory : ndarray of int64, shape (n_draws, n_threats)
        Which trajectory each threat flies in each draw (-1: not flown).
    launch_track_s, guidance_track_s : ndarray, shape (n_draws, n_threats, n_batteries)
        Time of the first track each battery may launch on and be guided
        on, s after the threat's launch; NaN if none.
    params : ndarray, shape (n_draws, n_batteries, N_BATTERY_PARAMETERS)
        Battery values of each draw (`BATTERY_PARAMETERS`), SI.
    details : bool
        False: only `engageable` and `launch_margin_s` are computed (a faster,
        pruned scan for Monte Carlo draws); the other fields are NaN (shots 0,
        reason 0).
    """
    trajectory = np.ascontiguousarray(trajectory, dtype=np.int64)
    n_draws, n_threats = trajectory.shape
    n_b = lines.n_batteries
    shape = (n_draws, n_threats, n_b)
    launch = np.ascontiguousarray(np.broadcast_to(launch_track_s, shape), dtype=np.float64)
    guide = np.ascontiguousarray(np.broadcast_to(guidance_track_s, shape), dtype=np.float64)
    params = np.ascontiguousarray(params, dtype=np.float64)
    if params.shape != (n_draws, n_b, N_BATTERY_PARAMETERS):
        raise ValueError(f"params must have shape ({n_draws}, {n_b}, {N_BATTERY_PARAMETERS})")
    geometry = (
        lines.sample,
        lines.ground_range_m,
        lines.altitude_m,
        lines.v_away_m_s,
        lines.v_up_m_s,
        lines.v_cross_m_s,
        np.ascontiguousarray(times_s, dtype=np.float64),
    )
    reach = (
        tables.grid,
        tables.node_speed_m_s,
        tables.n_nodes,
        tables.time_s,
        tables.speed_m_s,
        tables.flight_path_angle,
    )
    args = (
        lines.offsets,
        geometry,
        np.ascontiguousarray(battery_type, dtype=np.int64),
        reach,
        trajectory,
        launch,
        guide,
        params,
    )
    if not details:
        margin = _summary_kernel(*args)
        nan = np.full(margin.shape, np.nan)
        return EngagementArrays(
            engageable=margin >= 0.0,
            first_intercept_s=nan,
            last_intercept_s=nan,
            min_altitude_m=nan,
            max_altitude_m=nan,
            first_ground_range_m=nan,
            closing_speed_m_s=nan,
            engagement_angle=nan,
            shots=np.zeros(margin.shape, dtype=np.int64),
            reason=np.zeros(margin.shape, dtype=np.int64),
            launch_margin_s=margin,
        )
    raw = _engage_kernel(*args, lines.in_range, lines.above)
    shots = raw[..., _SHOTS].astype(np.int64)
    return EngagementArrays(
        engageable=shots > 0,
        first_intercept_s=raw[..., _FIRST],
        last_intercept_s=raw[..., _LAST],
        min_altitude_m=raw[..., _MIN_ALT],
        max_altitude_m=raw[..., _MAX_ALT],
        first_ground_range_m=raw[..., _GROUND_RANGE],
        closing_speed_m_s=raw[..., _CLOSING],
        engagement_angle=raw[..., _ANGLE],
        shots=shots,
        reason=raw[..., _REASON].astype(np.int64),
        launch_margin_s=raw[..., _MARGIN],
    )


@dataclass(frozen=True)
class SiteArrays:
    """Interceptor sites for `engage`, the one-draw form (SI units).

    position_ecef_m (n, 3); delay_s (n,): decision plus launch delay after a
    fire-control track; kill_assessment_s (n,): wait after an intercept
    attempt before the next launch; table (n,): index of the site's reach
    table in the list given alongside.
    """

    position_ecef_m: np.ndarray
    delay_s: np.ndarray
    kill_assessment_s: np.ndarray
    table: np.ndarray


def engage(
    samples: np.ndarray,
    times_s: np.ndarray,
    fire_control_s: np.ndarray,
    sites: SiteArrays,
    tables: list[ReachTable],
    a_m: float,
    f: float,
) -> EngagementArrays:
    """Engagement windows of every threat against every site, one draw.

    The simple form: each site launches on and is guided by the one track
    given, its envelope is its reach table's, and the kill vehicle takes any
    closing speed and angle.

    Parameters
    ----------
    samples
        (n_threats, n_times, 6) ECEF position (m) and Earth-relative velocity
        (m/s) of each threat on the common sample grid, NaN after impact.
    times_s
        (n_times,) sample times after each threat's launch (s).
    fire_control_s
        (n_threats, n_sites) time of the first fire-control-quality track
        available to each site (own or cued), NaN if none.
    sites
        The interceptor sites; `sites.table` indexes `tables`.
    tables
        Reach tables, all on grids of the same shape.
    a_m, f
        Ellipsoid of the Earth model.
    """
    table_index = np.asarray(sites.table, dtype=np.int64)
    chosen = [tables[int(k)] for k in table_index]
    stacked = InterceptorTables.stack([[t] for t in tables])
    lines = battery_lines(
        samples,
        sites.position_ecef_m,
        np.array([t.max_ground_range_m for t in chosen]),
        np.array([t.min_altitude_m for t in chosen]),
        np.array([t.max_altitude_m for t in chosen]),
        a_m,
        f,
    )
    n = len(chosen)
    params = np.empty((1, n, N_BATTERY_PARAMETERS))
    params[0, :, DELAY_S] = sites.delay_s
    params[0, :, KILL_ASSESSMENT_S] = sites.kill_assessment_s
    params[0, :, MIN_ALTITUDE_M] = [t.min_altitude_m for t in chosen]
    params[0, :, MAX_ALTITUDE_M] = [t.max_altitude_m for t in chosen]
    params[0, :, MAX_GROUND_RANGE_M] = [t.max_ground_range_m for t in chosen]
    params[0, :, MAX_FLIGHT_TIME_S] = [t.max_flight_time_s for t in chosen]
    params[0, :, BURNOUT_SPEED_M_S] = [t.burnout_speed_m_s for t in chosen]
    params[0, :, MIN_CLOSING_SPEED_M_S] = 0.0
    params[0, :, MAX_ENGAGEMENT_ANGLE] = math.pi
    track = np.asarray(fire_control_s, dtype=np.float64)[None]
    n_threats = np.asarray(samples).shape[0]
    return engage_draws(
        lines,
        times_s,
        table_index,
        stacked,
        np.arange(n_threats, dtype=np.int64)[None, :],
        track,
        track,
        params,
    ).single()
