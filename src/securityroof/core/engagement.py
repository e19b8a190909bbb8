"""Engagement windows: when can an interceptor site hit a threat, and how often.

For each threat trajectory and interceptor site the chain is: a fire-control
quality track (own or cued, computed by the caller from the sensor model and
the cueing rules) -> decision and launch delay -> flyout. An intercept at the
threat's sample time t is feasible when the threat is inside the
interceptor's envelope there and

    t_track + delay + T_fly(ground range, altitude) <= t,

where T_fly is the minimum flyout time from the site's reach table. The
feasible sample times form the window; shoot-look-shoot opportunities are
counted greedily: after each intercept attempt the site waits the kill
assessment time before it may launch again (the APS 2003 boost-phase study
and Wilkening, Science & Global Security 8 (2000), use the same timeline
logic). A threat that recedes faster than the interceptor closes is found
as "cannot catch", not assumed away.

Work is fused: the kernel reads the sampled threat trajectories once and
keeps only the per-pair summary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from securityroof.core.reach import (
    ABOVE_MAX_ALTITUDE,
    BELOW_MIN_ALTITUDE,
    GRID_MAX_RANGE_M,
    REACHABLE,
    ReachTable,
    envelope_reason,
    ground_range_and_altitude,
    time_to_reach,
)

# Why a pair cannot engage (REASON_NONE when it can).
(
    REASON_NONE,
    REASON_NO_TRACK,
    REASON_OUT_OF_RANGE,
    REASON_BELOW_MIN_ALTITUDE,
    REASON_ABOVE_MAX_ALTITUDE,
    REASON_TOO_LATE,
    REASON_CANNOT_CATCH,
) = range(7)
REASON_TEXT = (
    "",
    "no track",
    "out of range",
    "below minimum altitude",
    "above maximum altitude",
    "too late",
    "cannot catch",
)


@dataclass(frozen=True)
class SiteArrays:
    """Interceptor sites packed for the kernel (SI units).

    position_ecef_m (n, 3); delay_s (n,): decision plus launch delay after a
    fire-control track; kill_assessment_s (n,): wait after an intercept
    attempt before the next launch; table (n,): index of the site's reach
    table in the `ReachTables` given alongside.
    """

    position_ecef_m: np.ndarray
    delay_s: np.ndarray
    kill_assessment_s: np.ndarray
    table: np.ndarray


@dataclass(frozen=True)
class EngagementArrays:
    """Per (threat, site) results; times in seconds after the threat's launch."""

    engageable: np.ndarray  # bool
    first_intercept_s: np.ndarray
    last_intercept_s: np.ndarray
    min_altitude_m: np.ndarray
    max_altitude_m: np.ndarray
    first_ground_range_m: np.ndarray  # from the site, at the first intercept
    closing_speed_m_s: np.ndarray  # at the first intercept
    shots: np.ndarray  # shoot-look-shoot opportunities in the window
    reason: np.ndarray  # REASON_* code


@numba.njit(cache=True, inline="always")
def _closing_speed(site, p, v, speed, gamma):
    """Relative speed of threat (velocity v at p) and an interceptor flying at
    `speed` and flight-path angle `gamma` away from the site toward p."""
    r = np.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2])
    ux, uy, uz = p[0] / r, p[1] / r, p[2] / r
    dx, dy, dz = p[0] - site[0], p[1] - site[1], p[2] - site[2]
    along = dx * ux + dy * uy + dz * uz
    hx, hy, hz = dx - along * ux, dy - along * uy, dz - along * uz
    hn = np.sqrt(hx * hx + hy * hy + hz * hz)
    if hn > 0.0:
        hx, hy, hz = hx / hn, hy / hn, hz / hn
    cg, sg = np.cos(gamma), np.sin(gamma)
    ix = speed * (cg * hx + sg * ux)
    iy = speed * (cg * hy + sg * uy)
    iz = speed * (cg * hz + sg * uz)
    return np.sqrt((v[0] - ix) ** 2 + (v[1] - iy) ** 2 + (v[2] - iz) ** 2)


