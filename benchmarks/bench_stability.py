"""Benchmark of the stability verdict under uncertainty.

The default strategic set of a roof of US batteries (every Russian ICBM field
and SLBM patrol area against the 20 most populous US cities, on minimum-energy,
lofted and depressed trajectories) against the US homeland defence plus EPAA
phase 3, under Monte Carlo draws of every uncertain catalog value.

- **This project**: `analyse_stability(draws=N)` as a whole (the verdict, its
  cases, track assumptions and Monte Carlo; the trajectories flown once per
  missile range case, the geometry laid out once for the whole box of
  values), and its Monte Carlo alone: every draw evaluated on the shared
  geometry (detection and the pruned engagement scan), then the
  Borgonovo/Sobol indices.
- **The plain per-draw loop**, measured alongside on a few draws: for each
  draw, prepare, fly and look again (a fresh observation for that draw's
  values), then evaluate it, as a script without the shared geometry would.
  The share of trajectory-draws on which the two agree is printed: the Monte
  Carlo interpolates flyout times between reach tables built at a few burnout
  speeds, where the plain loop builds a table at each draw's own speed.

Prints the wall times, the cost per draw of each, their ratio, and one JSON
line. `--quick` uses a small set and few draws (the test suite's smoke test).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from securityroof.analysis.engagement import evaluate, observe
from securityroof.analysis.prepare import prepare
from securityroof.analysis.stability import analyse_stability, judged_pairs, strategic_scenario
from securityroof.analysis.uncertainty import monte_carlo
from securityroof.model.scenario import load_scenario

ROOF = """
[scenario]
name = "benchmark: US homeland defence plus EPAA phase 3"
architecture = "us-homeland"

[assumptions]
cueing = "across-parties"

[[sites]]
id = "eastern-mediterranean"
interceptors = [{ type = "sm-3-block-iia", count = 8 }]

[[sites]]
id = "kurecik"

[[sites]]
id = "deveselu"

[[sites]]
id = "redzikowo"

[[sites]]
id = "rota"
"""
QUICK = """
[strategic]
launch_areas = ["kozelsk", "novosibirsk"]
targets = ["washington", "seattle", "chicago"]
"""


def plain_loop(scenario, draws: np.ndarray) -> tuple[float, np.ndarray]:
    """Per draw: a fresh preparation, flights and geometry, then the evaluation."""
    start = time.perf_counter()
    hits = []
    for draw in draws:
        prepared = prepare(scenario)
        seen = observe(prepared, draw[None], skip_unreachable=True)
        result = evaluate(seen, draw[None], details=False)
        judged = judged_pairs(prepared)
        hits.append((result.windows.engageable[0] & judged).any(axis=1))
    return time.perf_counter() - start, np.array(hits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--plain", type=int, default=3, help="draws run the plain way")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    draws = 30 if args.quick else args.draws
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roof.toml"
        path.write_text(ROOF + (QUICK if args.quick else ""))
        scenario = load_scenario(path)
        # Compile the kernels outside the timing (cached on disk by numba).
        warm = Path(folder) / "warm.toml"
        warm.write_text(
            ROOF + '[strategic]\nlaunch_areas = ["kozelsk"]\ntargets = ["washington"]\n'
        )
        analyse_stability(load_scenario(warm), draws=2, sweeps=False)
        start = time.perf_counter()
        result = analyse_stability(scenario, draws=draws, seed=1, sweeps=False)
        total_s = time.perf_counter() - start
        assert result.uncertainty is not None
        n_threats = len(result.scenario.threats)
        # The Monte Carlo alone, on a geometry built once (its own time).
        strategic = strategic_scenario(scenario)
        prepared = prepare(strategic)
        start = time.perf_counter()
        seen = observe(prepared, np.stack(prepared.space.bounds()), skip_unreachable=True)
        geometry_s = time.perf_counter() - start
        start = time.perf_counter()
        mc = monte_carlo(strategic, prepared, judged_pairs(prepared), draws, 1, observation=seen)
        fast_s = time.perf_counter() - start
        assert np.array_equal(mc.engageable, result.uncertainty.engageable)
        # The plain loop on the first draws, with each missile at the range case
        # the fast path flew for it (the nearest of low, nominal and high).
        sample = result.uncertainty.draws[: args.plain].copy()
        sample[:, prepared.missile_slot] = np.round(sample[:, prepared.missile_slot])
        plain_s, plain_hits = plain_loop(strategic, sample)
        agreement = float((plain_hits == result.uncertainty.engageable[: args.plain]).mean())
    per_draw_fast = fast_s / draws
    per_draw_plain = plain_s / max(args.plain, 1)
    p, lo, hi = result.probability_strategic or (float("nan"),) * 3
    print(
        f"strategic set: {n_threats} trajectories ({result.strategic_threats} flown at the "
        f"case), {len(prepared.batteries)} batteries, {len(prepared.sensors)} sensors"
    )
    print(
        f"this project: the whole verdict with {draws} draws in {total_s:.1f} s; of which the "
        f"geometry once {geometry_s:.1f} s, the draws and indices {fast_s:.1f} s "
        f"({1e3 * per_draw_fast:.1f} ms a draw)"
    )
    print(
        f"plain per-draw loop: {args.plain} draws in {plain_s:.1f} s "
        f"({per_draw_plain:.1f} s a draw); the two agree on {agreement:.1%} of the "
        "trajectory-draws (flyout times interpolated between reach tables at node speeds "
        "against a table at each draw's own speed)"
    )
    print(f"ratio (plain / this project, per draw): {per_draw_plain / per_draw_fast:,.0f}")
    print(f"verdict {result.verdict}; P(strategic) = {p:.2f} [{lo:.2f}, {hi:.2f}]")
    print(
        json.dumps(
            {
                "benchmark": "stability",
                "trajectories": n_threats,
                "draws": draws,
                "seconds_total": total_s,
                "seconds_geometry": geometry_s,
                "seconds_draws": fast_s,
                "seconds_per_draw": per_draw_fast,
                "plain_seconds_per_draw": per_draw_plain,
                "ratio_vs_plain": per_draw_plain / per_draw_fast,
                "agreement_with_plain": agreement,
                "probability_strategic": [p, lo, hi],
            }
        )
    )


if __name__ == "__main__":
    main()
