"""Free-flight throughput and accuracy against scipy and heyoka, measured in one run.

Every method flies the same drag-free suborbital trajectories (point mass plus
J2, non-rotating WGS 84 Earth, so the kernel's Earth-fixed samples are the
inertial state) from the same burnout states and samples them on one time
grid, every `--dt` seconds from 0 to a horizon T that every case reaches
before impact:

- this project: `fly_free` on all cores (numba, parallel over trajectories),
  and again on one thread;
- scipy `solve_ivp(method="DOP853")` one trajectory at a time with a plain
  numpy right-hand side, on a subset (what an analyst would write first);
- heyoka.py batch mode (Taylor method, one SIMD batch of trajectories per
  call), one compiled integrator reused across batches;
- a tight reference (heyoka at tol 1e-15, or DOP853 at rtol 1e-13 when heyoka
  is missing) on a subset, against which each method's largest position
  error on the grid is reported.

Compilation (numba and heyoka's LLVM) happens before any timing. The ratios
compare throughputs measured in this run on this machine; absolute numbers
depend on the machine. The last line of output is one JSON object.

Run: ``python benchmarks/bench_flight.py [--cases N] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
from scipy.integrate import solve_ivp

from securityroof.core.flight import (
    DEFAULT_SETTINGS as DEFAULTS,
)
from securityroof.core.flight import (
    STATUS_IMPACT,
    IntegratorSettings,
    burnout_state_ecef,
    fly_free,
)
from securityroof.core.planet import Planet

try:
    import heyoka as hy
except ImportError:  # optional dependency (the `bench` extra)
    hy = None


@dataclass(frozen=True)
class Cases:
    """Burnout states (inertial = ECEF on the non-rotating Earth) and the grid."""

    position_m: np.ndarray  # (n, 3)
    velocity_m_s: np.ndarray  # (n, 3)
    grid_s: np.ndarray  # (n_grid,)

    @property
    def y0(self) -> np.ndarray:
        return np.hstack((self.position_m, self.velocity_m_s))

    def __len__(self) -> int:
        return self.position_m.shape[0]


@dataclass
class Row:
    """One line of the results table."""

    method: str
    cases: int
    threads: int
    seconds: float
    disagreement_m: float | None = None
    note: str = ""

    @property
    def per_s(self) -> float:
        return self.cases / self.seconds


def make_cases(n: int, rng: np.random.Generator, planet: Planet, dt_s: float) -> Cases:
    """Random suborbital burnout states and a grid every case flies through.

    Speeds 5.5-7.2 km/s, flight-path angles 15-45 deg, burnout altitudes
    100-300 km, positions uniform over the sphere, azimuths uniform. The
    horizon is the last grid time before the earliest impact, found with this
    project's kernel (not timed).
    """
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-np.pi, np.pi, n)
    altitude_m = rng.uniform(100e3, 300e3, n)
    speed_m_s = rng.uniform(5.5e3, 7.2e3, n)
    gamma = np.radians(rng.uniform(15.0, 45.0, n))
    azimuth = rng.uniform(0.0, 2.0 * np.pi, n)
    position, velocity = burnout_state_ecef(lat, lon, altitude_m, speed_m_s, gamma, azimuth, planet)
    to_impact = fly_free(planet, position, velocity, drag=False)
    if not np.all(to_impact.status == STATUS_IMPACT):
        raise RuntimeError("a benchmark case did not impact; the case ranges are wrong")
    n_steps = math.floor(np.min(to_impact.impact_time_s) / dt_s)
    return Cases(position, velocity, np.arange(n_steps + 1) * dt_s)


def best_time(
    run: Callable[[], object], repeat: int, min_total_s: float = 0.0
) -> tuple[float, object]:
    """Shortest wall time over at least `repeat` calls, calling again until
    `min_total_s` seconds have been spent; and the last call's result."""
    best = math.inf
    result = None
    calls = 0
    total = 0.0
    while calls < repeat or total < min_total_s:
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        total += elapsed
        calls += 1
    return best, result