@numba.njit(cache=True)
def _engage_pair(
    samples,
    times,
    fire_control_s,
    site,
    delay_s,
    kill_assessment_s,
    grid,
    time,
    speed,
    fpa,
    a_m,
    f,
    fly,
):
    """One threat against one site's reach table; `fly` is scratch of length n_times.

    Returns (first, last, min altitude, max altitude, ground range at first,
    closing speed at first, shots, reason).
    """
    out = np.full(8, np.nan)
    out[6] = 0.0
    if np.isnan(fire_control_s):
        out[7] = REASON_NO_TRACK
        return out
    launch_open = fire_control_s + delay_s
    seen_in_range = False
    seen_above = False
    seen_envelope_before = False
    seen_envelope_after = False
    first = -1
    last = -1
    n = 0
    for i in range(times.size):
        fly[i] = np.inf
        if np.isnan(samples[i, 0]):
            break
        n = i + 1
        ground_range, altitude = ground_range_and_altitude(site, samples[i, 0:3], a_m, f)
        if ground_range > grid[GRID_MAX_RANGE_M]:
            continue
        seen_in_range = True
        where = envelope_reason(grid, time, ground_range, altitude)
        if where == ABOVE_MAX_ALTITUDE:
            seen_above = True
            continue
        if where == BELOW_MIN_ALTITUDE:
            continue
        if times[i] < launch_open:
            seen_envelope_before = True
            continue
        seen_envelope_after = True
        if where != REACHABLE:
            continue
        t_fly, v_int, gamma = time_to_reach(grid, time, speed, fpa, ground_range, altitude)
        fly[i] = t_fly
        if launch_open + t_fly <= times[i]:
            if first < 0:
                first = i
                out[2] = altitude
                out[3] = altitude
                out[4] = ground_range
                out[5] = _closing_speed(site, samples[i, 0:3], samples[i, 3:6], v_int, gamma)
            last = i
            out[2] = min(out[2], altitude)
            out[3] = max(out[3], altitude)
    if first < 0:
        if seen_envelope_after:
            out[7] = REASON_CANNOT_CATCH
        elif seen_envelope_before:
            out[7] = REASON_TOO_LATE
        elif not seen_in_range:
            out[7] = REASON_OUT_OF_RANGE
        elif seen_above:
            out[7] = REASON_ABOVE_MAX_ALTITUDE
        else:
            out[7] = REASON_BELOW_MIN_ALTITUDE
        return out
    out[0] = times[first]
    out[1] = times[last]
    # Shoot-look-shoot: each next launch waits for the previous intercept's assessment.
    shots = 0
    next_launch = launch_open
    for i in range(first, min(last + 1, n)):
        if fly[i] < np.inf and times[i] - fly[i] >= next_launch:
            shots += 1
            next_launch = times[i] + kill_assessment_s
    out[6] = shots
    out[7] = REASON_NONE
    return out


@numba.njit(cache=True, parallel=True)
def _engage_batch(
    samples,
    times,
    fire_control_s,
    sites,
    delay_s,
    kill_assessment_s,
    table_of_site,
    grids,
    time_tables,
    speed_tables,
    fpa_tables,
    a_m,
    f,
):
    n_threats, n_times = samples.shape[0], samples.shape[1]
    n_sites = sites.shape[0]
    result = np.empty((n_threats, n_sites, 8))
    for t in numba.prange(n_threats):
        fly = np.empty(n_times)
        for s in range(n_sites):
            k = table_of_site[s]
            result[t, s] = _engage_pair(
                samples[t],
                times,
                fire_control_s[t, s],
                sites[s],
                delay_s[s],
                kill_assessment_s[s],
                grids[k],
                time_tables[k],
                speed_tables[k],
                fpa_tables[k],
                a_m,
                f,
                fly,
            )
    return result


def engage(
    samples: np.ndarray,
    times_s: np.ndarray,
    fire_control_s: np.ndarray,
    sites: SiteArrays,
    tables: list[ReachTable],
    a_m: float,
    f: float,
) -> EngagementArrays:
    """Engagement windows of every threat against every site.

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
    shapes = {t.time_s.shape for t in tables}
    if len(shapes) != 1:
        raise ValueError(f"reach tables must share one grid shape, got {sorted(shapes)}")
    raw = _engage_batch(
        np.ascontiguousarray(samples, dtype=np.float64),
        np.ascontiguousarray(times_s, dtype=np.float64),
        np.ascontiguousarray(fire_control_s, dtype=np.float64),
        np.ascontiguousarray(sites.position_ecef_m, dtype=np.float64),
        np.ascontiguousarray(sites.delay_s, dtype=np.float64),
        np.ascontiguousarray(sites.kill_assessment_s, dtype=np.float64),
        np.ascontiguousarray(sites.table, dtype=np.int64),
        np.stack([t.grid for t in tables]),
        np.stack([t.time_s for t in tables]),
        np.stack([t.speed_m_s for t in tables]),
        np.stack([t.flight_path_angle for t in tables]),
        float(a_m),
        float(f),
    )
    shots = raw[..., 6].astype(np.int64)
    return EngagementArrays(
        engageable=shots > 0,
        first_intercept_s=raw[..., 0],
        last_intercept_s=raw[..., 1],
        min_altitude_m=raw[..., 2],
        max_altitude_m=raw[..., 3],
        first_ground_range_m=raw[..., 4],
        closing_speed_m_s=raw[..., 5],
        shots=shots,
        reason=raw[..., 7].astype(np.int64),
    )
