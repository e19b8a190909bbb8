"""The benchmarks run end to end (``--quick``) and end with one sane JSON line.

These are smoke tests, not timed tests: they check that each benchmark runs,
that its last line carries the documented keys, that throughputs are positive
and that the accuracy it reports is physically sane. They assert no speed.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
HAS_HEYOKA = importlib.util.find_spec("heyoka") is not None

FLIGHT_KEYS = {
    "trajectories_per_s",
    "ratio_vs_scipy",
    "ratio_vs_heyoka",
    "max_disagreement_m",
    "scipy_trajectories_per_s",
    "heyoka_trajectories_per_s",
    "heyoka_max_disagreement_m",
    "heyoka_available",
    "cases",
    "grid_points",
    "cores",
}
HEYOKA_KEYS = (
    "ratio_vs_heyoka",
    "single_thread_ratio_vs_heyoka",
    "heyoka_trajectories_per_s",
    "heyoka_max_disagreement_m",
)


def run_benchmark(script: str, *args: str) -> tuple[dict, str]:
    """Run a benchmark with --quick; return its last line parsed, and its output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if part
    )
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) > 3, "expected a readable table before the JSON line"
    return json.loads(lines[-1]), done.stdout


def positive(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def check_flight_common(summary: dict) -> None:
    assert summary.keys() >= FLIGHT_KEYS
    assert positive(summary["trajectories_per_s"])
    assert positive(summary["scipy_trajectories_per_s"])
    assert math.isclose(
        summary["ratio_vs_scipy"],
        summary["trajectories_per_s"] / summary["scipy_trajectories_per_s"],
        rel_tol=1e-9,
    )
    # Default kernel tolerances (1e-3 m, 1e-6 m/s per step) over ~10 minutes of
    # flight: the sampled positions must agree with the tight reference to a metre.
    assert 0.0 <= summary["max_disagreement_m"] < 1.0  # metre
    assert 0.0 <= summary["scipy_max_disagreement_m"] < 1.0  # metre
    assert summary["cases"] >= summary["subset_cases"] >= 1
    assert summary["grid_points"] >= 2
    assert summary["cores"] >= 1


def test_flight_benchmark_reports_throughput_and_accuracy():
    summary, output = run_benchmark("bench_flight.py")
    check_flight_common(summary)
    if HAS_HEYOKA:
        assert summary["heyoka_available"] is True
        assert positive(summary["heyoka_trajectories_per_s"])
        assert math.isclose(
            summary["ratio_vs_heyoka"],
            summary["trajectories_per_s"] / summary["heyoka_trajectories_per_s"],
            rel_tol=1e-9,
        )
        assert 0.0 <= summary["heyoka_max_disagreement_m"] < 1.0  # metre
        assert summary["reference"].startswith("heyoka")
    else:
        # heyoka missing: the benchmark says so and reports nulls, never a number.
        assert summary["heyoka_available"] is False
        assert all(summary[key] is None for key in HEYOKA_KEYS)
        assert "heyoka not installed" in output


def test_flight_benchmark_without_heyoka_reports_nulls():
    summary, output = run_benchmark("bench_flight.py", "--without-heyoka")
    check_flight_common(summary)
    assert summary["heyoka_available"] is False
    assert all(summary[key] is None for key in HEYOKA_KEYS)
    assert summary["reference"].startswith("scipy DOP853")
    assert "heyoka fields are null" in output


def test_full_model_benchmark_reports_throughput_memory_and_scaling():
    summary, _ = run_benchmark("bench_full_model.py")
    sizes = summary["sizes"]
    assert len(sizes) >= 2
    assert set(summary["trajectories_per_s"]) == {str(size) for size in sizes}
    assert set(summary["peak_memory_mb"]) == {str(size) for size in sizes}
    for size in sizes:
        assert positive(summary["trajectories_per_s"][str(size)])
        memory = summary["peak_memory_mb"][str(size)]
        assert math.isfinite(memory) and memory >= 0.0
    assert len(summary["scaling"]) == len(sizes) - 1
    for step, (small, large) in zip(summary["scaling"], itertools.pairwise(sizes), strict=True):
        assert (step["from"], step["to"]) == (small, large)
        assert step["size_ratio"] == large / small
        assert positive(step["throughput_ratio"])
    for run in summary["runs"]:
        # Sanity of the physics behind the timing: ICBM-class flights that land.
        assert run["impact_fraction"] > 0.9
        assert 4_000.0 < run["mean_burnout_speed_m_s"] < 8_000.0  # m/s
        assert run["result_mb"] > 0.0
    assert summary["vehicle"]


def test_engagement_benchmark_quick():
    summary, _ = run_benchmark("bench_engagement.py")
    assert summary["benchmark"] == "engagement"
    assert summary["sites"] == 10 and summary["sensors"] == 5
    for size, rate in summary["pairs_per_s"].items():
        assert rate > 0, size
        assert summary["engage_pairs_per_s"][size] >= rate
        assert summary["peak_memory_mb"][size] >= 0
    for run in summary["runs"]:
        assert 0.0 < run["engaged_fraction"] < 1.0  # some pairs engage, some do not


def test_analyses_benchmark_quick():
    summary, _ = run_benchmark("bench_analyses.py")
    assert summary["benchmark"] == "analyses"
    for row in summary["footprint"]:
        assert row["aim_points"] > 0 and row["aim_points_per_s"] > 0
        assert row["batteries"] == 10 and row["configurations"] == 9
    assert all(row["coalitions_per_s"] > 0 for row in summary["shapley"])
    assert all(row["trials_per_s"] > 0 for row in summary["raid"])


OPS_LOAD_KEYS = {
    "picture_requests_per_s",
    "picture_p50_ms",
    "picture_p95_ms",
    "picture_p99_ms",
    "me_requests_per_s",
    "me_p50_ms",
    "me_p95_ms",
    "me_p99_ms",
    "ratio_picture_vs_me",
    "sse_subscribers",
    "sse_events_per_s",
    "errors",
    "readers",
    "duration_s",
    "cores",
}


def test_ops_load_benchmark_quick():
    """A real `roof serve` on loopback, loaded for a few seconds: documented keys,
    positive throughputs, ordered percentiles, no failed request, a finite ratio
    to the peer endpoint. No speed is asserted."""
    summary, _ = run_benchmark("bench_ops_load.py")
    assert summary.keys() >= OPS_LOAD_KEYS
    assert summary["errors"] == 0, summary.get("errors_by_kind")
    for key in ("picture_requests_per_s", "me_requests_per_s", "sse_events_per_s"):
        assert positive(summary[key]), key
    for name in ("picture", "me"):
        p50, p95, p99 = (summary[f"{name}_p{q}_ms"] for q in (50, 95, 99))
        assert positive(p50) and p50 <= p95 <= p99, name
    ratio = summary["ratio_picture_vs_me"]
    assert isinstance(ratio, float) and math.isfinite(ratio) and ratio > 0
    assert math.isclose(
        ratio, summary["picture_requests_per_s"] / summary["me_requests_per_s"], rel_tol=1e-9
    )
    assert summary["readers"] == 8 and summary["sse_subscribers"] == 8  # the --quick sizes
    assert summary["duration_s"] == 4.0
    assert isinstance(summary["cores"], int) and summary["cores"] >= 1


def test_stability_benchmark_quick() -> None:
    summary, out = run_benchmark("bench_stability.py")
    assert summary["benchmark"] == "stability"
    assert summary["draws"] == 30
    for key in ("seconds_total", "seconds_geometry", "seconds_draws", "ratio_vs_plain"):
        assert positive(summary[key]), key
    # The Monte Carlo and the plain per-draw loop agree on almost every
    # trajectory-draw (flyout times interpolated between reach tables).
    assert 0.9 <= summary["agreement_with_plain"] <= 1.0
    p, low, high = summary["probability_strategic"]
    assert 0.0 <= low <= p <= high <= 1.0
    assert "plain per-draw loop" in out


def test_envelope_benchmark_quick() -> None:
    summary, out = run_benchmark("bench_envelope.py")
    assert summary["benchmark"] == "envelope"
    for key in ("plain_seconds_per_place", "ratio_map_vs_plain", "ratio_speed_vs_sweep"):
        assert positive(summary[key]), key
    assert summary["places"] == {"4.0": 300, "2.0": 1250}
    # The places run the plain way are judged as the map judges them.
    assert summary["plain_agreement"] == 1.0
    assert "plain method" in out and "bisection" in out


def test_assess_benchmark_quick() -> None:
    summary, out = run_benchmark("bench_assess.py")
    assert summary["benchmark"] == "assess"
    for key in ("seconds", "old_seconds", "ratio_vs_old"):
        assert positive(summary[key]), key
    # The walk down once gives the numbers the old walk gave.
    assert summary["same_results"] is True
    assert "old walk" in out