def max_position_error_m(positions_m: np.ndarray, reference_m: np.ndarray) -> float:
    """Largest distance (m) between (n, n_grid, 3) position arrays; NaN counts as inf."""
    error = np.linalg.norm(positions_m - reference_m, axis=-1)
    return float(np.max(np.where(np.isnan(error), np.inf, error)))


# --- this project --------------------------------------------------------------


def run_project(planet: Planet, cases: Cases) -> tuple[np.ndarray, np.ndarray]:
    """(n, n_grid, 3) sampled positions and (n,) accepted steps from `fly_free`."""
    dt_s = float(cases.grid_s[1] - cases.grid_s[0])
    horizon_s = float(cases.grid_s[-1])
    result = fly_free(
        planet,
        cases.position_m,
        cases.velocity_m_s,
        drag=False,
        sample_dt_s=dt_s,
        sample_until_s=horizon_s,
        settings=IntegratorSettings(max_flight_time_s=horizon_s),
    )
    return result.samples[:, :, :3], result.steps


# --- scipy ---------------------------------------------------------------------


def j2_rhs_numpy(t, y, gm, j2, radius_m):
    """Point mass plus J2 (Vallado 2013, eq. 8-30) as an analyst writes it in numpy."""
    r = y[:3]
    r2 = r @ r
    z2_r2 = r[2] ** 2 / r2
    k = 1.5 * j2 * radius_m**2 / r2
    factor = np.array([1.0 + k * (1.0 - 5.0 * z2_r2)] * 2 + [1.0 + k * (3.0 - 5.0 * z2_r2)])
    acceleration = -gm / (r2 * np.sqrt(r2)) * r * factor
    return np.concatenate((y[3:], acceleration))


def run_scipy(planet: Planet, cases: Cases, rtol: float, atol: np.ndarray) -> np.ndarray:
    """(n, n_grid, 3) positions from DOP853, one trajectory at a time."""
    grid = cases.grid_s
    out = np.empty((len(cases), grid.size, 3))
    args = (planet.gm_m3_s2, planet.j2, planet.j2_radius_m)
    for i, y0 in enumerate(cases.y0):
        sol = solve_ivp(
            j2_rhs_numpy,
            (grid[0], grid[-1]),
            y0,
            method="DOP853",
            t_eval=grid,
            rtol=rtol,
            atol=atol,
            args=args,
        )
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed on case {i}: {sol.message}")
        out[i] = sol.y[:3].T
    return out


# --- heyoka --------------------------------------------------------------------


def heyoka_system(planet: Planet):
    """The same point mass plus J2 field as heyoka expressions."""
    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    r2 = x * x + y * y + z * z
    mu_r3 = planet.gm_m3_s2 / (r2 * hy.sqrt(r2))
    k = 1.5 * planet.j2 * planet.j2_radius_m**2 / r2
    z2_r2 = z * z / r2
    common = 1.0 + k * (1.0 - 5.0 * z2_r2)
    return [
        (x, vx),
        (y, vy),
        (z, vz),
        (vx, -mu_r3 * x * common),
        (vy, -mu_r3 * y * common),
        (vz, -mu_r3 * z * (1.0 + k * (3.0 - 5.0 * z2_r2))),
    ]


def heyoka_integrator(planet: Planet, tol: float | None, high_accuracy: bool = False):
    """A compiled batch integrator (compilation is not timed)."""
    batch = hy.recommended_simd_size()
    kwargs = {"high_accuracy": high_accuracy}
    if tol is not None:
        kwargs["tol"] = tol
    return hy.taylor_adaptive_batch(heyoka_system(planet), np.zeros((6, batch)), **kwargs)


