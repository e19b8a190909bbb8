"""`roof` starts without loading the physics: a structural check of what the
command line imports before a command runs (the start-up time itself is a
benchmark's business, not a test's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What only a command that computes may load: the numerical kernels, the
# scientific stack, the validated catalog and scenario models, the service.
# (Not pydantic itself: typer loads it to render a command's help.)
HEAVY = (
    "numba",
    "numpy",
    "scipy",
    "pandas",
    "shapely",
    "matplotlib",
    "sqlalchemy",
    "dask",
    "securityroof.core",
    "securityroof.analysis",
    "securityroof.model.catalog",
    "securityroof.model.scenario",
    "securityroof.ops",
)

# Runs `roof ARGS` (or only imports the command line, with no ARGS) in a fresh
# interpreter; the last line it prints is {"exit": code, "modules": [loaded]}.
PROBE = """
import json, runpy, sys
code = 0
if sys.argv[1:]:
    sys.argv = ["roof", *sys.argv[1:]]
    try:
        runpy.run_module("securityroof", run_name="__main__")
    except SystemExit as exc:
        code = exc.code
else:
    import securityroof.cli
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""


def _run(*args: str) -> tuple[int, list[str]]:
    """`roof ARGS`: its exit code and the heavy modules it loaded."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, check=True
    )
    probe = json.loads(out.stdout.splitlines()[-1])
    heavy = [m for m in probe["modules"] if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    return probe["exit"], heavy


@pytest.mark.parametrize(
    "args",
    [(), ("--help",), ("--version",), ("fly", "--help"), ("catalog", "--help")],
    ids=["import", "help", "version", "fly-help", "catalog-help"],
)
def test_the_command_line_starts_without_the_physics(args: tuple[str, ...]) -> None:
    assert _run(*args) == (0, [])


def test_the_probe_sees_the_physics_once_a_command_runs() -> None:
    # The check above must be able to fail: a command that works loads them
    # (this one stops at its missing aim point, after loading the catalog).
    code, heavy = _run("fly", "--missile", "shahab-3", "--from", "38.08,46.29")
    assert code == 2
    assert {"securityroof.analysis.flight", "securityroof.model.catalog", "numba"} <= set(heavy)


def test_comparing_reports_needs_no_physics(tmp_path: Path) -> None:
    # `roof diff` reads two reports' JSON: its error for a folder that is not
    # a report comes before any model or kernel is loaded.
    code, heavy = _run("diff", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 2
    assert heavy == []
