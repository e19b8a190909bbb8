"""Rasterising a fan of interceptor trajectories onto the reach grid: each
cell gets the earliest time any trajectory is inside it.

Part of the reach-table model (see `reach`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from securityroof.core.reach_metric import ground_range_and_altitude

# ---------------------------------------------------------------------------
# The fan and its rasterisation
# ---------------------------------------------------------------------------


@numba.njit(cache=True, parallel=True)
def fan_points(samples, impact, dt, site, a_m, f):
    """Ground range, altitude, time, speed and flight-path angle of every
    sample of every fan trajectory, the impact appended after the last
    sample; NaN beyond."""
    n_rays, n_samples = samples.shape[0], samples.shape[1]
    out = np.full((5, n_rays, n_samples + 1), np.nan)
    for k in numba.prange(n_rays):
        last = -1
        for i in range(n_samples):
            p = samples[k, i]
            if not np.isfinite(p[0]):
                break
            _point(out, k, i, i * dt, p[0:3], p[3:6], site, a_m, f)
            last = i
        if np.isfinite(impact[k, 0]) and last + 1 <= n_samples:
            _point(out, k, last + 1, impact[k, 0], impact[k, 1:4], impact[k, 4:7], site, a_m, f)
    return out


@numba.njit(cache=True, inline="always")
def _point(out, k, i, t, r, v, site, a_m, f):
    g, h = ground_range_and_altitude(site, r, a_m, f)
    speed = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    radius = math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
    sin_gamma = 0.0
    if speed > 0.0:
        sin_gamma = (r[0] * v[0] + r[1] * v[1] + r[2] * v[2]) / (speed * radius)
    out[0, k, i] = g
    out[1, k, i] = h
    out[2, k, i] = t
    out[3, k, i] = speed
    out[4, k, i] = math.asin(min(1.0, max(-1.0, sin_gamma)))


@numba.njit(cache=True, inline="always")
def _clip(src, n, axis, bound, keep_above, dst):
    """Sutherland-Hodgman: clip polygon src[:n] (rows x, y, t, v, gamma)
    to coordinate `axis` >= bound (keep_above) or <= bound, into dst.

    Attributes are carried linearly along the cut edges. Returns the new
    vertex count. Sutherland & Hodgman, "Reentrant polygon clipping",
    Comm. ACM 17 (1974) 32-42.
    """
    m = 0
    for p in range(n):
        q = p - 1 if p > 0 else n - 1
        cp = src[p, axis]
        cq = src[q, axis]
        in_p = cp >= bound if keep_above else cp <= bound
        in_q = cq >= bound if keep_above else cq <= bound
        if in_p != in_q:
            s = (bound - cq) / (cp - cq)
            for c in range(5):
                dst[m, c] = src[q, c] + s * (src[p, c] - src[q, c])
            dst[m, axis] = bound
            m += 1
        if in_p:
            for c in range(5):
                dst[m, c] = src[p, c]
            m += 1
    return m


@numba.njit(cache=True, inline="always")
def _keep_earliest(poly, n, i, j, t_out, v_out, g_out):
    for p in range(n):
        if poly[p, 2] < t_out[i, j]:
            t_out[i, j] = poly[p, 2]
            v_out[i, j] = poly[p, 3]
            g_out[i, j] = poly[p, 4]


@numba.njit(cache=True)
def _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b):
    """Lower each cell's time to the earliest time on the triangle inside it.

    `tri` (3, 5): vertices (range, altitude, time, speed, angle), all
    attributes linear over the triangle, so the earliest time over the part
    of the triangle inside a cell is at a vertex of that part (exact for the
    linear interpolant). `col`, `a`, `b` are (16, 5) scratch polygons.
    """
    x0, dx, y0, dy = grid_f[0], grid_f[1], grid_f[2], grid_f[3]
    xmin = min(tri[0, 0], tri[1, 0], tri[2, 0])
    xmax = max(tri[0, 0], tri[1, 0], tri[2, 0])
    ymin = min(tri[0, 1], tri[1, 1], tri[2, 1])
    ymax = max(tri[0, 1], tri[1, 1], tri[2, 1])
    x_end = x0 + nx * dx
    y_end = y0 + ny * dy
    if xmax < x0 or xmin > x_end or ymax < y0 or ymin > y_end:
        return
    i0 = max(0, math.floor((xmin - x0) / dx))
    i1 = min(nx - 1, math.floor((xmax - x0) / dx))
    j0 = max(0, math.floor((ymin - y0) / dy))
    j1 = min(ny - 1, math.floor((ymax - y0) / dy))
    if (
        i0 == i1
        and j0 == j1
        and xmin > x0 + i0 * dx
        and xmax < x0 + (i0 + 1) * dx
        and ymin > y0 + j0 * dy
        and ymax < y0 + (j0 + 1) * dy
    ):
        # Inside one cell: the earliest vertex.
        _keep_earliest(tri, 3, i0, j0, t_out, v_out, g_out)
        return
    for i in range(i0, i1 + 1):
        for p in range(3):
            for c in range(5):
                a[p, c] = tri[p, c]
        n = _clip(a, 3, 0, x0 + i * dx, True, b)
        n = _clip(b, n, 0, x0 + (i + 1) * dx, False, col)
        if n == 0:
            continue
        for j in range(j0, j1 + 1):
            m = _clip(col, n, 1, y0 + j * dy, True, a)
            m = _clip(a, m, 1, y0 + (j + 1) * dy, False, b)
            _keep_earliest(b, m, i, j, t_out, v_out, g_out)


@numba.njit(cache=True, inline="always")
def _load(tri, row, pts, k, i):
    for c in range(5):
        tri[row, c] = pts[c, k, i]


@numba.njit(cache=True)
def _last_point(pts, k):
    """Index of the last finite point of trajectory k."""
    n = pts.shape[2]
    lo, hi = 0, n - 1
    if np.isfinite(pts[0, k, hi]):
        return hi
    while hi - lo > 1:  # NaN only after the end: bisect
        mid = (lo + hi) // 2
        if np.isfinite(pts[0, k, mid]):
            lo = mid
        else:
            hi = mid
    return lo


@numba.njit(cache=True, parallel=True)
def rasterise_fan(pts, grid_f, nx, ny, n_chunks):
    """Earliest time, speed and angle per cell over the surface swept by the fan.

    Neighbouring trajectories k and k + 1 at sample times i and i + 1 bound a
    quadrilateral of the continuous fan (kick, time) -> (range, altitude); it
    is split into two triangles over which time, speed and angle are linear.
    Where one of the two has ended (impact) and the other flies on, the
    region between them is closed by triangles from the ended one's last
    point (its impact) to the other's remaining segments: the kicks between
    them come down in between. Each trajectory's own segments are rasterised
    as well (as degenerate triangles), so that every cell a trajectory
    crosses is marked, however fast it moves: no cell is skipped between
    samples.
    """
    n_rays = pts.shape[1]
    t_all = np.full((n_chunks, nx, ny), np.inf)
    v_all = np.full((n_chunks, nx, ny), np.nan)
    g_all = np.full((n_chunks, nx, ny), np.nan)
    for c in numba.prange(n_chunks):
        tri = np.empty((3, 5))
        col = np.empty((16, 5))
        a = np.empty((16, 5))
        b = np.empty((16, 5))
        t_out, v_out, g_out = t_all[c], v_all[c], g_all[c]
        for k in range(c * n_rays // n_chunks, (c + 1) * n_rays // n_chunks):
            end_k = _last_point(pts, k)
            for i in range(end_k):
                _load(tri, 0, pts, k, i)
                _load(tri, 1, pts, k, i + 1)
                _load(tri, 2, pts, k, i + 1)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
            if k + 1 == n_rays:
                continue
            end_n = _last_point(pts, k + 1)
            for i in range(min(end_k, end_n)):
                _load(tri, 0, pts, k, i)
                _load(tri, 1, pts, k, i + 1)
                _load(tri, 2, pts, k + 1, i + 1)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
                _load(tri, 1, pts, k + 1, i)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
            # The longer trajectory's remaining segments against the shorter one's end.
            short, long_, end_s, end_l = k, k + 1, end_k, end_n
            if end_k > end_n:
                short, long_, end_s, end_l = k + 1, k, end_n, end_k
            _load(tri, 0, pts, short, end_s)
            for i in range(end_s, end_l):
                _load(tri, 1, pts, long_, i)
                _load(tri, 2, pts, long_, i + 1)
                _raster_triangle(tri, grid_f, nx, ny, t_out, v_out, g_out, col, a, b)
    t = t_all[0].copy()
    v = v_all[0].copy()
    g = g_all[0].copy()
    for c in range(1, n_chunks):
        for i in range(nx):
            for j in range(ny):
                if t_all[c, i, j] < t[i, j]:
                    t[i, j] = t_all[c, i, j]
                    v[i, j] = v_all[c, i, j]
                    g[i, j] = g_all[c, i, j]
    return t, v, g
