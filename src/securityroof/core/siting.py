"""Where may a battery stand? Engagement margins of candidate sites, many at once.

`securityroof.core.engagement` judges the batteries a scenario has: the
candidate samples of every (trajectory, battery) pair are laid out once and
evaluated for many draws. A map of thousands of candidate sites cannot
afford that layout (tens of millions of candidates per type), so this
module turns the loop around: for each candidate site and each trajectory it
scans the trajectory's samples in time order, skipping whole groups of
samples that lie beyond reach, and keeps only the best launch margin.

The physics is the engagement module's, sample for sample: the same ground
range and altitude metric, flyout tables, kill-vehicle limits and timing
(an intercept at sample time ``t`` needs the launch track plus the delay
plus the flyout time by ``t``, and a guidance track by ``t``). What depends
on the site is the geometry and the battery's own fire-control radar, if it
has one (the radar of the template site, moved with the battery). The
radar's RV track is computed here as `securityroof.core.detection` does
for a radar: by its own search (a run of visible samples after burnout
lasting its detection and track delays) or, once a cue has arrived, at the
first visible sample within its cued reach. Visible: the slant range within
reach and the elevation within the radar's limits; the azimuth is not
limited, an assumption the caller states: the radar is taken to face the
threat (or to see all round, as Aegis SPY-1 and Don-2N do).

Tracks of the other sensors do not depend on the site: the caller gives,
per draw and trajectory row, the remote launch and guidance track times the
battery's rules allow, and the cue time of its own radar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from securityroof.core.engagement import (
    BURNOUT_SPEED_M_S,
    DELAY_S,
    MAX_ALTITUDE_M,
    MAX_ENGAGEMENT_ANGLE,
    MAX_FLIGHT_TIME_S,
    MAX_GROUND_RANGE_M,
    MIN_ALTITUDE_M,
    MIN_CLOSING_SPEED_M_S,
    InterceptorTables,
    flyout,
    kill_vehicle_geometry,
    site_frame_velocity,
)
from securityroof.core.horizon import line_of_sight
from securityroof.core.reach import GRID_RANGE0_M, GRID_RANGE_STEP_M
from securityroof.core.reach_metric import MEAN_EARTH_RADIUS_M, ground_range_and_altitude

__all__ = [
    "GROUP",
    "N_RADAR_PARAMETERS",
    "RADAR_PARAMETERS",
    "SampleGroups",
    "candidate_margins",
    "sample_groups",
]

# Per-draw values of the battery's own radar, the last axis of `radar`.
RADAR_CUE_GAIN, RADAR_MIN_ELEVATION, RADAR_MAX_ELEVATION, RADAR_TRACK_NEED_S = range(4)
N_RADAR_PARAMETERS = 4
RADAR_PARAMETERS = ("cue_gain", "min_elevation", "max_elevation", "track_need_s")

GROUP = 8  # samples per pruning group
COARSE = 8  # groups per coarse group
CAP_PAD_RAD = 1e-7  # caps padded past acos rounding near 1 (~1e-8 rad); 0.6 m on the ground
# The smallest distance from the Earth's centre to its surface (polar radius,
# m): a slant range r reaches at most the central angle 2 asin(r / 2 R) from a
# site on the surface, whatever the altitude of the point.
_POLAR_RADIUS_M = 6_356_752.0
# Same slack as the detection kernel for runs of grid times.
_TIME_SLACK_S = 1e-6


@dataclass(frozen=True)
class SampleGroups:
    """Consecutive samples of each trajectory in groups of `GROUP`, as bounding caps,
    and the groups in coarse groups of `COARSE` (the same for GROUP * COARSE samples).

    ``centre`` (n_traj, n_groups, 3): unit vector of the group's mean
    direction from the Earth's centre; ``radius`` (n_traj, n_groups): the
    largest central angle (rad) from it to a sample of the group, NaN for an
    empty group (after impact). ``coarse_centre`` and ``coarse_radius`` the same
    for the coarse groups.
    """

    centre: NDArray[np.float64]
    radius: NDArray[np.float64]
    coarse_centre: NDArray[np.float64]
    coarse_radius: NDArray[np.float64]


@numba.njit(cache=True, parallel=True)
def _groups_kernel(samples, size, n_groups):
    n, n_t = samples.shape[0], samples.shape[1]
    centre = np.zeros((n, n_groups, 3))
    radius = np.full((n, n_groups), np.nan)
    for i in numba.prange(n):
        for g in range(n_groups):
            sx, sy, sz = 0.0, 0.0, 0.0
            count = 0
            for k in range(g * size, min((g + 1) * size, n_t)):
                x, y, z = samples[i, k, 0], samples[i, k, 1], samples[i, k, 2]
                if not math.isfinite(x):
                    continue
                r = math.sqrt(x * x + y * y + z * z)
                sx += x / r
                sy += y / r
                sz += z / r
                count += 1
            if count == 0:
                continue
            norm = math.sqrt(sx * sx + sy * sy + sz * sz)
            cx, cy, cz = sx / norm, sy / norm, sz / norm
            widest = 0.0
            for k in range(g * size, min((g + 1) * size, n_t)):
                x, y, z = samples[i, k, 0], samples[i, k, 1], samples[i, k, 2]
                if not math.isfinite(x):
                    continue
                r = math.sqrt(x * x + y * y + z * z)
                c = min(1.0, max(-1.0, (x * cx + y * cy + z * cz) / r))
                widest = max(widest, math.acos(c))
            centre[i, g, 0], centre[i, g, 1], centre[i, g, 2] = cx, cy, cz
            # Padded past acos's rounding near 1 (~1e-8 rad): a cap must hold
            # its samples however the angle is computed.
            radius[i, g] = widest + CAP_PAD_RAD
    return centre, radius


def sample_groups(samples: np.ndarray) -> SampleGroups:
    """Bounding caps of every trajectory's samples (see `SampleGroups`)."""
    samples = np.ascontiguousarray(samples, dtype=np.float64)
    n_groups = max(1, -(-samples.shape[1] // GROUP))
    n_coarse = max(1, -(-n_groups // COARSE))
    return SampleGroups(
        *_groups_kernel(samples, GROUP, n_groups),
        *_groups_kernel(samples, GROUP * COARSE, n_coarse),
    )


@numba.njit(cache=True)
def _reach_cosines(radius, limits, out):
    """out[g] = cos(limit + radius[g]): a group is out of reach when the site's direction
    makes a smaller cosine with its centre (-2 for an empty group: always out)."""
    for g in range(radius.size):
        if radius[g] >= 0.0:
            out[g] = math.cos(min(math.pi, limits + radius[g]))
        else:
            out[g] = -2.0


@numba.njit(cache=True, inline="always")
def _dot(site_unit, centre, g):
    return site_unit[0] * centre[g, 0] + site_unit[1] * centre[g, 1] + site_unit[2] * centre[g, 2]


@numba.njit(cache=True, inline="always")
def _soonest(site_unit, centre, radius, g, fastest, grid, quickest):
    """A lower bound of the flyout time to any sample of cap g (s); see `_best_slack`."""
    c = _dot(site_unit, centre, g)
    nearest = max(0.0, math.acos(min(1.0, max(-1.0, c))) - radius[g] - 1e-9)
    chord = 2.0 * _POLAR_RADIUS_M * math.sin(0.5 * nearest)
    i = math.floor((nearest * MEAN_EARTH_RADIUS_M - grid[GRID_RANGE0_M]) / grid[GRID_RANGE_STEP_M])
    return max(chord / fastest, quickest[min(max(i, 0), quickest.size - 1)])


@numba.njit(cache=True)
def _own_track(
    site, up, site_unit, traj_samples, times, last_boost, caps, reach, cue, rp, after, a_m, f
):
    """Time of the battery's own radar's RV track on one trajectory (NaN: none, or none
    before `after`, past which other tracks are there already).

    `caps`: (coarse centre, its reach cosines, fine centre, its reach cosines),
    the cosines from `_reach_cosines` of the radar's widest reach.
    """
    coarse_centre, coarse_cos, centre, fine_cos = caps
    cued_reach = reach * rp[RADAR_CUE_GAIN]
    widest = max(reach, cued_reach)
    need = rp[RADAR_TRACK_NEED_S]
    run = np.nan
    prev = -2
    n_t = traj_samples.shape[0]
    for big in range(coarse_centre.shape[0]):
        if _dot(site_unit, coarse_centre, big) < coarse_cos[big]:
            continue
        for g in range(big * COARSE, min((big + 1) * COARSE, centre.shape[0])):
            if _dot(site_unit, centre, g) < fine_cos[g]:
                continue
            for k in range(g * GROUP, min((g + 1) * GROUP, n_t)):
                if k <= last_boost or not math.isfinite(traj_samples[k, 0]):
                    continue
                # A track first found at sample k is later than sample k - 1.
                if k > 0 and times[k - 1] >= after:
                    return np.nan
                if k != prev + 1:
                    run = np.nan
                prev = k
                t = times[k]
                dx = traj_samples[k, 0] - site[0]
                dy = traj_samples[k, 1] - site[1]
                dz = traj_samples[k, 2] - site[2]
                slant = math.sqrt(dx * dx + dy * dy + dz * dz)
                visible = slant <= widest
                if visible:
                    sine = (dx * up[0] + dy * up[1] + dz * up[2]) / slant
                    elevation = math.asin(min(1.0, max(-1.0, sine)))
                    visible = rp[RADAR_MIN_ELEVATION] <= elevation <= rp[
                        RADAR_MAX_ELEVATION
                    ] and line_of_sight(
                        site[0],
                        site[1],
                        site[2],
                        traj_samples[k, 0],
                        traj_samples[k, 1],
                        traj_samples[k, 2],
                        a_m,
                        f,
                    )
                found = np.inf
                if visible and t >= cue and slant <= cued_reach:
                    found = t
                if visible and slant <= reach:
                    if math.isnan(run):
                        run = t
                    if t - run + _TIME_SLACK_S >= need:
                        found = min(found, run + need)
                else:
                    run = np.nan
                if found < np.inf:  # the first sample to give a track gives the earliest
                    return found
    return np.nan


@numba.njit(cache=True)
def _best_slack(
    site, site_unit, traj_samples, times, caps, launch, guide, prm, tables, quickest, floor, a_m, f
):
    """Best launch margin (s) of one site on one trajectory if at least `floor`, else -inf.

    `caps`: (coarse centre, radius, reach cosines, fine centre, radius, reach
    cosines), the cosines of the interceptor's longest ground range. Caps and
    samples that cannot reach `floor` are skipped, on two lower bounds of the
    flyout time: `quickest[i]`, the least time in the reach tables at range
    cell i or beyond (any altitude, any speed node), and, for a point at
    chord distance d, d / (1.1 v) for burnout speed v (after burnout the
    interceptor only slows while it climbs to its lowest intercept altitude,
    above its burnout altitude; the 10 % covers the rotating frame and the
    small drop from burnout to the lowest intercept).
    """
    coarse_centre, coarse_radius, coarse_cos, centre, radius, fine_cos = caps
    best = -np.inf
    launch_open = launch + prm[DELAY_S]
    fastest = 1.1 * prm[BURNOUT_SPEED_M_S]
    n_t = traj_samples.shape[0]
    grid = tables[0]
    for big in range(coarse_centre.shape[0]):
        if _dot(site_unit, coarse_centre, big) < coarse_cos[big]:
            continue
        last = min((big + 1) * COARSE * GROUP, n_t) - 1
        if not times[last] >= guide:  # no guidance track by then (NaN: never)
            continue
        soonest = _soonest(site_unit, coarse_centre, coarse_radius, big, fastest, grid, quickest)
        if times[last] - launch_open - soonest < max(floor, best):
            continue
        for g in range(big * COARSE, min((big + 1) * COARSE, centre.shape[0])):
            if _dot(site_unit, centre, g) < fine_cos[g]:
                continue
            last = min((g + 1) * GROUP, n_t) - 1
            if not times[last] >= guide:
                continue
            soonest = _soonest(site_unit, centre, radius, g, fastest, grid, quickest)
            if times[last] - launch_open - soonest < max(floor, best):
                continue
            for k in range(g * GROUP, last + 1):
                point = traj_samples[k, 0:3]
                if not math.isfinite(point[0]):
                    continue
                t = times[k]
                if not t >= guide:
                    continue
                dx, dy, dz = point[0] - site[0], point[1] - site[1], point[2] - site[2]
                chord = math.sqrt(dx * dx + dy * dy + dz * dz)
                if t - launch_open - chord / fastest < max(floor, best):
                    continue
                ground, altitude = ground_range_and_altitude(site, point, a_m, f)
                if (
                    ground > prm[MAX_GROUND_RANGE_M]
                    or altitude > prm[MAX_ALTITUDE_M]
                    or altitude < prm[MIN_ALTITUDE_M]
                ):
                    continue
                t_fly, speed, gamma = flyout(tables, prm[BURNOUT_SPEED_M_S], ground, altitude)
                if not t_fly <= prm[MAX_FLIGHT_TIME_S]:
                    continue
                slack = t - t_fly - launch_open
                if slack < floor or slack <= best:
                    continue
                away, up, cross = site_frame_velocity(site, point, traj_samples[k, 3:6])
                closing, angle = kill_vehicle_geometry(away, up, cross, speed, gamma)
                if closing < prm[MIN_CLOSING_SPEED_M_S] or angle > prm[MAX_ENGAGEMENT_ANGLE]:
                    continue
                best = slack
    return best


@numba.njit(cache=True)
def _cosines(radius, limits):
    """`_reach_cosines` of every trajectory's caps, (n_traj, n_caps), for per-trajectory limits."""
    out = np.empty(radius.shape)
    for i in range(radius.shape[0]):
        _reach_cosines(radius[i], limits[i], out[i])
    return out


@numba.njit(cache=True, parallel=True)
def _candidates_kernel(
    sites,
    ups,
    samples,
    times,
    last_boost,
    groups,
    trajectory,
    remote_launch,
    remote_guide,
    cue,
    radar_reach,
    radar,
    own_launch,
    own_guide,
    params,
    tables,
    quickest,
    floor,
    first_only,
    a_m,
    f,
):
    centre, radius, coarse_centre, coarse_radius = groups
    n_sites = sites.shape[0]
    n_traj = radius.shape[0]
    n_draws, n_rows = trajectory.shape[0], trajectory.shape[1]
    margin = np.full((n_draws, n_sites), -np.inf)
    best_row = np.full((n_draws, n_sites), -1, dtype=np.int64)
    own = own_launch or own_guide
    for d in range(n_draws):
        # The interceptor's and the radar's reach, per cap: one cosine each.
        limit = np.full(n_traj, params[d, MAX_GROUND_RANGE_M] / MEAN_EARTH_RADIUS_M)
        fine_cos = _cosines(radius, limit)
        coarse_cos = _cosines(coarse_radius, limit)
        row_traj = trajectory[d]
        radar_fine = np.full((n_rows, radius.shape[1]), 2.0)
        radar_coarse = np.full((n_rows, coarse_radius.shape[1]), 2.0)
        for row in range(n_rows):
            traj = row_traj[row]
            if traj >= 0 and own and radar_reach[d, row] > 0.0:
                widest = radar_reach[d, row] * max(1.0, radar[d, RADAR_CUE_GAIN])
                angle = 2.0 * math.asin(min(1.0, widest / (2.0 * _POLAR_RADIUS_M)))
                _reach_cosines(radius[traj], angle, radar_fine[row])
                _reach_cosines(coarse_radius[traj], angle, radar_coarse[row])
        for s in numba.prange(n_sites):
            site = sites[s]
            site_unit = site / math.sqrt(site[0] * site[0] + site[1] * site[1] + site[2] * site[2])
            for row in range(n_rows):
                traj = row_traj[row]
                if traj < 0 or (first_only and margin[d, s] >= floor):
                    continue
                launch = remote_launch[d, row]
                guide = remote_guide[d, row]
                if own and radar_reach[d, row] > 0.0:
                    # Past the remote tracks it would replace, the own track is no use.
                    after = -np.inf
                    if own_launch:
                        after = launch if math.isfinite(launch) else np.inf
                    if own_guide:
                        after = max(after, guide if math.isfinite(guide) else np.inf)
                    mine = _own_track(
                        site,
                        ups[s],
                        site_unit,
                        samples[traj],
                        times,
                        last_boost[traj],
                        (coarse_centre[traj], radar_coarse[row], centre[traj], radar_fine[row]),
                        radar_reach[d, row],
                        cue[d, row],
                        radar[d],
                        after,
                        a_m,
                        f,
                    )
                    if own_launch:
                        launch = min(launch, mine) if math.isfinite(launch) else mine
                    if own_guide:
                        guide = min(guide, mine) if math.isfinite(guide) else mine
                if math.isnan(launch) or math.isnan(guide):
                    continue
                caps = (
                    coarse_centre[traj],
                    coarse_radius[traj],
                    coarse_cos[traj],
                    centre[traj],
                    radius[traj],
                    fine_cos[traj],
                )
                slack = _best_slack(
                    site,
                    site_unit,
                    samples[traj],
                    times,
                    caps,
                    launch,
                    guide,
                    params[d],
                    tables,
                    quickest,
                    max(floor, margin[d, s]),
                    a_m,
                    f,
                )
                if slack > margin[d, s]:
                    margin[d, s] = slack
                    best_row[d, s] = row
    return margin, best_row


def candidate_margins(
    sites_ecef_m: np.ndarray,
    up: np.ndarray,
    samples: np.ndarray,
    times_s: np.ndarray,
    last_boost: np.ndarray,
    groups: SampleGroups,
    trajectory: np.ndarray,
    remote_launch_s: np.ndarray,
    remote_guidance_s: np.ndarray,
    cue_s: np.ndarray,
    radar_reach_m: np.ndarray,
    radar: np.ndarray,
    own_launch: bool,
    own_guidance: bool,
    params: np.ndarray,
    tables: InterceptorTables,
    type_index: int,
    a_m: float,
    f: float,
    *,
    floor_s: float = -np.inf,
    first_only: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Best launch margin of a battery at each candidate site, under each draw.

    Parameters
    ----------
    sites_ecef_m, up : ndarray, shape (n_sites, 3)
        Candidate positions (m) and their local vertical (unit vectors).
    samples : ndarray, shape (n_traj, n_times, 6)
        Trajectories: ECEF position (m) and Earth-relative velocity (m/s),
        NaN after impact; ``groups`` = `sample_groups` of them.
    times_s : ndarray, shape (n_times,)
    last_boost : ndarray of int64, shape (n_traj,)
        Last sample at or before burnout of each trajectory.
    trajectory : ndarray of int64, shape (n_draws, n_rows)
        The trajectory each judged row flies in each draw (-1: not flown).
    remote_launch_s, remote_guidance_s : ndarray, shape (n_draws, n_rows)
        Earliest track of the other sensors the battery may launch on and
        be guided on, s after launch (NaN: none).
    cue_s : ndarray, shape (n_draws, n_rows)
        When the battery's own radar is cued (NaN: never).
    radar_reach_m : ndarray, shape (n_draws, n_rows)
        Its own-search range on the row's RV in its band (0: no radar).
    radar : ndarray, shape (n_draws, N_RADAR_PARAMETERS)
    own_launch, own_guidance : bool
        Whether the battery may launch on and be guided by its own radar.
    params : ndarray, shape (n_draws, N_BATTERY_PARAMETERS)
    tables, type_index
        Reach tables and the battery type's index in them.
    floor_s
        Margins below this are not sought (-inf where no row reaches it):
        0 for a map that needs only the engaging places' margins, which
        prunes most of the scan.
    first_only
        Stop at the first row that reaches `floor_s` (whether, not how well).

    Returns
    -------
    margin_s, best_row : ndarray, shape (n_draws, n_sites)
        The best launch margin over the rows if at least `floor_s` (>= 0:
        the site engages some row), else -inf; and the row that gives it
        (-1: none).
    """
    k = type_index
    type_tables = (
        tables.grid[k],
        tables.node_speed_m_s[k],
        tables.n_nodes[k],
        tables.time_s[k],
        tables.speed_m_s[k],
        tables.flight_path_angle[k],
    )
    f64 = np.float64
    # The least flyout time at each range cell or beyond, for pruning.
    times = tables.time_s[k][: int(tables.n_nodes[k])]
    least = np.where(np.isfinite(times), times, np.inf).min(axis=(0, 2))
    quickest = np.minimum.accumulate(least[::-1])[::-1].astype(f64)
    return _candidates_kernel(
        np.ascontiguousarray(sites_ecef_m, dtype=f64),
        np.ascontiguousarray(up, dtype=f64),
        np.ascontiguousarray(samples, dtype=f64),
        np.ascontiguousarray(times_s, dtype=f64),
        np.ascontiguousarray(last_boost, dtype=np.int64),
        (groups.centre, groups.radius, groups.coarse_centre, groups.coarse_radius),
        np.ascontiguousarray(trajectory, dtype=np.int64),
        np.ascontiguousarray(remote_launch_s, dtype=f64),
        np.ascontiguousarray(remote_guidance_s, dtype=f64),
        np.ascontiguousarray(cue_s, dtype=f64),
        np.ascontiguousarray(radar_reach_m, dtype=f64),
        np.ascontiguousarray(radar, dtype=f64),
        bool(own_launch),
        bool(own_guidance),
        np.ascontiguousarray(params, dtype=f64),
        type_tables,
        np.ascontiguousarray(quickest),
        float(floor_s),
        bool(first_only),
        float(a_m),
        float(f),
    )
