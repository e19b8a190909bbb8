"""Uncertainty as probability: Monte Carlo over every uncertain catalog value.

A seeded Latin-hypercube sample of the scenario's value space
(`securityroof.analysis.prepare.ValueSpace.sample`: triangular marginals on
each value's low, nominal and high) is evaluated on one observation whose
geometry covers the whole box of values (`securityroof.analysis.engagement.observe`),
so no draw flies or looks again: each costs only detection and engagement
arithmetic. Draws run in chunks, here or on a Dask cluster
(`securityroof.analysis.distributed.run_chunks`) with identical results: a
draw's values depend only on the seed and its index, never on where it ran.

Results per threat: the probability that some battery can engage it (with
a 95 % Wilson score interval), and per draw the *margin* of the best
engagement (`securityroof.core.engagement`: seconds to spare between the
earliest launch the tracks allow and the latest launch that still
intercepts; at least 0 exactly when engageable).

Global sensitivity: which uncertain values the outcome hangs on. Borgonovo's
moment-independent delta index (E. Borgonovo, "A new uncertainty importance
measure", Reliability Engineering & System Safety 92, 2007, 771-784;
estimator of E. Plischke, E. Borgonovo and C. L. Smith, European Journal of
Operational Research 226, 2013, 536-550) as implemented by SALib
(`SALib.analyze.delta`; J. Herman and W. Usher, JOSS 2, 2017), computed on
the same Latin-hypercube sample, with the first-order Sobol index S1 it also
estimates. The indices are of the largest margin among the pairs judged:
how close the roof comes to engaging anything, whose sign is the verdict.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass

import numpy as np

from securityroof.analysis.distributed import run_chunks
from securityroof.analysis.engagement import Observation, evaluate, observe
from securityroof.analysis.prepare import Prepared, prepare
from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario

DRAW_CHUNK = 50
# A margin of -inf (nothing reachable at all) is counted as this (s) for the
# sensitivity indices, which need finite outputs.
MARGIN_FLOOR_S = -3_600.0
MAX_DRAWS = 100_000


@dataclass(frozen=True)
class Sensitivity:
    key: str
    label: str
    delta: float
    delta_conf: float
    s1: float
    s1_conf: float


@dataclass(frozen=True)
class MonteCarlo:
    """Draws of the value space and what each gave.

    `engageable` (n_draws, n_threats): some battery judged can engage the
    threat in that draw; `margin_s` (n_draws, n_threats): the best launch
    margin among those batteries (-inf: nothing in reach); `flown`
    (n_draws, n_threats): the missile reaches its aim point in that draw.
    """

    seed: int
    draws: np.ndarray  # (n_draws, n_values)
    engageable: np.ndarray
    margin_s: np.ndarray
    flown: np.ndarray
    sensitivity: list[Sensitivity]

    @property
    def n_draws(self) -> int:
        return int(self.draws.shape[0])

    def probability(self, mask: np.ndarray | None = None) -> tuple[float, float, float]:
        """P(any judged threat (of `mask`) is engageable), with a 95 % Wilson interval."""
        hits = self.engageable if mask is None else self.engageable[:, mask]
        return wilson(int(hits.any(axis=1).sum()), self.n_draws)

    def threat_probability(self) -> list[tuple[float, float, float]]:
        """Per threat: P(engageable) with its 95 % Wilson interval."""
        return [wilson(int(k), self.n_draws) for k in self.engageable.sum(axis=0)]


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float, float]:
    """Estimate and 95 % Wilson score interval of a binomial proportion.

    E. B. Wilson, "Probable inference, the law of succession, and
    statistical inference", JASA 22 (1927) 209-212.
    """
    if n <= 0:
        return (math.nan, math.nan, math.nan)
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # The interval always holds the estimate (rounding aside: 1 - 1e-16 at p = 1).
    return (p, min(max(0.0, centre - half), p), max(min(1.0, centre + half), p))


@dataclass(frozen=True)
class _Chunk:
    """One chunk of draws: a unit of work for a worker."""

    scenario: Scenario
    draws: np.ndarray  # this chunk's rows
    box: tuple[np.ndarray, np.ndarray]  # the whole sample's low and high
    judged: np.ndarray  # (n_threats, n_batteries) bool


_OBSERVATIONS: dict[str, Observation] = {}


def box_observation(scenario: Scenario, box: tuple[np.ndarray, np.ndarray]) -> Observation:
    """The box observation, built once per process (workers keep theirs)."""
    key = hashlib.sha256(
        repr((scenario.digest, scenario.name, [t.name for t in scenario.threats])).encode()
        + box[0].tobytes()
        + box[1].tobytes()
    ).hexdigest()
    found = _OBSERVATIONS.get(key)
    if found is None:
        _OBSERVATIONS.clear()  # one at a time: they are large
        found = observe(prepare(scenario), np.stack(box), skip_unreachable=True)
        _OBSERVATIONS[key] = found
    return found


def _run_chunk(chunk: _Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(engageable, margin, flown) of one chunk. Top level, for Dask workers."""
    observation = box_observation(chunk.scenario, chunk.box)
    return summarise(evaluate(observation, chunk.draws, details=False), chunk.judged)


