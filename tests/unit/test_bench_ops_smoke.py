"""The operations load benchmark runs end to end (``--quick``) and ends with one sane JSON line.

A smoke test, not a timed test: it sets up a real service through the CLI,
serves it on loopback, loads it for a few seconds and checks that the last
line carries the documented keys, that every throughput is positive, that no
request failed and that the ratio to the peer endpoint is finite. It asserts
no speed.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_ops_load.py"

KEYS = {
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


def positive(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_ops_load_benchmark_quick():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if part
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
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
    summary = json.loads(lines[-1])

    assert summary.keys() >= KEYS
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
