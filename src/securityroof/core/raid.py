"""Monte Carlo salvos: a raid of missiles against interceptor sites with finite inventories.

Numerics only: arrays in, arrays out. The engagement model
(:mod:`securityroof.core.engagement`) gives, for every raid missile i and
interceptor site j, the number of shoot-look-shoot opportunities
``opportunities[i, j]`` (0: the site cannot engage the missile) and the time
of the first feasible intercept ``first_intercept_s[i, j]``. This module
draws, trial by trial, which shots kill, spends the sites' shared
inventories, and counts the leakers.

Firing doctrine
---------------
At every opportunity a site fires a *salvo* of ``salvo_size`` interceptors
at the missile; it then looks, and fires again at its next opportunity only
if the missile survived. ``"shoot-look-shoot"`` is a salvo of 1;
``"shoot-shoot"`` is a salvo of ``salvo_size`` (default 2) at each
opportunity. Each interceptor kills independently with its site's
single-shot kill probability ``pk``, so a salvo of k kills with
1 - (1 - pk)^k (basic probability; the same independence assumption as
Wilkening, Science & Global Security 8 (2000) and the APS 2003 boost-phase
study). When a site has fewer than ``salvo_size`` interceptors left it fires
what it has (a partial salvo); with none left it cannot shoot.

Kill probability as a range
---------------------------
``pk`` is either one value per site or a (low, high) range per site. With a
range, each trial draws one value per site, uniformly on [low, high]: the
uncertainty is epistemic (one unknown pk per interceptor type), so it is
held fixed within a trial and varies across trials. A point value is the
range (pk, pk).

Assignment algorithm (deterministic given the draws)
----------------------------------------------------
1. Missile order: missiles are engaged in order of their earliest feasible
   intercept over all sites (``nanmin`` of ``first_intercept_s`` over the
   sites with opportunities), ties by index; missiles no site can engage go
   last (they leak). This is first-come, first-served: the defence spends on
   the threat that arrives first and does not hold interceptors back for
   later ones.
2. Site order per missile (``site_order``):

   - ``"least-contested"`` (default): the sites that can engage the missile
     in ascending order of how many raid missiles each site can engage
     (its competition), ties by earlier first intercept, then site index.
     A greedy, inventory-preserving rule: the interceptor spent first is the
     one that the fewest other threats could use.
   - ``"chronological"``: in order of first intercept, ties by index (the
     layered-defence picture: the upper tier fires first, the lower tier
     gets the survivors).
3. The missile is engaged by its sites in that order, each site using its
   opportunities one after the other (a salvo, a look), until it is killed,
   or its opportunities are all used, or the site's inventory is empty;
   then the next site takes over (layered defence: one missile may draw on
   several sites). Inventory is shared across the raid within a trial.

Both orders depend only on ``opportunities`` and ``first_intercept_s``,
never on inventory, pk or the draws, and every shot's uniform number is
tied to the shot's identity (missile, site, opportunity, place in the
salvo), not to the order in which shots happen. Hence with common random
numbers (same seed) more inventory or a higher pk can never make any trial
worse: a pathwise-monotone coupling (tested).

Random numbers
--------------
The master ``seed`` feeds :class:`numpy.random.SeedSequence` ->
:class:`numpy.random.Generator` (PCG64), which draws one 64-bit key per
trial and the per-trial pk uniforms. Inside the compiled kernel the uniform
for shot s of trial t is SplitMix64 (Steele, Lea & Flood, "Fast splittable
pseudorandom number generators", OOPSLA 2014) evaluated at counter s of the
stream keyed by t: counter-based, so the result is the same whatever the
number of threads and whatever the order in which the trials run.

Confidence intervals (95 %)
---------------------------
Expected leakers and mean interceptors used: normal approximation,
mean ± 1.959964 s / sqrt(K) with the sample standard deviation s (central
limit theorem over K independent trials). Probability of no leaker: Wilson
score interval (Wilson, JASA 22 (1927) 209; Newcombe, Stat. Med. 17 (1998)
857, method 3), which stays inside [0, 1] and behaves at 0 and K successes.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np

Doctrine = Literal["shoot-look-shoot", "shoot-shoot"]
SiteOrder = Literal["least-contested", "chronological"]

DOCTRINES = ("shoot-look-shoot", "shoot-shoot")
SITE_ORDERS = ("least-contested", "chronological")
Z95 = 1.959963984540054  # two-sided 95 % standard normal quantile

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64 increment (Steele et al. 2014)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53


@dataclass(frozen=True)
class RaidResult:
    """Outcome of a Monte Carlo raid (K trials, N missiles, M sites).

    Attributes
    ----------
    seed, trials
        Master seed (``SeedSequence`` entropy) and number of trials K.
    doctrine, salvo_size, site_order
        Firing doctrine, interceptors per opportunity, assignment rule.
    pk_low, pk_high
        (M,) single-shot kill probability range per site (equal for a point value).
    inventory
        (M,) interceptors per site at the start of each trial.
    leakers
        (K,) number of missiles that leaked in each trial.
    interceptors_used
        (K, M) interceptors fired by each site in each trial.
    pk_trial
        (K, M) single-shot kill probability drawn for each trial and site.
    expected_leakers, expected_leakers_ci
        Mean leakers and its 95 % normal-approximation interval (2,).
    p_no_leaker, p_no_leaker_ci
        Fraction of trials with no leaker and its 95 % Wilson interval (2,).
    interceptors_used_mean, interceptors_used_ci
        (M,) mean interceptors fired per site and (M, 2) 95 % normal intervals.
    missile_order
        (N,) order in which the missiles are engaged.
    site_order_per_missile
        (N, M) sites in the order each missile draws on them, -1 padded.
    """

    seed: int
    trials: int
    doctrine: str
    salvo_size: int
    site_order: str
    pk_low: np.ndarray
    pk_high: np.ndarray
    inventory: np.ndarray
    leakers: np.ndarray
    interceptors_used: np.ndarray
    pk_trial: np.ndarray
    expected_leakers: float
    expected_leakers_ci: np.ndarray
    p_no_leaker: float
    p_no_leaker_ci: np.ndarray
    interceptors_used_mean: np.ndarray
    interceptors_used_ci: np.ndarray
    missile_order: np.ndarray
    site_order_per_missile: np.ndarray


@numba.njit(cache=True, inline="always")
def _uniform(key, counter):
    """SplitMix64 output number ``counter`` of the stream keyed by ``key``, as a
    float in [0, 1) with 53 random bits (Steele, Lea & Flood 2014)."""
    z = key + (counter + np.uint64(1)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * _TWO_M53


@numba.njit(cache=True, parallel=True)
def _raid_kernel(opportunities, missile_order, site_order, inventory, pk_trial, keys, salvo):
    """Trial loop. Returns (leakers (K,), used (K, M)); see the module docstring."""
    n_trials = keys.shape[0]
    n_missiles, n_sites = opportunities.shape
    max_opp = 0
    for i in range(n_missiles):
        for j in range(n_sites):
            max_opp = max(max_opp, opportunities[i, j])
    leakers = np.zeros(n_trials, dtype=np.int64)
    used = np.zeros((n_trials, n_sites), dtype=np.int64)
    # Remaining inventory per trial; preallocated so the parallel loop does not allocate.
    remaining = np.empty((n_trials, n_sites), dtype=np.int64)
    for t in numba.prange(n_trials):
        left = remaining[t]
        left[:] = inventory
        key = keys[t]
        leaked = 0
        for r in range(n_missiles):
            i = missile_order[r]
            alive = True
            for q in range(n_sites):
                j = site_order[i, q]
                if j < 0 or not alive:
                    break
                p = pk_trial[t, j]
                for o in range(opportunities[i, j]):
                    if left[j] <= 0 or not alive:
                        break
                    fired = min(salvo, left[j])
                    left[j] -= fired
                    used[t, j] += fired
                    base = ((i * n_sites + j) * max_opp + o) * salvo
                    for b in range(fired):
                        if _uniform(key, np.uint64(base + b)) < p:
                            alive = False
            if alive:
                leaked += 1
        leakers[t] = leaked
    return leakers, used


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes
        Number of successes, 0 <= successes <= n.
    n
        Number of independent trials, n >= 1.
    z
        Standard normal quantile (1.959964 for a two-sided 95 % interval).

    Returns
    -------
    (low, high)
        The interval, inside [0, 1]. Wilson, JASA 22 (1927) 209;
        Newcombe, Stat. Med. 17 (1998) 857, eq. for method 3.
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n >= 1, got {successes} of {n}")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def _normal_ci(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over axis 0 and its 95 % normal-approximation interval (..., 2)."""
    mean = x.mean(axis=0)
    k = x.shape[0]
    sd = x.std(axis=0, ddof=1) if k > 1 else np.zeros_like(mean)
    half = Z95 * sd / np.sqrt(k)
    return mean, np.stack([mean - half, mean + half], axis=-1)