def summarise(evaluation, judged: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (draw, threat): engageable by a judged battery, best margin, flown."""
    w = evaluation.windows
    engageable = (w.engageable & judged[None]).any(axis=2)
    margin = np.where(judged[None], w.launch_margin_s, -np.inf).max(axis=2)
    flown = evaluation.trajectory >= 0
    return engageable, margin, flown


def monte_carlo(
    scenario: Scenario,
    prepared: Prepared,
    judged: np.ndarray,
    n_draws: int,
    seed: int,
    *,
    cluster: str | None = None,
    observation: Observation | None = None,
) -> MonteCarlo:
    """Sample the scenario's value space and evaluate every draw.

    Parameters
    ----------
    scenario, prepared
        The scenario (its threats are the ones judged) and its arrays.
    judged
        (n_threats, n_batteries) the pairs that count (e.g. a party's
        batteries against another party's forces).
    n_draws, seed
        Sample size and seed (recorded in the result).
    cluster
        A Dask scheduler address to run the chunks on, or None.
    observation
        The box observation if the caller already built it (it must cover the
        whole value box); otherwise each process builds its own.
    """
    if not 1 <= n_draws <= MAX_DRAWS:
        raise RoofError(
            f"the Monte Carlo size must be between 1 and {MAX_DRAWS:,}, got {n_draws}.",
            parameter="draws",
        )
    space = prepared.space
    draws = space.sample(n_draws, seed)
    box = space.bounds()
    chunks = [
        _Chunk(scenario, draws[i : i + DRAW_CHUNK], box, judged)
        for i in range(0, n_draws, DRAW_CHUNK)
    ]
    if observation is not None and cluster is None:
        parts = [summarise(evaluate(observation, c.draws, details=False), judged) for c in chunks]
    else:
        parts = run_chunks(_run_chunk, chunks, cluster=cluster)
    engageable = np.concatenate([p[0] for p in parts])
    margin = np.concatenate([p[1] for p in parts])
    flown = np.concatenate([p[2] for p in parts])
    return MonteCarlo(
        seed=seed,
        draws=draws,
        engageable=engageable,
        margin_s=margin,
        flown=flown,
        sensitivity=sensitivity(prepared, draws, margin.max(axis=1), seed),
    )


def sensitivity(
    prepared: Prepared, draws: np.ndarray, output: np.ndarray, seed: int
) -> list[Sensitivity]:
    """Delta and S1 indices of `output` over the uncertain values, largest delta first.

    None (an empty list) below 20 draws, for a constant output, or where the
    estimator cannot resolve a nearly constant one."""
    free = prepared.space.uncertain_indices()
    y = np.where(np.isfinite(output), output, MARGIN_FLOOR_S)
    y = np.maximum(y, MARGIN_FLOOR_S)
    if free.size == 0 or draws.shape[0] < 20 or np.ptp(y) == 0.0:
        return []
    from SALib.analyze import delta

    values = [prepared.space.values[i] for i in free]
    problem = {
        "num_vars": int(free.size),
        "names": [v.key for v in values],
        "bounds": [[v.low, v.high] for v in values],
    }
    # SALib's notes on the estimator go to the warnings machinery (whose filter
    # and formatter it changes): record them here rather than print them.
    formatter = warnings.formatwarning
    try:
        with warnings.catch_warnings(record=True):
            result = delta.analyze(
                problem,
                np.ascontiguousarray(draws[:, free]),
                np.ascontiguousarray(y),
                num_resamples=20,
                seed=seed,
                print_to_console=False,
                method="all",  # delta and S1; the raw delta suits a Latin hypercube of the box
            )
    except (ValueError, np.linalg.LinAlgError):
        # The density estimate behind the delta index needs an output that
        # varies over the sample: one that is nearly constant (a single draw
        # apart, in a small sample) has no index to give, like a constant one.
        return []
    finally:
        warnings.formatwarning = formatter
    found = [
        Sensitivity(
            key=v.key,
            label=v.label,
            delta=float(result["delta_raw"][k]),
            delta_conf=float(result["delta_raw_conf"][k]),
            s1=float(result["S1"][k]),
            s1_conf=float(result["S1_conf"][k]),
        )
        for k, v in enumerate(values)
    ]
    return sorted(found, key=lambda s: -s.delta)
