"""Benchmarks of the analyses: footprints, exact Shapley values, raids.

- Footprint: a roof of 10 interceptor batteries (the joint NATO-Russia
  architecture plus three more sites) against 3 launch areas x 3 trajectory
  shapes (minimum energy, lofted, depressed), over Europe and European
  Russia at 2, 1 and 0.5 degrees (684, 2,736 and 10,944 aim points).
- Shapley: exact values of random roofs of 8, 12 and 16 parties (every
  coalition valued by bit operations).
- Raid: 50 missiles against 10 sites, 1,000 to 100,000 trials.

Each prints work per second and the peak memory growth of the step
(VmHWM after clear_refs; see bench_full_model.py), then one JSON line.
Footprint times are warm (after a 4 degree run that compiles and fills the
caches), with the CPU seconds they took: about the core count times the
wall time when the machine is otherwise idle.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_full_model import PeakMemory
from securityroof.analysis.cooperation import coalition_values, shapley_exact
from securityroof.analysis.footprint import analyse_footprint
from securityroof.core.raid import simulate_raid
from securityroof.model.scenario import load_scenario

ROOF = """
[scenario]
name = "benchmark roof: joint NATO-Russia plus three sites"
architecture = "joint-nato-russia"

[[sites]]
id = "black-sea"

[[sites]]
id = "north-sea"

[[sites]]
id = "thaad-israel"

[[sites]]
id = "vandenberg"

[[threats]]
missile = "sejjil-2"
from = "tabriz"
to = ["bucharest"]
shapes = ["minimum-energy", "lofted", "depressed"]

[[threats]]
missile = "shahab-3"
from = "kermanshah"
to = ["ankara"]
shapes = ["minimum-energy", "lofted", "depressed"]

[[threats]]
missile = "generic-irbm"
from = "semnan"
to = ["warsaw"]
shapes = ["minimum-energy", "lofted", "depressed"]
"""


def timed(function):
    memory = PeakMemory()
    memory.start()
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start, memory.peak_mb()


def timed_cpu(function):
    """As `timed`, plus the process's CPU seconds (over the wall time: the
    cores it got; well under the machine's count means another load)."""
    start = time.process_time()
    value, seconds, peak = timed(function)
    return value, seconds, peak, time.process_time() - start


def bench_footprint(resolutions):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roof.toml"
        path.write_text(ROOF)
        scenario = load_scenario(path)
        analyse_footprint(scenario, resolution_deg=4.0)  # compile and fill caches
        rows = []
        for resolution in resolutions:
            result, seconds, peak, cpu = timed_cpu(
                lambda r=resolution: analyse_footprint(scenario, resolution_deg=r)
            )
            cells = int(result.threatened[0].size)
            rows.append(
                {
                    "resolution_deg": resolution,
                    "aim_points": cells,
                    "configurations": len(result.configs),
                    "batteries": len(result.batteries),
                    "fan_trajectories": result.fan_trajectories,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "aim_points_per_s": cells * len(result.configs) / seconds,
                    "peak_memory_mb": peak,
                }
            )
    return rows


def bench_shapley(party_counts, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for n in party_counts:
        n_targets = 40 * n
        target = np.arange(n_targets).repeat(3)
        masks = np.array(
            [
                int(sum(1 << p for p in rng.choice(n, size=rng.integers(1, 4), replace=False)))
                for _ in target
            ],
            dtype=np.int64,
        )
        values = rng.uniform(1e4, 1e6, n_targets)

        def run(n=n, target=target, masks=masks, values=values):
            return shapley_exact(coalition_values(target, masks, values, n), n)

        run()  # warm
        _, seconds, peak = timed(run)
        rows.append(
            {
                "parties": n,
                "coalitions": 2**n,
                "seconds": seconds,
                "coalitions_per_s": 2**n / seconds,
                "peak_memory_mb": peak,
            }
        )
    return rows


def bench_raid(trial_counts, seed):
    rng = np.random.default_rng(seed)
    opportunities = rng.integers(0, 4, size=(50, 10))
    first = rng.uniform(100.0, 900.0, size=(50, 10))
    inventory = rng.integers(5, 20, size=10)
    pk = np.column_stack([np.full(10, 0.5), np.full(10, 0.8)])
    simulate_raid(opportunities, first, inventory, pk, trials=100, seed=seed)  # compile
    rows = []
    for trials in trial_counts:
        _, seconds, peak = timed(
            lambda t=trials: simulate_raid(opportunities, first, inventory, pk, trials=t, seed=seed)
        )
        rows.append(
            {
                "trials": trials,
                "missiles": 50,
                "sites": 10,
                "seconds": seconds,
                "trials_per_s": trials / seconds,
                "peak_memory_mb": peak,
            }
        )
    return rows


def _growth(rows, size_key, rate_key):
    return [
        {
            "from": a[size_key],
            "to": b[size_key],
            "size_ratio": b[size_key] / a[size_key],
            "time_ratio": b["seconds"] / a["seconds"],
            "rate_ratio": b[rate_key] / a[rate_key],
        }
        for a, b in itertools.pairwise(rows)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke test")
    parser.add_argument("--seed", type=int, default=20100326)
    parser.add_argument(
        "--resolutions",
        type=float,
        nargs="+",
        metavar="DEG",
        help="footprint grid steps, degrees (default 2 1 0.5; --quick 4 3)",
    )
    args = parser.parse_args()
    resolutions = args.resolutions or ([4.0, 3.0] if args.quick else [2.0, 1.0, 0.5])
    parties = [6, 8] if args.quick else [8, 12, 16]
    trials = [1_000, 5_000] if args.quick else [1_000, 10_000, 100_000]

    footprint = bench_footprint(resolutions)
    print("footprint (3 launch areas x 3 shapes, 10 batteries):")
    for r in footprint:
        print(
            f"  {r['resolution_deg']:>4} deg {r['aim_points']:>6} aim points "
            f"{r['fan_trajectories']:>7} fan trajectories {r['seconds']:>7.2f} s "
            f"(cpu {r['cpu_seconds']:>6.2f} s) "
            f"{r['aim_points_per_s']:>9.0f} aim points x configurations/s "
            f"{r['peak_memory_mb']:>7.1f} MB"
        )
    shapley = bench_shapley(parties, args.seed)
    print("exact Shapley:")
    for r in shapley:
        print(
            f"  {r['parties']:>3} parties {r['coalitions']:>7} coalitions {r['seconds']:>7.3f} s "
            f"{r['coalitions_per_s']:>11.0f} coalitions/s {r['peak_memory_mb']:>7.1f} MB"
        )
    raid = bench_raid(trials, args.seed)
    print("raid (50 missiles, 10 sites):")
    for r in raid:
        print(
            f"  {r['trials']:>7} trials {r['seconds']:>7.3f} s {r['trials_per_s']:>10.0f} trials/s "
            f"{r['peak_memory_mb']:>7.1f} MB"
        )
    print(
        json.dumps(
            {
                "benchmark": "analyses",
                "footprint": footprint,
                "footprint_growth": _growth(footprint, "aim_points", "aim_points_per_s"),
                "shapley": shapley,
                "shapley_growth": _growth(shapley, "coalitions", "coalitions_per_s"),
                "raid": raid,
                "raid_growth": _growth(raid, "trials", "trials_per_s"),
            }
        )
    )


if __name__ == "__main__":
    main()
