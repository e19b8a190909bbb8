"""Throughput and peak memory of the full flight model as the raid size grows.

The full model: a multi-stage missile boosted from the ground (vertical rise,
pitch-over, gravity turn, staging), drag in the U.S. Standard Atmosphere 1976,
a rotating WGS 84 Earth with J2, flown to impact. Only the fused summaries
come back (burnout, apogee, impact), no samples, as a raid or footprint
analysis asks for them.

Each size runs in a fresh subprocess so that its peak memory is its own:
the child imports, loads the compiled kernel and flies a small warm-up batch,
then takes its resident set as the baseline; the peak memory reported is the
growth of the resident set's high-water mark over that baseline during the
first timed run (input arrays, the kernel's work and its results). On Linux
the high-water mark is reset first (/proc/self/clear_refs), elsewhere the
baseline is ``ru_maxrss`` after the warm-up (see `PeakMemory`). numba's
allocations are invisible to tracemalloc, hence the resident set. Memory
that the allocator reuses from before the baseline is not counted, so very
small runs read close to 0.

The missile is the catalog's ``generic-icbm`` when the catalog has it; when
it does not, an inline 3-stage solid ICBM (numbers below, an assumption for
benchmarking only) and the output says so. Launch points are uniform over the
globe, azimuths uniform, kick angles uniform in 0.5-20 deg, from a seeded
numpy Generator. The last line of output is one JSON object.

Run: ``python benchmarks/bench_full_model.py [--sizes 1000 10000 100000] [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np

CATALOG_MISSILE = "generic-icbm"
WARM_UP_MISSILES = 16
# Below this peak the allocator mostly reuses memory freed before the baseline,
# so the reading is a floor, not a measure: no memory ratio is formed from it.
MEMORY_FLOOR_MB = 1.0


def fallback_vehicle():
    """A generic 3-stage solid ICBM of about 35 t and 13,000 km range.

    Assumption, for benchmarking only: stage masses, burn times and specific
    impulses of the order of the public Minuteman III figures; a
    representative subsonic/supersonic drag curve; a reentry body of
    beta = 10,000 kg/m^2.
    """
    from securityroof.core.flight import VehicleArrays

    stages = np.array(
        [
            # propellant kg, dry kg, burn s, Isp vac s, Isp sea level s, area m^2
            [20_800.0, 2_300.0, 61.0, 267.0, 237.0, math.pi * 0.835**2],
            [6_240.0, 795.0, 66.0, 287.0, 287.0, math.pi * 0.665**2],
            [3_300.0, 285.0, 61.0, 285.0, 285.0, math.pi * 0.660**2],
        ]
    )
    return VehicleArrays(
        stages=stages,
        payload_kg=1_150.0,
        ballistic_coefficient_kg_m2=10_000.0,
        vertical_rise_s=10.0,
        pitch_over_s=10.0,
        cd_mach=np.array([0.0, 0.6, 0.9, 1.1, 1.5, 2.0, 3.0, 5.0, 10.0]),
        cd=np.array([0.25, 0.25, 0.30, 0.45, 0.42, 0.36, 0.30, 0.25, 0.22]),
    )


def load_vehicle():
    """The catalog's generic ICBM, or the inline fallback; and a description."""
    try:
        from securityroof.model.catalog import load_missiles

        catalog = load_missiles()
        vehicle = catalog.missile(CATALOG_MISSILE).vehicle(catalog.drag_tables)
    except Exception as exc:  # no catalog yet, or no such entry: say so and go on
        reason = str(exc).splitlines()[0][:120]
        return fallback_vehicle(), f"inline 3-stage fallback ({type(exc).__name__}: {reason})"
    return vehicle, f"catalog: {CATALOG_MISSILE}"


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (MB); ru_maxrss is in KiB on Linux."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1.0 if sys.platform == "darwin" else 1024.0  # bytes on macOS
    return peak * scale / 1e6


def _proc_status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6  # kB
    raise OSError(f"no {field} in /proc/self/status")


class PeakMemory:
    """Growth of the resident set above a baseline taken by `start()` (MB).

    On Linux the kernel's high-water mark is reset at `start()` (writing 5 to
    /proc/self/clear_refs), so the baseline is the resident set at that
    moment. Elsewhere, or where that is refused, the baseline is the peak so
    far (``ru_maxrss``), so a run smaller than an earlier peak reads 0.
    """

    def __init__(self) -> None:
        self.method = "ru_maxrss"
        self.baseline_mb = 0.0

    def start(self) -> None:
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
                clear.write("5")
            self.baseline_mb = _proc_status_mb("VmRSS")
            self.method = "VmHWM after clear_refs"
        except OSError:
            self.baseline_mb = peak_rss_mb()
            self.method = "ru_maxrss"

    def peak_mb(self) -> float:
        if self.method == "ru_maxrss":
            return peak_rss_mb() - self.baseline_mb
        return _proc_status_mb("VmHWM") - self.baseline_mb


