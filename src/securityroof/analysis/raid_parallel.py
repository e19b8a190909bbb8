"""A raid Monte Carlo split into chunks of trials, here or on a Dask cluster.

:func:`simulate_raid_chunked` gives the same :class:`RaidResult` as
:func:`securityroof.core.raid.simulate_raid` with the same arguments and seed,
bit for bit: same per-trial leakers, interceptors used and pk draws, same
means and intervals. It can because the core's random numbers are
counter-based. The master seed gives, through ``SeedSequence`` -> PCG64, one
64-bit key per trial followed by the per-trial pk uniforms, all drawn here on
the calling side exactly as the core draws them for the whole run; each
chunk gets its slice of the keys and pk draws, and the compiled kernel's shot
uniforms depend only on (trial key, shot identity). So neither the chunk
size, nor the number of workers, nor which worker ran which chunk (nor their
numpy versions) can change a trial.

The core has no hook to run a sub-range of trials with the global keys, so
this module repeats three short pieces of ``simulate_raid``: the draws
(:func:`_trial_draws`), the kernel call (:func:`_raid_chunk`) and the
summary (:func:`_summarise`, built on the core's ``_normal_ci`` and
``wilson_interval``). Input checking is not repeated: a one-trial
``simulate_raid`` call validates and normalises the inputs with the core's
own code and messages. The equality with ``simulate_raid`` is tested
(``tests/e2e/test_distributed.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from securityroof.analysis.distributed import CONNECT_TIMEOUT_S, run_chunks
from securityroof.core.raid import (
    Doctrine,
    RaidResult,
    SiteOrder,
    _raid_kernel,
    simulate_raid,
    summarise,
    trial_draws,
)

CLUSTER_CHUNK_TRIALS = 10_000  # default trials per task on a cluster


@dataclass(frozen=True)
class RaidChunk:
    """One task: the shared engagement arrays and a slice of the trials' draws."""

    opportunities: np.ndarray  # (N, M) int64
    missile_order: np.ndarray  # (N,) int64
    sites: np.ndarray  # (N, M) int64, -1 padded
    inventory: np.ndarray  # (M,) int64
    pk_trial: np.ndarray  # (k, M) float64, this chunk's rows
    keys: np.ndarray  # (k,) uint64, this chunk's trial keys
    salvo: int


def _raid_chunk(chunk: RaidChunk) -> tuple[np.ndarray, np.ndarray]:
    """Run one chunk through the core kernel: (leakers (k,), used (k, M))."""
    leakers, used = _raid_kernel(
        np.ascontiguousarray(chunk.opportunities),
        np.ascontiguousarray(chunk.missile_order),
        np.ascontiguousarray(chunk.sites),
        np.ascontiguousarray(chunk.inventory),
        np.ascontiguousarray(chunk.pk_trial),
        np.ascontiguousarray(chunk.keys),
        np.int64(chunk.salvo),
    )
    return leakers, used


def simulate_raid_chunked(
    opportunities: np.ndarray,
    first_intercept_s: np.ndarray,
    inventory: np.ndarray,
    pk: object,
    *,
    doctrine: Doctrine = "shoot-look-shoot",
    salvo_size: int | None = None,
    trials: int = 10_000,
    seed: int | None = None,
    site_order: SiteOrder = "least-contested",
    require_inventory: bool = False,
    cluster: str | None = None,
    chunk_trials: int | None = None,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
) -> RaidResult:
    """:func:`~securityroof.core.raid.simulate_raid`, its trials split into chunks.

    Parameters
    ----------
    opportunities, first_intercept_s, inventory, pk, doctrine, salvo_size, trials, seed, \
site_order, require_inventory
        As for ``simulate_raid``; the result is identical to it for the same
        values (with ``seed=None`` the fresh entropy is recorded in the result).
    cluster
        None: run here (all cores through numba threads). Otherwise the
        address of a running Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``.
    chunk_trials
        Trials per chunk (>= 1). Default: all trials in one chunk when local,
        ``CLUSTER_CHUNK_TRIALS`` per chunk on a cluster.
    connect_timeout_s
        How long to try to reach the scheduler.

    Raises
    ------
    ValueError
        Bad inputs, as ``simulate_raid`` raises them, or a bad ``chunk_trials``.
    RoofError
        The cluster cannot be reached or used (see :func:`run_chunks`).
    """
    if int(trials) != trials or trials < 1:
        raise ValueError(f"trials must be a whole number >= 1, got {trials!r}")
    trials = int(trials)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if chunk_trials is None:
        chunk_trials = trials if cluster is None else CLUSTER_CHUNK_TRIALS
    if int(chunk_trials) != chunk_trials or chunk_trials < 1:
        raise ValueError(f"chunk_trials must be a whole number >= 1, got {chunk_trials!r}")
    chunk_trials = int(chunk_trials)
    # One trial through the core: validates and normalises every input with its
    # own checks and messages, and gives the run's settings and engagement order.
    spec = simulate_raid(
        opportunities,
        first_intercept_s,
        inventory,
        pk,
        doctrine=doctrine,
        salvo_size=salvo_size,
        trials=1,
        seed=seed,
        site_order=site_order,
        require_inventory=require_inventory,
    )
    keys, pk_trial = trial_draws(spec.seed, trials, spec.pk_low, spec.pk_high)
    opp = np.ascontiguousarray(np.asarray(opportunities).astype(np.int64))
    chunks = [
        RaidChunk(
            opportunities=opp,
            missile_order=spec.missile_order,
            sites=spec.site_order_per_missile,
            inventory=spec.inventory,
            pk_trial=pk_trial[start : start + chunk_trials],
            keys=keys[start : start + chunk_trials],
            salvo=spec.salvo_size,
        )
        for start in range(0, trials, chunk_trials)
    ]
    parts = run_chunks(_raid_chunk, chunks, cluster=cluster, connect_timeout_s=connect_timeout_s)
    leakers = np.concatenate([p[0] for p in parts])
    used = np.concatenate([p[1] for p in parts])
    return summarise(spec, leakers, used, pk_trial)
