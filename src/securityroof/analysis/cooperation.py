"""Who gains what from a joint roof: coalition values, Shapley values, cost sharing.

Each party's assets (interceptor batteries, the sites that host them, the
sensors whose tracks cue them) contribute to the defended value: the
population, or area weight, of the aim points the architecture defends.
The engagement results are computed once; this module turns them into a
cooperative game and never runs new physics.

The representation is a list of *defence options*. An option defends one
target item and needs a set of parties, written as a bitmask (bit ``i`` set
means party ``i`` must take part): for example the owner of the
interceptor, the host nation of its site and the party of the sensor whose
track allowed the launch (``EngagementRecord.track_source``). An option
works for a coalition ``S`` iff its mask is a subset of ``S``; a target is
defended for ``S`` iff any of its options works. The value of a coalition is

.. math:: v(S) = \\sum_t w_t \\, [\\exists o \\in O_t : m_o \\subseteq S],

with :math:`w_t \\ge 0` the target's value. Adding a party never removes a
working option, so :math:`v` is monotone.

Exact path (at most :data:`MAX_EXACT_PARTIES` parties): the whole table of
:math:`2^n` coalition values is built with bit operations only. Targets
whose options reduce to one minimal mask ``m`` contribute ``w_t [m ⊆ S]``;
they are accumulated at ``m`` and summed over all subsets of every ``S`` at
once by the zeta (subset-sum) transform, ``n`` vectorised passes over the
table. Targets with several minimal masks are grouped by their set of
minimal masks; each group's indicator is the upward closure of its masks
(``n`` passes of bitwise OR) and is added with the group's weight.

Sampled path (many parties): permutation sampling of the Shapley value
(Castro, Gómez & Tejada 2009), each coalition's value evaluated directly
from the options, with a standard error per party.

References
----------
.. [1] L. S. Shapley, "A value for n-person games", in *Contributions to the
   Theory of Games II*, Annals of Mathematics Studies 28, Princeton, 1953,
   pp. 307-317.
.. [2] M. Maschler, E. Solan and S. Zamir, *Game Theory*, Cambridge
   University Press, 2013, ch. 18 "The Shapley value", eq. (18.14)
   (the marginal-contribution formula) and Theorem 18.13 (axioms).
.. [3] J. Castro, D. Gómez and J. Tejada, "Polynomial calculation of the
   Shapley value based on sampling", *Computers & Operations Research*
   36(5), 2009, pp. 1726-1730.
.. [4] S. C. Littlechild and G. Owen, "A simple expression for the Shapley
   value in a special case", *Management Science* 20(3), 1973, pp. 370-372.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from securityroof.errors import RoofError

#: Most parties for which the full table of 2^n coalition values is built
#: (2^24 float64 values = 128 MiB).
MAX_EXACT_PARTIES = 24
#: Most parties the sampled path handles: coalitions are int64 bitmasks.
MAX_SAMPLED_PARTIES = 62
#: Coalitions evaluated per block on the sampled path (bounds the memory of
#: the coalitions x options subset test).
_BLOCK_ELEMENTS = 4_000_000

ValueFunction = Callable[[np.ndarray], np.ndarray]


class CooperationError(RoofError, ValueError):
    """A cooperation request that cannot be answered (bad inputs, too many parties).

    It is both the project's user error (`RoofError`) and a `ValueError`.
    """


@dataclass(frozen=True)
class CostShares:
    """Each party's share of the cost of the joint roof, by two keys.

    Attributes
    ----------
    total_cost
        Cost shared, in the caller's currency unit.
    by_shapley
        Share of ``total_cost`` in proportion to each party's Shapley value.
    by_benefit
        Share of ``total_cost`` in proportion to the value each party
        receives in the grand coalition (its own targets defended).
    own_cost
        What each party's own assets cost, when given (else ``None``).
    transfer_shapley, transfer_benefit
        ``share - own_cost``: what each party pays to (positive) or receives
        from (negative) the others under each key; ``None`` without
        ``own_cost``.
    """

    total_cost: float
    by_shapley: np.ndarray
    by_benefit: np.ndarray
    own_cost: np.ndarray | None
    transfer_shapley: np.ndarray | None
    transfer_benefit: np.ndarray | None


@dataclass(frozen=True)
class CooperationResult:
    """Values, Shapley values and benefits of the parties to a joint roof.

    Attributes
    ----------
    party_names
        Names of the parties; party ``i`` is bit ``i`` of every mask.
    method
        ``"exact"`` or ``"sampled"``.
    shapley
        Shapley value of each party, in the unit of the target values.
    standard_error
        Standard error of each Shapley value (zeros for ``"exact"``).
    n_permutations
        Permutations sampled (``None`` for ``"exact"``).
    seed
        Seed of the generator used for sampling (``None`` for ``"exact"``).
    coalition_values
        ``v(S)`` for every coalition bitmask ``S`` (exact path only).
    grand_value, empty_value
        ``v(N)`` and ``v(∅)``; Shapley values add up to their difference.
    benefit_grand
        Value of each party's own targets defended by the grand coalition.
    benefit_alone
        Value of each party's own targets it defends with its own assets only.
    benefit_gain
        ``benefit_grand - benefit_alone``: what the joint roof gives each party
        that it could not have alone.
    cost_shares
        Cost-sharing table, when a cost was given.
    """

    party_names: tuple[str, ...]
    method: str
    shapley: np.ndarray
    standard_error: np.ndarray
    n_permutations: int | None
    seed: int | None
    coalition_values: np.ndarray | None
    grand_value: float
    empty_value: float
    benefit_grand: np.ndarray
    benefit_alone: np.ndarray
    benefit_gain: np.ndarray
    cost_shares: CostShares | None


# ----------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------


def _check_n_parties(n_parties: int, limit: int, path: str) -> int:
    n = int(n_parties)
    if n < 1:
        raise CooperationError(
            f"n_parties must be at least 1, got {n_parties}.", where="cooperation"
        )
    if n > limit:
        fix = (
            "Use shapley_sampled (or method='sampled') for this many parties."
            if path == "exact"
            else "Merge parties that always act together into one."
        )
        raise CooperationError(
            f"{n} parties is more than the {path} path handles ({limit}).",
            where="cooperation",
            fix=fix,
        )
    return n


def _check_options(
    option_target: Sequence[int] | np.ndarray,
    option_mask: Sequence[int] | np.ndarray,
    target_values: Sequence[float] | np.ndarray,
    n_parties: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    target = np.asarray(option_target, dtype=np.int64).reshape(-1)
    mask = np.asarray(option_mask, dtype=np.int64).reshape(-1)
    values = np.asarray(target_values, dtype=np.float64).reshape(-1)
    if target.shape != mask.shape:
        raise CooperationError(
            f"option_target has {target.size} entries but option_mask has {mask.size}.",
            where="cooperation options",
            fix="Give one target index and one party mask per defence option.",
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0.0):
        raise CooperationError(
            "target_values must be finite and non-negative.",
            where="cooperation target_values",
        )
    if target.size and (target.min() < 0 or target.max() >= values.size):
        raise CooperationError(
            f"an option names a target outside 0..{values.size - 1}.",
            where="cooperation option_target",
        )
    if mask.size and (mask.min() < 0 or mask.max() >= (1 << n_parties)):
        raise CooperationError(
            f"an option needs a party outside 0..{n_parties - 1} (mask {int(mask.max())}).",
            where="cooperation option_mask",
            fix="Masks use bit i for party i; check n_parties.",
        )
    return target, mask, values


def _minimal_masks(masks: np.ndarray) -> tuple[int, ...]:
    """The minimal elements (under inclusion) of a set of bitmasks, sorted."""
    unique = sorted({int(m) for m in masks}, key=lambda m: (m.bit_count(), m))
    kept: list[int] = []
    for m in unique:
        if not any(k & m == k for k in kept):
            kept.append(m)
    return tuple(sorted(kept))


def _minimal_options(
    target: np.ndarray, mask: np.ndarray, values: np.ndarray
) -> dict[tuple[int, ...], float]:
    """Targets grouped by their set of minimal option masks, with summed value.

    Targets without options, or of zero value, never count and are dropped.
    """
    groups: dict[tuple[int, ...], float] = {}
    if target.size == 0:
        return groups
    order = np.argsort(target, kind="stable")
    t_sorted, m_sorted = target[order], mask[order]
    starts = np.flatnonzero(np.r_[True, t_sorted[1:] != t_sorted[:-1]])
    ends = np.r_[starts[1:], t_sorted.size]
    for s, e in zip(starts, ends, strict=True):
        w = float(values[t_sorted[s]])
        if w == 0.0:
            continue
        key = _minimal_masks(m_sorted[s:e])
        groups[key] = groups.get(key, 0.0) + w
    return groups


# ----------------------------------------------------------------------------
# Transforms over the lattice of coalitions
# ----------------------------------------------------------------------------


def _subset_sum(table: np.ndarray, n: int) -> None:
    """Zeta transform in place: ``table[S] <- sum of table[T] over T ⊆ S``.

    ``n`` passes; pass ``i`` adds ``table[S]`` to ``table[S | 1<<i]`` for all
    ``S`` without bit ``i`` at once (index ``S = high·2^(i+1) + b·2^i + low``).
    """
    for i in range(n):
        view = table.reshape(-1, 2, 1 << i)
        view[:, 1, :] += view[:, 0, :]


def _upward_closure(table: np.ndarray, n: int) -> None:
    """In place: ``table[S] <- OR of table[T] over T ⊆ S`` (boolean table)."""
    for i in range(n):
        view = table.reshape(-1, 2, 1 << i)
        view[:, 1, :] |= view[:, 0, :]


def _add_packed_groups(v: np.ndarray, groups: list[tuple[tuple[int, ...], float]], n: int) -> None:
    """Add ``w_g [some minimal mask of g ⊆ S]`` to ``v[S]`` for up to 64 groups.

    Bit ``g`` of a uint64 per coalition holds group ``g``'s indicator: the
    upward closure then runs for 64 groups in one pass per party, and the
    weighted sum of the bits is read byte by byte from 256-entry tables.
    """
    bits = np.zeros(v.size, dtype=np.uint64)
    for g, (masks, _) in enumerate(groups):
        bits[list(masks)] |= np.uint64(1 << g)
    _upward_closure(bits, n)
    weights = np.zeros(64, dtype=np.float64)
    weights[: len(groups)] = [w for _, w in groups]
    byte_values = np.arange(256)
    per_byte = bits.view(np.uint8).reshape(v.size, 8)
    for k in range(8):
        if not weights[8 * k : 8 * k + 8].any():
            continue
        table = np.zeros(256, dtype=np.float64)
        for j in range(8):
            table += np.where((byte_values >> j) & 1, weights[8 * k + j], 0.0)
        column = k if np.little_endian else 7 - k
        v += table[per_byte[:, column]]


def coalition_values(
    option_target: Sequence[int] | np.ndarray,
    option_mask: Sequence[int] | np.ndarray,
    target_values: Sequence[float] | np.ndarray,
    n_parties: int,
) -> np.ndarray:
    """Value of every coalition, from the defence options, by bit operations.

    Parameters
    ----------
    option_target : array_like of int, shape (n_options,)
        Target item each option defends (index into ``target_values``).
    option_mask : array_like of int, shape (n_options,)
        Parties each option needs, as a bitmask (bit ``i`` = party ``i``).
        Mask 0 is an option that needs nobody.
    target_values : array_like of float, shape (n_targets,)
        Value of each target item (population defended, area weight, ...),
        finite and non-negative, in any unit; ``v`` comes out in that unit.
    n_parties : int
        Number of parties, at most :data:`MAX_EXACT_PARTIES`.

    Returns
    -------
    numpy.ndarray of float64, shape (2**n_parties,)
        ``v[S]`` for every coalition bitmask ``S``: the summed value of the
        targets with an option whose mask is a subset of ``S``.

    Raises
    ------
    CooperationError
        (a ``ValueError``) for more than :data:`MAX_EXACT_PARTIES` parties or
        malformed options.

    Notes
    -----
    Cost: ``n·2^n`` additions for all targets with one minimal mask together,
    plus ``n·2^n`` byte ORs per distinct set of several minimal masks. The
    result is exactly monotone in floating point: every pass adds
    non-negative numbers and rounding is monotone.
    """
    n = _check_n_parties(n_parties, MAX_EXACT_PARTIES, "exact")
    target, mask, values = _check_options(option_target, option_mask, target_values, n)
    size = 1 << n
    v = np.zeros(size, dtype=np.float64)
    groups = _minimal_options(target, mask, values)
    several: list[tuple[tuple[int, ...], float]] = []
    for masks, w in groups.items():
        if len(masks) == 1:
            v[masks[0]] += w
        else:
            several.append((masks, w))
    _subset_sum(v, n)
    for start in range(0, len(several), 64):
        _add_packed_groups(v, several[start : start + 64], n)
    return v


def shot_opportunities(option_mask: Sequence[int] | np.ndarray, n_parties: int) -> np.ndarray:
    """Number of working options (shot opportunities) for every coalition.

    Parameters
    ----------
    option_mask : array_like of int, shape (n_options,)
        Parties each option needs, as a bitmask.
    n_parties : int
        Number of parties, at most :data:`MAX_EXACT_PARTIES`.

    Returns
    -------
    numpy.ndarray of int64, shape (2**n_parties,)
        For every coalition ``S``, the number of options whose mask is a
        subset of ``S`` (one zeta transform of the mask histogram).
    """
    n = _check_n_parties(n_parties, MAX_EXACT_PARTIES, "exact")
    mask = np.asarray(option_mask, dtype=np.int64).reshape(-1)
    _check_options(np.zeros(mask.size, np.int64), mask, np.zeros(1), n)
    counts = np.bincount(mask, minlength=1 << n).astype(np.int64)
    _subset_sum(counts, n)
    return counts


def options_value_function(
    option_target: Sequence[int] | np.ndarray,
    option_mask: Sequence[int] | np.ndarray,
    target_values: Sequence[float] | np.ndarray,
    n_parties: int,
) -> ValueFunction:
    """A vectorised ``v`` for arbitrary coalitions, straight from the options.

    Parameters
    ----------
    option_target, option_mask, target_values, n_parties
        As for :func:`coalition_values`; up to :data:`MAX_SAMPLED_PARTIES`.

    Returns
    -------
    callable
        ``v(coalitions)``: takes an int64 array of coalition bitmasks, any
        shape, and returns their values (float64, same shape). Evaluated in
        blocks so the coalitions x options subset test stays small.
    """
    n = _check_n_parties(n_parties, MAX_SAMPLED_PARTIES, "sampled")
    target, mask, values = _check_options(option_target, option_mask, target_values, n)
    groups = _minimal_options(target, mask, values)
    flat_masks = np.array([m for masks in groups for m in masks], dtype=np.int64)
    flat_group = np.array([g for g, masks in enumerate(groups) for _ in masks], dtype=np.int64)
    weights = np.array(list(groups.values()), dtype=np.float64)
    n_groups = weights.size

    def value(coalitions: np.ndarray) -> np.ndarray:
        c = np.asarray(coalitions, dtype=np.int64)
        flat = c.reshape(-1)
        out = np.zeros(flat.size, dtype=np.float64)
        if n_groups == 0:
            return out.reshape(c.shape)
        block = max(1, _BLOCK_ELEMENTS // max(1, flat_masks.size))
        for start in range(0, flat.size, block):
            chunk = flat[start : start + block]
            works = (chunk[:, None] & flat_masks[None, :]) == flat_masks[None, :]
            defended = np.zeros((chunk.size, n_groups), dtype=np.bool_)
            rows, cols = np.nonzero(works)
            defended[rows, flat_group[cols]] = True
            out[start : start + chunk.size] = defended @ weights
        return out.reshape(c.shape)

    return value


# ----------------------------------------------------------------------------
# Shapley values
# ----------------------------------------------------------------------------


def shapley_exact(values: Sequence[float] | np.ndarray, n_parties: int) -> np.ndarray:
    """Exact Shapley values from the table of all coalition values.

    .. math:: \\varphi_i = \\sum_{S \\subseteq N \\setminus \\{i\\}}
              \\frac{|S|!\\,(n-|S|-1)!}{n!}\\,\\bigl(v(S \\cup \\{i\\}) - v(S)\\bigr)

    (Shapley 1953; Maschler, Solan & Zamir 2013, eq. 18.14.)

    Parameters
    ----------
    values : array_like of float, shape (2**n_parties,)
        ``v[S]`` for every coalition bitmask ``S`` (bit ``i`` = party ``i``).
    n_parties : int
        Number of parties, at most :data:`MAX_EXACT_PARTIES`.

    Returns
    -------
    numpy.ndarray of float64, shape (n_parties,)
        Shapley value of each party, in the unit of ``values``. They add up to
        ``v(N) - v(∅)``.

    Notes
    -----
    Per party, one vectorised pass over the ``2^(n-1)`` coalitions without
    it: marginal contributions weighted by ``1 / (n·C(n-1, |S|))``. A null
    party's marginal contributions are exactly zero, so is its value.
    """
    n = _check_n_parties(n_parties, MAX_EXACT_PARTIES, "exact")
    v = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    if v.size != 1 << n:
        raise CooperationError(
            f"values has {v.size} entries; {n} parties need 2**{n} = {1 << n}.",
            where="shapley_exact values",
        )
    if not np.all(np.isfinite(v)):
        raise CooperationError("values must be finite.", where="shapley_exact values")
    weight_by_size = np.array([1.0 / (n * math.comb(n - 1, k)) for k in range(n)] + [0.0])
    sizes = np.bitwise_count(np.arange(1 << n, dtype=np.int64))
    weight = weight_by_size[sizes]
    phi = np.empty(n, dtype=np.float64)
    for i in range(n):
        vv = v.reshape(-1, 2, 1 << i)
        ww = weight.reshape(-1, 2, 1 << i)
        phi[i] = np.sum((vv[:, 1, :] - vv[:, 0, :]) * ww[:, 0, :])
    return phi


def shapley_sampled(
    value_fn: ValueFunction,
    n_parties: int,
    n_permutations: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values estimated by sampling orderings of the parties.

    Each sampled permutation gives every party its marginal contribution to
    the parties before it; the estimate is the mean over permutations and its
    standard error the sample standard deviation over ``sqrt(m)``
    (Castro, Gómez & Tejada 2009, algorithm ApproShapley).

    Parameters
    ----------
    value_fn : callable
        ``v(coalitions)`` on an int64 array of coalition bitmasks, returning
        their values (see :func:`options_value_function`).
    n_parties : int
        Number of parties, at most :data:`MAX_SAMPLED_PARTIES`.
    n_permutations : int
        Permutations sampled, at least 2 (for a standard error).
    rng : numpy.random.Generator
        Source of the permutations; record its seed with the result.

    Returns
    -------
    estimates : numpy.ndarray of float64, shape (n_parties,)
        Estimated Shapley values. Each permutation's contributions telescope
        to ``v(N) - v(∅)``, so the estimates keep efficiency exactly (to
        rounding).
    standard_errors : numpy.ndarray of float64, shape (n_parties,)
        Standard error of each estimate, same unit.
    """
    n = _check_n_parties(n_parties, MAX_SAMPLED_PARTIES, "sampled")
    m = int(n_permutations)
    if m < 2:
        raise CooperationError(
            f"n_permutations must be at least 2 for a standard error, got {n_permutations}.",
            where="shapley_sampled",
        )
    perms = rng.permuted(np.tile(np.arange(n, dtype=np.int64), (m, 1)), axis=1)
    prefixes = np.zeros((m, n + 1), dtype=np.int64)
    np.cumsum(np.left_shift(np.int64(1), perms), axis=1, out=prefixes[:, 1:])
    v = np.asarray(value_fn(prefixes), dtype=np.float64).reshape(m, n + 1)
    marginal = np.empty((m, n), dtype=np.float64)
    np.put_along_axis(marginal, perms, np.diff(v, axis=1), axis=1)
    estimates = marginal.mean(axis=0)
    standard_errors = marginal.std(axis=0, ddof=1) / math.sqrt(m)
    return estimates, standard_errors