def _pk_range(pk: object, n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(pk, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_sites, float(arr))
    if arr.shape == (n_sites,):
        low, high = arr.copy(), arr.copy()
    elif arr.shape == (n_sites, 2):
        low, high = arr[:, 0].copy(), arr[:, 1].copy()
    else:
        raise ValueError(
            f"pk must be a scalar, shape ({n_sites},) or a (low, high) range of shape "
            f"({n_sites}, 2), one per site; got shape {arr.shape}"
        )
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise ValueError("pk must be finite")
    bad = np.flatnonzero((low < 0) | (high > 1) | (low > 1) | (high < 0))
    if bad.size:
        raise ValueError(
            f"pk must lie in [0, 1]; site(s) {bad.tolist()} have "
            f"{[(float(low[j]), float(high[j])) for j in bad]}"
        )
    bad = np.flatnonzero(low > high)
    if bad.size:
        raise ValueError(f"pk range needs low <= high; site(s) {bad.tolist()} have low > high")
    return low, high


def assignment_order(
    opportunities: np.ndarray,
    first_intercept_s: np.ndarray,
    site_order: SiteOrder = "least-contested",
) -> tuple[np.ndarray, np.ndarray]:
    """The deterministic engagement order (see the module docstring).

    Parameters
    ----------
    opportunities
        (N, M) shoot-look-shoot opportunities of site j against missile i.
    first_intercept_s
        (N, M) first feasible intercept time (s, any common epoch); read only
        where ``opportunities > 0``.
    site_order
        ``"least-contested"`` or ``"chronological"``.

    Returns
    -------
    missile_order
        (N,) missile indices in engagement order.
    sites
        (N, M) for each missile the sites that can engage it in the order it
        draws on them, padded with -1.
    """
    n_missiles, n_sites = opportunities.shape
    can = opportunities > 0
    t = np.where(can, first_intercept_s, np.inf)
    earliest = t.min(axis=1) if n_sites else np.full(n_missiles, np.inf)
    missile_order = np.lexsort((np.arange(n_missiles), earliest)).astype(np.int64)
    contest = can.sum(axis=0)
    sites = np.full((n_missiles, n_sites), -1, dtype=np.int64)
    index = np.arange(n_sites)
    for i in range(n_missiles):
        if site_order == "least-contested":
            order = np.lexsort((index, t[i], contest))
        else:
            order = np.lexsort((index, t[i]))
        order = order[can[i, order]]
        sites[i, : order.size] = order
    return missile_order, sites


def simulate_raid(
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
) -> RaidResult:
    """Monte Carlo of a raid of N missiles against M interceptor sites.

    Parameters
    ----------
    opportunities
        (N, M) int, shoot-look-shoot opportunities of site j against missile i
        (``EngagementArrays.shots``); 0 where the site cannot engage.
    first_intercept_s
        (N, M) first feasible intercept time (s, one common epoch across the
        raid), used only to order the engagements; may be NaN where
        ``opportunities == 0``.
    inventory
        (M,) int >= 0, interceptors at each site, shared across the raid.
    pk
        Single-shot kill probability in [0, 1]: a scalar (all sites), (M,) one
        per site, or (M, 2) a (low, high) range per site, drawn once per trial
        and site, uniformly.
    doctrine
        ``"shoot-look-shoot"`` (one interceptor per opportunity) or
        ``"shoot-shoot"`` (a salvo of ``salvo_size`` per opportunity).
    salvo_size
        Interceptors per opportunity for ``"shoot-shoot"`` (default 2, >= 1);
        must be None or 1 for ``"shoot-look-shoot"``.
    trials
        Number of Monte Carlo trials K >= 1.
    seed
        Master seed (int >= 0); None draws fresh OS entropy, which is recorded
        in the result.
    site_order
        ``"least-contested"`` (default) or ``"chronological"``; see the module
        docstring.
    require_inventory
        If True, raise when the raid outnumbers what the inventory can fire at:
        the total inventory of the sites that can engage any missile is smaller
        than ``salvo_size`` x the number of engageable missiles (a necessary
        condition for every engageable missile to get one salvo).

    Returns
    -------
    RaidResult
        Per-trial leakers and interceptors used, their means and 95 %
        intervals, and everything needed to reproduce the run.

    Raises
    ------
    ValueError
        On inconsistent shapes, negative opportunities or inventory, pk
        outside [0, 1], a bad doctrine, salvo size, trial count or seed, or
        (with ``require_inventory``) too little inventory.
    """
    opp = np.asarray(opportunities)
    first = np.asarray(first_intercept_s, dtype=np.float64)
    inv = np.asarray(inventory)
    if opp.ndim != 2:
        raise ValueError(f"opportunities must be (missiles, sites), got shape {opp.shape}")
    n_sites = opp.shape[1]
    if first.shape != opp.shape:
        raise ValueError(
            f"first_intercept_s has shape {first.shape}; it must match opportunities {opp.shape}"
        )
    if inv.shape != (n_sites,):
        raise ValueError(f"inventory must have one entry per site ({n_sites},), got {inv.shape}")
    for name, a in (("opportunities", opp), ("inventory", inv)):
        if (a.size and not np.all(np.isfinite(a))) or (a.size and np.any(a != np.round(a))):
            raise ValueError(f"{name} must hold whole numbers")
        if a.size and np.any(a < 0):
            raise ValueError(f"{name} must be >= 0; got {a[a < 0][:5].tolist()} ...")
    opp = opp.astype(np.int64)
    inv = inv.astype(np.int64)
    if np.any(np.isnan(first[opp > 0])):
        raise ValueError(
            "first_intercept_s is NaN where opportunities > 0; give every window a time"
        )
    if doctrine not in DOCTRINES:
        raise ValueError(f"doctrine must be one of {DOCTRINES}, got {doctrine!r}")
    if site_order not in SITE_ORDERS:
        raise ValueError(f"site_order must be one of {SITE_ORDERS}, got {site_order!r}")
    if doctrine == "shoot-look-shoot":
        if salvo_size not in (None, 1):
            raise ValueError(
                "shoot-look-shoot fires one interceptor per opportunity; drop salvo_size"
            )
        salvo = 1
    else:
        salvo = 2 if salvo_size is None else int(salvo_size)
        if salvo < 1 or (salvo != salvo_size and salvo_size is not None):
            raise ValueError(f"salvo_size must be a whole number >= 1, got {salvo_size!r}")
    if int(trials) != trials or trials < 1:
        raise ValueError(f"trials must be a whole number >= 1, got {trials!r}")
    trials = int(trials)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    seed = int(seed)
    pk_low, pk_high = _pk_range(pk, n_sites)

    can = opp > 0
    if require_inventory:
        engageable = int(can.any(axis=1).sum())
        usable = int(inv[can.any(axis=0)].sum())
        if usable < salvo * engageable:
            raise ValueError(
                f"the raid outnumbers the inventory: {engageable} engageable missiles need "
                f"{salvo * engageable} interceptors for one salvo each, but the sites that can "
                f"engage hold {usable}; add inventory or pass require_inventory=False"
            )

    keys, pk_trial = trial_draws(seed, trials, pk_low, pk_high)
    missile_order, sites = assignment_order(opp, first, site_order)
    leakers, used = _raid_kernel(
        np.ascontiguousarray(opp),
        missile_order,
        sites,
        np.ascontiguousarray(inv),
        np.ascontiguousarray(pk_trial),
        keys,
        np.int64(salvo),
    )
    settings = RaidResult(
        seed=seed,
        trials=0,
        doctrine=doctrine,
        salvo_size=salvo,
        site_order=site_order,
        pk_low=pk_low,
        pk_high=pk_high,
        inventory=inv,
        leakers=np.zeros(0, dtype=np.int64),
        interceptors_used=np.zeros((0, n_sites), dtype=np.int64),
        pk_trial=np.zeros((0, n_sites)),
        expected_leakers=math.nan,
        expected_leakers_ci=np.full(2, math.nan),
        p_no_leaker=math.nan,
        p_no_leaker_ci=np.full(2, math.nan),
        interceptors_used_mean=np.full(n_sites, math.nan),
        interceptors_used_ci=np.full((n_sites, 2), math.nan),
        missile_order=missile_order,
        site_order_per_missile=sites,
    )
    return summarise(settings, leakers, used, pk_trial)


def trial_draws(
    seed: int, trials: int, pk_low: np.ndarray, pk_high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every trial's random key (K,) and kill probabilities (K, M) for a seed.

    Drawn in one place so that any split of the trials (threads, chunks,
    cluster workers) sees the same numbers.
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    keys = rng.integers(0, np.iinfo(np.uint64).max, size=trials, dtype=np.uint64, endpoint=True)
    pk_trial = pk_low + (pk_high - pk_low) * rng.random((trials, pk_low.shape[0]))
    return keys, pk_trial


def summarise(
    settings: RaidResult, leakers: np.ndarray, used: np.ndarray, pk_trial: np.ndarray
) -> RaidResult:
    """A RaidResult from per-trial arrays; `settings` supplies the run's settings."""
    trials = int(leakers.shape[0])
    mean_leak, ci_leak = _normal_ci(leakers.astype(np.float64))
    mean_used, ci_used = _normal_ci(used.astype(np.float64))
    none = int(np.count_nonzero(leakers == 0))
    return dataclasses.replace(
        settings,
        trials=trials,
        leakers=leakers,
        interceptors_used=used,
        pk_trial=pk_trial,
        expected_leakers=float(mean_leak),
        expected_leakers_ci=np.asarray(ci_leak),
        p_no_leaker=none / trials,
        p_no_leaker_ci=np.array(wilson_interval(none, trials)),
        interceptors_used_mean=mean_used,
        interceptors_used_ci=ci_used,
    )