def run_heyoka(integrator, cases: Cases) -> np.ndarray:
    """(n, n_grid, 3) positions, one SIMD batch per `propagate_grid` call.

    The last batch is padded with copies of the last case.
    """
    batch = integrator.batch_size
    grid = np.ascontiguousarray(np.repeat(cases.grid_s[:, None], batch, axis=1))
    y0 = cases.y0
    n = y0.shape[0]
    out = np.empty((n, grid.shape[0], 3))
    for start in range(0, n, batch):
        stop = min(start + batch, n)
        state = np.empty((6, batch))
        state[:, : stop - start] = y0[start:stop].T
        state[:, stop - start :] = y0[stop - 1][:, None]
        integrator.state[:] = state
        integrator.set_time(0.0)
        _, samples = integrator.propagate_grid(grid)
        for outcome, *_ in integrator.propagate_res:
            if outcome != hy.taylor_outcome.time_limit:
                raise RuntimeError(f"heyoka propagation ended with {outcome}")
        out[start:stop] = np.transpose(samples[:, :3, : stop - start], (2, 0, 1))
    return out


# --- driver --------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=4000, help="trajectories (default 4000)")
    parser.add_argument("--subset", type=int, default=30, help="cases for scipy and the reference")
    parser.add_argument("--dt", type=float, default=10.0, help="grid spacing (s)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats at least, best kept")
    parser.add_argument(
        "--min-time", type=float, default=2.0, help="repeat each timing for at least this long (s)"
    )
    parser.add_argument("--seed", type=int, default=20100326)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke test")
    parser.add_argument(
        "--without-heyoka", action="store_true", help="behave as if heyoka were not installed"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.cases = min(args.cases, 256)
        args.subset = min(args.subset, 8)
        args.repeat = 1
        args.min_time = 0.0
    args.subset = min(args.subset, args.cases)
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    use_heyoka = hy is not None and not args.without_heyoka
    planet = Planet.build("wgs84", rotating=False, j2=True)
    rng = np.random.default_rng(args.seed)

    # Compile this project's kernels (both call shapes) before any timing.
    warm = make_cases(8, np.random.default_rng(0), planet, args.dt)
    run_project(planet, warm)
    cases = make_cases(args.cases, rng, planet, args.dt)
    subset = Cases(cases.position_m[: args.subset], cases.velocity_m_s[: args.subset], cases.grid_s)
    threads = numba.get_num_threads()
    rows: list[Row] = []

    # Reference on the subset.
    if use_heyoka:
        reference_name = "heyoka batch, tol 1e-15, high accuracy"
        reference_integrator = heyoka_integrator(planet, 1e-15, high_accuracy=True)
        seconds, reference = best_time(lambda: run_heyoka(reference_integrator, subset), 1)
    else:
        reference_name = "scipy DOP853, rtol 1e-13"
        atol = np.array([1e-9] * 3 + [1e-12] * 3)
        seconds, reference = best_time(lambda: run_scipy(planet, subset, 1e-13, atol), 1)
    rows.append(Row(f"reference: {reference_name}", len(subset), 1, seconds, 0.0))

    # This project, all threads and one thread.
    seconds, (positions, steps) = best_time(
        lambda: run_project(planet, cases), args.repeat, args.min_time
    )
    ours = Row(
        f"securityroof fly_free (numba DOPRI5, {DEFAULTS.position_tolerance_m:g} m, "
        f"{DEFAULTS.velocity_tolerance_m_s:g} m/s)",
        len(cases),
        threads,
        seconds,
        max_position_error_m(positions[: args.subset], reference),
        f"{steps.mean():.1f} steps/trajectory",
    )
    rows.append(ours)
    if threads > 1:
        numba.set_num_threads(1)
        try:
            seconds, _ = best_time(lambda: run_project(planet, cases), args.repeat, args.min_time)
        finally:
            numba.set_num_threads(threads)
        ours_single = Row("securityroof fly_free, one thread", len(cases), 1, seconds)
        rows.append(ours_single)
    else:
        ours_single = ours

    # scipy on the subset.
    scipy_rtol = 1e-10
    scipy_atol = np.array(
        [DEFAULTS.position_tolerance_m] * 3 + [DEFAULTS.velocity_tolerance_m_s] * 3
    )
    seconds, positions = best_time(
        lambda: run_scipy(planet, subset, scipy_rtol, scipy_atol), 1, args.min_time
    )
    scipy_row = Row(
        "scipy DOP853 (numpy rhs, rtol 1e-10, same atol)",
        len(subset),
        1,
        seconds,
        max_position_error_m(positions, reference),
    )
    rows.append(scipy_row)

    # heyoka batch on every case.
    heyoka_row = None
    heyoka_note = "heyoka not installed (pip install heyoka): heyoka fields are null"
    if args.without_heyoka:
        heyoka_note = "heyoka skipped (--without-heyoka): heyoka fields are null"
    if use_heyoka:
        batch = hy.recommended_simd_size()
        for tol, label in ((1e-12, "tol 1e-12"), (None, "default tol (machine epsilon)")):
            integrator = heyoka_integrator(planet, tol)
            seconds, positions = best_time(
                lambda i=integrator: run_heyoka(i, cases), args.repeat, args.min_time
            )
            row = Row(
                f"heyoka batch (SIMD {batch}), {label}",
                len(cases),
                1,
                seconds,
                max_position_error_m(positions[: args.subset], reference),
            )
            rows.append(row)
            heyoka_row = heyoka_row or row
        heyoka_note = f"heyoka {hy.__version__}"

    print(
        f"Free flight, point mass + J2, non-rotating WGS 84, no drag: {len(cases)} cases, "
        f"grid {cases.grid_s.size} points every {args.dt:g} s to {cases.grid_s[-1]:g} s"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"numba threads {threads}; {heyoka_note}"
    )
    print(f"position disagreement: max over {len(subset)} cases and the grid vs the reference")
    header = f"{'method':<52} {'cases':>6} {'thr':>4} {'time s':>9} {'traj/s':>11}"
    header += f" {'ours/x':>8} {'max dr m':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = "" if row.method.startswith("reference") else f"{ours.per_s / row.per_s:8.2f}"
        error = "" if row.disagreement_m is None else f"{row.disagreement_m:10.3g}"
        print(
            f"{row.method:<52} {row.cases:>6} {row.threads:>4} {row.seconds:>9.4f} "
            f"{row.per_s:>11.1f} {ratio:>8} {error:>10}  {row.note}"
        )

    summary = {
        "benchmark": "flight",
        "trajectories_per_s": ours.per_s,
        "single_thread_trajectories_per_s": ours_single.per_s,
        "ratio_vs_scipy": ours.per_s / scipy_row.per_s,
        "ratio_vs_heyoka": ours.per_s / heyoka_row.per_s if heyoka_row else None,
        "single_thread_ratio_vs_heyoka": (
            ours_single.per_s / heyoka_row.per_s if heyoka_row else None
        ),
        "max_disagreement_m": ours.disagreement_m,
        "scipy_trajectories_per_s": scipy_row.per_s,
        "scipy_max_disagreement_m": scipy_row.disagreement_m,
        "heyoka_available": heyoka_row is not None,
        "heyoka_trajectories_per_s": heyoka_row.per_s if heyoka_row else None,
        "heyoka_max_disagreement_m": heyoka_row.disagreement_m if heyoka_row else None,
        "heyoka_tolerance": 1e-12 if heyoka_row else None,
        "reference": reference_name,
        "cases": len(cases),
        "subset_cases": len(subset),
        "grid_points": int(cases.grid_s.size),
        "horizon_s": float(cases.grid_s[-1]),
        "mean_steps": float(steps.mean()),
        "cores": threads,
        "cpu_count": os.cpu_count(),
        "seed": args.seed,
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