# ----------------------------------------------------------------------------
# Benefits and cost shares
# ----------------------------------------------------------------------------


def benefit_received(
    option_target: Sequence[int] | np.ndarray,
    option_mask: Sequence[int] | np.ndarray,
    target_values: Sequence[float] | np.ndarray,
    target_owner: Sequence[int] | np.ndarray,
    n_parties: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Value each party receives with everyone, and with its own assets alone.

    Parameters
    ----------
    option_target, option_mask, target_values
        As for :func:`coalition_values`.
    target_owner : array_like of int, shape (n_targets,)
        Party whose people live at each target (``-1``: none of the parties).
    n_parties : int
        Number of parties, at most :data:`MAX_SAMPLED_PARTIES`.

    Returns
    -------
    grand : numpy.ndarray of float64, shape (n_parties,)
        Value of each party's own targets defended by the grand coalition.
    alone : numpy.ndarray of float64, shape (n_parties,)
        Value of each party's own targets defended by an option that needs
        no party but it (mask 0 or ``1 << i``). ``grand - alone`` is what
        the joint roof gives the party that it could not have alone.
    """
    n = _check_n_parties(n_parties, MAX_SAMPLED_PARTIES, "sampled")
    target, mask, values = _check_options(option_target, option_mask, target_values, n)
    owner = np.asarray(target_owner, dtype=np.int64).reshape(-1)
    if owner.shape != values.shape or np.any(owner < -1) or np.any(owner >= n):
        raise CooperationError(
            f"target_owner needs one party index in -1..{n - 1} per target "
            f"({values.size} targets).",
            where="benefit_received target_owner",
        )
    t_owner = owner[target]
    own_bit = np.where(t_owner >= 0, np.left_shift(np.int64(1), np.maximum(t_owner, 0)), 0)
    alone_ok = (mask & ~own_bit) == 0
    by_grand = np.zeros(values.size, dtype=np.bool_)
    by_grand[target] = True
    by_alone = np.zeros(values.size, dtype=np.bool_)
    by_alone[target[alone_ok]] = True
    owned = owner >= 0
    grand = np.bincount(owner[owned], weights=values[owned] * by_grand[owned], minlength=n)
    alone = np.bincount(owner[owned], weights=values[owned] * by_alone[owned], minlength=n)
    return grand.astype(np.float64), alone.astype(np.float64)


def _proportional(total: float, key: np.ndarray, name: str) -> np.ndarray:
    if not np.all(np.isfinite(key)) or np.any(key < 0.0):
        raise CooperationError(
            f"cannot share costs by {name}: it has negative or non-finite entries "
            f"({key.tolist()}).",
            where="cost_shares",
        )
    s = float(key.sum())
    if s == 0.0:
        raise CooperationError(
            f"cannot share costs by {name}: every party's {name} is zero.",
            where="cost_shares",
            fix="The roof defends no value for these parties; there is nothing to share by.",
        )
    return total * key / s


def cost_shares(
    costs: float | Sequence[float] | np.ndarray,
    shapley: Sequence[float] | np.ndarray,
    benefit: Sequence[float] | np.ndarray,
) -> CostShares:
    """Share the cost of the roof by Shapley value and by benefit received.

    Parameters
    ----------
    costs : float or array_like of float, shape (n_parties,)
        Total cost, or the cost of each party's own assets (their sum is
        shared), in any currency unit; finite and non-negative.
    shapley : array_like of float, shape (n_parties,)
        Shapley values (non-negative; they are for a monotone game).
    benefit : array_like of float, shape (n_parties,)
        Value each party receives in the grand coalition
        (``benefit_received(...)[0]``).

    Returns
    -------
    CostShares
        Shares of the total by each key, and transfers when per-party costs
        were given.

    Raises
    ------
    CooperationError
        (a ``ValueError``) when a key is all zero or has negative entries, or
        the arrays disagree in length.
    """
    phi = np.asarray(shapley, dtype=np.float64).reshape(-1)
    b = np.asarray(benefit, dtype=np.float64).reshape(-1)
    c = np.asarray(costs, dtype=np.float64)
    if phi.shape != b.shape or (c.ndim and c.shape != phi.shape):
        raise CooperationError(
            f"shapley ({phi.size}), benefit ({b.size}) and per-party costs ({c.size}) "
            "must have one entry per party.",
            where="cost_shares",
        )
    if not np.all(np.isfinite(c)) or np.any(c < 0.0):
        raise CooperationError("costs must be finite and non-negative.", where="cost_shares")
    total = float(c.sum())
    by_shapley = _proportional(total, phi, "Shapley value")
    by_benefit = _proportional(total, b, "benefit received")
    own = c.reshape(-1).copy() if c.ndim else None
    return CostShares(
        total_cost=total,
        by_shapley=by_shapley,
        by_benefit=by_benefit,
        own_cost=own,
        transfer_shapley=None if own is None else by_shapley - own,
        transfer_benefit=None if own is None else by_benefit - own,
    )


# ----------------------------------------------------------------------------
# Everything at once
# ----------------------------------------------------------------------------


def analyse_cooperation(
    party_names: Sequence[str],
    option_target: Sequence[int] | np.ndarray,
    option_mask: Sequence[int] | np.ndarray,
    target_values: Sequence[float] | np.ndarray,
    target_owner: Sequence[int] | np.ndarray,
    *,
    costs: float | Sequence[float] | np.ndarray | None = None,
    method: str = "auto",
    n_permutations: int = 2000,
    seed: int = 0,
) -> CooperationResult:
    """Coalition values, Shapley values, benefits and cost shares of a roof.

    Parameters
    ----------
    party_names : sequence of str
        Party ``i`` is bit ``i`` of every mask.
    option_target, option_mask, target_values
        The defence options, as for :func:`coalition_values`.
    target_owner : array_like of int, shape (n_targets,)
        Party whose people live at each target (``-1``: none).
    costs : float or array_like of float, optional
        Total cost or per-party asset costs; without it no cost table.
    method : {"auto", "exact", "sampled"}
        ``"auto"`` is exact up to 20 parties and sampled beyond.
    n_permutations : int
        Permutations for the sampled path.
    seed : int
        Seed of the ``numpy.random.Generator`` for the sampled path; recorded.

    Returns
    -------
    CooperationResult
    """
    names = tuple(str(p) for p in party_names)
    n = len(names)
    if method not in ("auto", "exact", "sampled"):
        raise CooperationError(
            f"unknown method {method!r}.", fix="Use 'auto', 'exact' or 'sampled'."
        )
    chosen = ("exact" if n <= 20 else "sampled") if method == "auto" else method
    table: np.ndarray | None
    if chosen == "exact":
        table = coalition_values(option_target, option_mask, target_values, n)
        phi = shapley_exact(table, n)
        se = np.zeros(n)
        grand_value, empty_value = float(table[-1]), float(table[0])
        used_seed: int | None = None
        used_perms: int | None = None
    else:
        v = options_value_function(option_target, option_mask, target_values, n)
        phi, se = shapley_sampled(v, n, n_permutations, np.random.default_rng(seed))
        ends = v(np.array([0, (1 << n) - 1], dtype=np.int64))
        grand_value, empty_value = float(ends[1]), float(ends[0])
        table, used_seed, used_perms = None, int(seed), int(n_permutations)
    grand, alone = benefit_received(option_target, option_mask, target_values, target_owner, n)
    shares = None if costs is None else cost_shares(costs, phi, grand)
    return CooperationResult(
        party_names=names,
        method=chosen,
        shapley=phi,
        standard_error=se,
        n_permutations=used_perms,
        seed=used_seed,
        coalition_values=table,
        grand_value=grand_value,
        empty_value=empty_value,
        benefit_grand=grand,
        benefit_alone=alone,
        benefit_gain=grand - alone,
        cost_shares=shares,
    )