def launches(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random launch points, azimuths and kick angles (rad)."""
    return {
        "launch_lat": np.arcsin(rng.uniform(-1.0, 1.0, n)),
        "launch_lon": rng.uniform(-np.pi, np.pi, n),
        "launch_altitude_m": np.zeros(n),
        "azimuth": rng.uniform(0.0, 2.0 * np.pi, n),
        "kick": np.radians(rng.uniform(0.5, 20.0, n)),
    }


def child(size: int, seed: int, repeat: int, min_time_s: float) -> dict:
    """Fly `size` missiles in this (fresh) process and measure it."""
    import numba

    from securityroof.core.flight import STATUS_IMPACT, fly_boosted
    from securityroof.core.planet import Planet

    vehicle, vehicle_name = load_vehicle()
    planet = Planet.build("wgs84", rotating=True, j2=True)

    def fly(arrays):
        return fly_boosted(vehicle, planet, drag=True, **arrays)

    fly(launches(WARM_UP_MISSILES, np.random.default_rng(0)))  # JIT / cache load
    gc.collect()
    memory = PeakMemory()
    memory.start()

    arrays = launches(size, np.random.default_rng(seed))
    start = time.perf_counter()
    result = fly(arrays)
    best = time.perf_counter() - start
    peak_mb = memory.peak_mb()
    calls, total = 1, best
    while calls < repeat or total < min_time_s:
        del result
        start = time.perf_counter()
        result = fly(arrays)
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        total += elapsed
        calls += 1

    impacted = result.status == STATUS_IMPACT
    result_mb = sum(getattr(result, name).nbytes for name in result.__dataclass_fields__) / 1e6
    return {
        "size": size,
        "seconds": best,
        "timed_calls": calls,
        "trajectories_per_s": size / best,
        "peak_memory_mb": peak_mb,
        "baseline_rss_mb": memory.baseline_mb,
        "memory_method": memory.method,
        "result_mb": result_mb,
        "input_mb": sum(a.nbytes for a in arrays.values()) / 1e6,
        "impact_fraction": float(impacted.mean()),
        "mean_steps": float(result.steps.mean()),
        "mean_flight_time_s": float(np.nanmean(result.impact_time_s[impacted])),
        "mean_apogee_km": float(np.nanmean(result.apogee_altitude_m) / 1e3),
        "mean_burnout_speed_m_s": float(
            np.nanmean(np.linalg.norm(result.burnout_velocity_m_s, axis=1))
        ),
        "vehicle": vehicle_name,
        "threads": numba.get_num_threads(),
    }


def run_child(size: int, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        str(size),
        "--seed",
        str(args.seed),
        "--repeat",
        str(args.repeat),
        "--min-time",
        str(args.min_time),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"size {size} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000], help="missiles per run"
    )
    parser.add_argument("--repeat", type=int, default=1, help="timed calls at least, best kept")
    parser.add_argument(
        "--min-time", type=float, default=10.0, help="repeat each timing for at least this long (s)"
    )
    parser.add_argument("--seed", type=int, default=20100326)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke test")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = [200, 2_000]
        args.repeat = 1
        args.min_time = 0.0
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must be positive")
    return args


def main(argv: list[str] | None = None) -> dict | None:
    args = parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.seed, args.repeat, args.min_time)))
        return None

    runs = [run_child(size, args) for size in args.sizes]
    first = runs[0]
    print(
        "Full model: boost (multi-stage, pitch-over, gravity turn), drag (USSA 1976), "
        "rotating WGS 84 with J2, to impact; fused summaries, no samples"
    )
    print(
        f"missile: {first['vehicle']}; numba threads {first['threads']}, "
        f"{os.cpu_count()} CPUs; one fresh process per size; memory: {first['memory_method']}"
    )
    print(
        f"mean per trajectory: {first['mean_steps']:.0f} steps, burnout "
        f"{first['mean_burnout_speed_m_s'] / 1e3:.2f} km/s, apogee "
        f"{first['mean_apogee_km']:.0f} km, flight {first['mean_flight_time_s'] / 60:.1f} min"
    )
    header = (
        f"{'missiles':>9} {'time s':>9} {'traj/s':>10} {'peak MB':>9} {'results MB':>11}"
        f" {'KB/traj':>8} {'impacts':>8}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        print(
            f"{run['size']:>9} {run['seconds']:>9.3f} {run['trajectories_per_s']:>10.0f} "
            f"{run['peak_memory_mb']:>9.1f} {run['result_mb']:>11.1f} "
            f"{1e3 * run['peak_memory_mb'] / run['size']:>8.2f} {run['impact_fraction']:>8.1%}"
        )
    scaling = []
    for a, b in itertools.pairwise(runs):
        memory_ratio = (
            b["peak_memory_mb"] / a["peak_memory_mb"]
            if a["peak_memory_mb"] >= MEMORY_FLOOR_MB
            else None
        )
        scaling.append(
            {
                "from": a["size"],
                "to": b["size"],
                "size_ratio": b["size"] / a["size"],
                "throughput_ratio": b["trajectories_per_s"] / a["trajectories_per_s"],
                "memory_ratio": memory_ratio,
            }
        )
    print(f"\n{'scaling':>17} {'size x':>8} {'traj/s x':>9} {'peak MB x':>10}")
    for step in scaling:
        memory = "n/a *" if step["memory_ratio"] is None else f"{step['memory_ratio']:.2f}"
        print(
            f"{step['from']:>7} -> {step['to']:<7} {step['size_ratio']:>8.1f} "
            f"{step['throughput_ratio']:>9.2f} {memory:>10}"
        )
    if any(step["memory_ratio"] is None for step in scaling):
        print(
            f"* no memory ratio from a run whose peak is under {MEMORY_FLOOR_MB:g} MB: "
            "there the allocator reuses memory freed before the baseline"
        )

    summary = {
        "benchmark": "full_model",
        "vehicle": first["vehicle"],
        "sizes": [run["size"] for run in runs],
        "trajectories_per_s": {str(run["size"]): run["trajectories_per_s"] for run in runs},
        "peak_memory_mb": {str(run["size"]): run["peak_memory_mb"] for run in runs},
        "scaling": scaling,
        "runs": runs,
        "memory_floor_mb": MEMORY_FLOOR_MB,
        "cores": first["threads"],
        "cpu_count": os.cpu_count(),
        "seed": args.seed,
    }
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
