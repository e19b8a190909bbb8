"""Raids chunked across processes give the single-process result, bit for bit.

A local Dask cluster of three worker processes stands in for a real one; the
workers import securityroof from the same source tree (PYTHONPATH is set for
them). An unreachable scheduler must give a clear RoofError, fast.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import securityroof
from securityroof.analysis.distributed import run_chunks
from securityroof.analysis.raid_parallel import simulate_raid_chunked
from securityroof.core.raid import RaidResult, simulate_raid
from securityroof.errors import RoofError

SEED = 20240611
TRIALS = 5_003  # not a multiple of the chunk size: the last chunk is short


def _raid_inputs() -> dict[str, object]:
    """A contested raid: 30 missiles, 4 sites, scarce inventory, pk ranges."""
    rng = np.random.default_rng(7)
    n, m = 30, 4
    opportunities = rng.integers(0, 4, size=(n, m))
    first = rng.uniform(100.0, 600.0, size=(n, m))
    first[opportunities == 0] = np.nan
    return {
        "opportunities": opportunities,
        "first_intercept_s": first,
        "inventory": np.array([6, 10, 4, 12]),
        "pk": np.array([[0.5, 0.8], [0.6, 0.6], [0.3, 0.9], [0.7, 0.85]]),
        "doctrine": "shoot-shoot",
        "trials": TRIALS,
        "seed": SEED,
    }


def _assert_identical(got: RaidResult, want: RaidResult) -> None:
    for field in dataclasses.fields(RaidResult):
        a, b = getattr(got, field.name), getattr(want, field.name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype, field.name
            np.testing.assert_array_equal(a, b, err_msg=field.name, strict=True)
        else:
            assert a == b, field.name


@pytest.fixture(scope="module")
def reference() -> RaidResult:
    return simulate_raid(**_raid_inputs())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    distributed = pytest.importorskip(
        "dask.distributed", reason="dask[distributed] is needed for the cluster tests"
    )
    src = str(Path(securityroof.__file__).resolve().parents[1])
    root = str(Path(__file__).resolve().parents[2])  # for this test module's helpers
    path = os.environ.get("PYTHONPATH", "")
    with pytest.MonkeyPatch.context() as mp:
        # The workers are fresh processes: let them import this source tree.
        mp.setenv("PYTHONPATH", os.pathsep.join(p for p in (src, root, path) if p))
        with distributed.LocalCluster(
            n_workers=3,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster:
            yield cluster.scheduler_address


def test_local_chunks_equal_one_run(reference: RaidResult) -> None:
    got = simulate_raid_chunked(**_raid_inputs(), chunk_trials=700)  # type: ignore[arg-type]
    _assert_identical(got, reference)


def test_cluster_chunks_equal_one_run(cluster_address: str, reference: RaidResult) -> None:
    got = simulate_raid_chunked(
        **_raid_inputs(),  # type: ignore[arg-type]
        cluster=cluster_address,
        chunk_trials=700,
    )
    _assert_identical(got, reference)


def test_cluster_runs_on_several_workers(cluster_address: str) -> None:
    pids = run_chunks(_pid, list(range(12)), cluster=cluster_address)
    assert len(pids) == 12
    assert os.getpid() not in pids
    assert len(set(pids)) >= 2  # the tasks were spread over the worker processes


def _pid(_: int) -> int:
    time.sleep(0.05)
    return os.getpid()


def test_unreachable_cluster_is_a_clear_error() -> None:
    pytest.importorskip("dask.distributed", reason="dask[distributed] is needed")
    start = time.perf_counter()
    with pytest.raises(RoofError) as info:
        simulate_raid_chunked(
            **_raid_inputs(),  # type: ignore[arg-type]
            cluster="tcp://127.0.0.1:9",
            connect_timeout_s=2.0,
        )
    assert time.perf_counter() - start < 20.0
    text = str(info.value)
    assert "tcp://127.0.0.1:9" in text
    assert "dask scheduler" in text
    assert info.value.parameter == "cluster"  # the CLI names it --cluster


def test_local_run_needs_no_dask() -> None:
    assert run_chunks(abs, [-1, 2, -3], cluster=None) == [1, 2, 3]


def test_footprint_on_the_cluster_equals_the_local_one(cluster_address: str) -> None:
    from securityroof.analysis.footprint import analyse_footprint
    from securityroof.model.scenario import load_scenario

    scenario = load_scenario(Path(__file__).resolve().parents[2] / "examples/epaa-phase-1.toml")
    local = analyse_footprint(scenario, resolution_deg=4.0)
    remote = analyse_footprint(scenario, resolution_deg=4.0, cluster=cluster_address)
    assert remote.configs == local.configs
    for field in ("threatened", "defended", "shots", "sites"):
        np.testing.assert_array_equal(getattr(remote, field), getattr(local, field))
    assert remote.cities == local.cities
    assert remote.threatened.any()


def test_stability_monte_carlo_on_the_cluster_equals_the_local_one(
    cluster_address: str, tmp_path: Path
) -> None:
    from securityroof.analysis.stability import analyse_stability
    from securityroof.model.scenario import load_scenario

    path = tmp_path / "gmd.toml"
    path.write_text(
        '[scenario]\nname = "gmd"\narchitecture = "us-homeland"\n'
        '[strategic]\nlaunch_areas = ["kozelsk"]\ntargets = ["washington", "seattle"]\n'
        'shapes = ["minimum-energy"]\n'
    )
    scenario = load_scenario(path)
    local = analyse_stability(scenario, draws=130, seed=9, sweeps=False)
    remote = analyse_stability(scenario, draws=130, seed=9, sweeps=False, cluster=cluster_address)
    assert local.uncertainty is not None and remote.uncertainty is not None
    np.testing.assert_array_equal(remote.uncertainty.draws, local.uncertainty.draws)
    np.testing.assert_array_equal(remote.uncertainty.engageable, local.uncertainty.engageable)
    np.testing.assert_array_equal(remote.uncertainty.margin_s, local.uncertainty.margin_s)
    assert remote.probability_strategic == local.probability_strategic
    assert remote.verdict == local.verdict == "strategic"
