"""Coalition values and Shapley values against games with published solutions.

Values here are dimensionless game values (or "people" for the roof examples);
each tolerance is stated as an absolute tolerance in that unit.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

from securityroof.analysis.cooperation import (
    MAX_EXACT_PARTIES,
    CooperationError,
    analyse_cooperation,
    benefit_received,
    coalition_values,
    cost_shares,
    options_value_function,
    shapley_exact,
    shapley_sampled,
    shot_opportunities,
)
from securityroof.errors import RoofError

EXACT = 1e-12  # value units: exact games, only rounding allowed


def _bits(*parties: int) -> int:
    return sum(1 << p for p in parties)


def _brute_shapley(values: np.ndarray, n: int) -> np.ndarray:
    """Shapley (1953) as the average over all n! orderings of marginal contributions."""
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        s = 0
        for p in order:
            phi[p] += values[s | (1 << p)] - values[s]
            s |= 1 << p
    return phi / math.factorial(n)


def test_glove_game():
    # Glove game: party 0 owns a left glove, parties 1 and 2 a right glove each;
    # a pair is worth 1. Shapley = (2/3, 1/6, 1/6): Maschler, Solan & Zamir,
    # Game Theory (2013), ch. 18. As a roof: one target, defended by an option
    # needing {0, 1} or one needing {0, 2}.
    v = coalition_values([0, 0], [_bits(0, 1), _bits(0, 2)], [1.0], 3)
    np.testing.assert_allclose(v, [0, 0, 0, 1, 0, 1, 0, 1], atol=EXACT)
    np.testing.assert_allclose(shapley_exact(v, 3), [2 / 3, 1 / 6, 1 / 6], atol=EXACT)


def test_weighted_majority_game():
    # Weighted majority game [51; 49, 48, 3]: any two parties win, so the
    # Shapley-Shubik index is (1/3, 1/3, 1/3) despite unequal weights
    # (Shapley & Shubik, APSR 48(3), 1954, pp. 787-792: the index is the
    # Shapley value of the simple game). Built directly from the weights.
    weights, quota = np.array([49, 48, 3]), 51
    v = np.array(
        [float(sum(weights[[p for p in range(3) if s >> p & 1]]) >= quota) for s in range(8)]
    )
    np.testing.assert_allclose(shapley_exact(v, 3), [1 / 3, 1 / 3, 1 / 3], atol=EXACT)
    # Same game through options: a target needing any two of the three parties.
    v_opt = coalition_values([0, 0, 0], [_bits(0, 1), _bits(0, 2), _bits(1, 2)], [1.0], 3)
    np.testing.assert_array_equal(v_opt, v)


def _airport(costs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Airport game as options: runway segment k (cost c_k - c_(k-1)) is needed by
    every party j >= k, so its 'target' is covered if any of them is present."""
    n = costs.size
    increments = np.diff(np.r_[0.0, costs])
    target = [k for k in range(n) for _ in range(k, n)]
    mask = [1 << j for k in range(n) for j in range(k, n)]
    return np.array(target), np.array(mask), increments


def _airport_closed_form(costs: np.ndarray) -> np.ndarray:
    # Littlechild & Owen, Management Science 20(3), 1973, pp. 370-372:
    # phi_i = sum_{k <= i} (c_k - c_(k-1)) / (n - k + 1), parties sorted by cost.
    n = costs.size
    increments = np.diff(np.r_[0.0, costs])
    per_segment = increments / (n - np.arange(n))
    return np.cumsum(per_segment)


def test_airport_game_small():
    costs = np.array([1.0, 3.0, 6.0, 10.0])
    target, mask, increments = _airport(costs)
    v = coalition_values(target, mask, increments, 4)
    np.testing.assert_allclose(v[_bits(1, 2)], 6.0, atol=EXACT)  # c(S) = max cost in S
    phi = shapley_exact(v, 4)
    expected = [1 / 4, 1 / 4 + 2 / 3, 1 / 4 + 2 / 3 + 3 / 2, 1 / 4 + 2 / 3 + 3 / 2 + 4]
    np.testing.assert_allclose(phi, expected, atol=EXACT)
    np.testing.assert_allclose(phi, _airport_closed_form(costs), atol=EXACT)
    np.testing.assert_allclose(phi, _brute_shapley(v, 4), atol=EXACT)


def test_additive_game():
    # Additive (inessential) game: each party alone defends its own cities;
    # the Shapley value is each party's own value (MSZ 2013, ch. 18, the
    # additivity and dummy axioms).
    values = np.array([5.0e5, 1.2e6, 3.0e4, 0.0, 7.5e5])
    target = np.arange(5)
    mask = 1 << np.arange(5)
    v = coalition_values(target, mask, values, 5)
    np.testing.assert_allclose(shapley_exact(v, 5), values, atol=1e-6)  # people


def test_unanimity_game():
    # Unanimity game u_T: v(S) = w if T ⊆ S. Shapley: w/|T| to each carrier,
    # 0 to the others (Shapley 1953; MSZ 2013, ch. 18). A city whose only
    # defence needs parties 1 and 2 (e.g. interceptor owner and host nation).
    v = coalition_values([0], [_bits(1, 2)], [9.0e5], 4)
    np.testing.assert_allclose(shapley_exact(v, 4), [0.0, 4.5e5, 4.5e5, 0.0], atol=1e-6)


def test_coalition_values_match_definition():
    # Against the model's definition evaluated coalition by coalition.
    rng = np.random.default_rng(7)
    n, n_targets, n_options = 6, 8, 20
    target = rng.integers(0, n_targets, n_options)
    mask = rng.integers(0, 1 << n, n_options)
    values = rng.uniform(0.0, 1e6, n_targets)
    v = coalition_values(target, mask, values, n)
    direct = np.array(
        [
            sum(
                values[t]
                for t in range(n_targets)
                if any(mask[o] & ~s == 0 for o in np.flatnonzero(target == t))
            )
            for s in range(1 << n)
        ]
    )
    np.testing.assert_allclose(v, direct, rtol=1e-12, atol=1e-6)  # people
    fn = options_value_function(target, mask, values, n)
    np.testing.assert_allclose(fn(np.arange(1 << n)), direct, rtol=1e-12, atol=1e-6)
    counts = shot_opportunities(mask, n)
    assert counts[(1 << n) - 1] == n_options
    assert counts[0] == np.sum(mask == 0)


def test_sampled_within_four_standard_errors_of_exact():
    # Castro, Gómez & Tejada (2009): the permutation estimate is unbiased with
    # variance sigma^2/m; 4 standard errors, 10 parties, fixed seed.
    rng = np.random.default_rng(20250101)
    n = 10
    target = rng.integers(0, 12, 40)
    mask = np.array(
        [_bits(*rng.choice(n, size=rng.integers(1, 4), replace=False)) for _ in range(40)]
    )
    values = rng.uniform(1e4, 1e6, 12)
    exact = shapley_exact(coalition_values(target, mask, values, n), n)
    fn = options_value_function(target, mask, values, n)
    est, se = shapley_sampled(fn, n, 3000, np.random.default_rng(12345))
    assert np.all(se > 0.0)
    assert np.all(np.abs(est - exact) <= 4.0 * se)
    np.testing.assert_allclose(est.sum(), exact.sum(), rtol=1e-12)  # efficiency holds per draw
    again, _ = shapley_sampled(fn, n, 3000, np.random.default_rng(12345))
    np.testing.assert_array_equal(est, again)  # the seed reproduces the estimate


def test_twenty_parties_exact_airport_game():
    # 20 parties: 2^20 coalitions through the options, checked against the
    # Littlechild & Owen (1973) closed form; plus 300 random multi-party
    # targets for the timing. Budget: well under 10 s.
    n = 20
    costs = np.sort(np.random.default_rng(3).uniform(1.0, 100.0, n))
    target, mask, increments = _airport(costs)
    t0 = time.perf_counter()
    v = coalition_values(target, mask, increments, n)
    phi = shapley_exact(v, n)
    elapsed = time.perf_counter() - t0
    np.testing.assert_allclose(phi, _airport_closed_form(costs), atol=1e-9)
    assert elapsed < 10.0, f"20-party exact took {elapsed:.1f} s"

    rng = np.random.default_rng(4)
    options = 1200
    r_target = rng.integers(0, 300, options)
    r_mask = np.array([_bits(*rng.choice(n, size=3, replace=False)) for _ in range(options)])
    t0 = time.perf_counter()
    r_values = rng.uniform(0, 1e6, 300)
    v = coalition_values(r_target, r_mask, r_values, n)
    phi = shapley_exact(v, n)
    elapsed = time.perf_counter() - t0
    np.testing.assert_allclose(phi.sum(), v[-1] - v[0], rtol=1e-12)
    # Several 64-group blocks of the packed path, against the direct evaluation.
    some = rng.integers(0, 1 << n, 2000)
    direct = options_value_function(r_target, r_mask, r_values, n)(some)
    np.testing.assert_allclose(v[some], direct, rtol=1e-12, atol=1e-6)  # people
    assert elapsed < 10.0, f"20-party exact with 300 targets took {elapsed:.1f} s"


def test_too_many_parties_for_exact_is_refused():
    with pytest.raises(ValueError, match="sampled"):
        coalition_values([0], [1], [1.0], MAX_EXACT_PARTIES + 1)
    with pytest.raises(RoofError):
        shapley_exact(np.zeros(4), 3)  # wrong table length


def test_roof_benefits_and_cost_shares():
    # Three parties. City 0 (party 0) is covered by party 0's own battery;
    # city 1 (party 1) only by party 0's battery cued by party 2's radar;
    # city 2 (party 2) by party 1's battery hosted by party 2.
    parties = ["A", "B", "C"]
    target = [0, 1, 2]
    mask = [_bits(0), _bits(0, 2), _bits(1, 2)]
    values = [1.0e6, 2.0e6, 3.0e6]
    owner = [0, 1, 2]
    grand, alone = benefit_received(target, mask, values, owner, 3)
    np.testing.assert_allclose(grand, values)
    np.testing.assert_allclose(alone, [1.0e6, 0.0, 0.0])
    result = analyse_cooperation(parties, target, mask, values, owner, costs=[4.0, 2.0, 0.0])
    assert result.method == "exact" and result.seed is None
    # Hand computation: A gets 1e6 + 1e6 + 0, B gets 1.5e6, C gets 1e6 + 1.5e6.
    np.testing.assert_allclose(result.shapley, [2.0e6, 1.5e6, 2.5e6], atol=1e-6)
    np.testing.assert_allclose(result.benefit_gain, [0.0, 2.0e6, 3.0e6])
    shares = result.cost_shares
    assert shares is not None
    np.testing.assert_allclose(shares.by_shapley, [2.0, 1.5, 2.5])
    np.testing.assert_allclose(shares.by_benefit, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(shares.transfer_shapley, [-2.0, -0.5, 2.5])

    sampled = analyse_cooperation(
        parties, target, mask, values, owner, method="sampled", n_permutations=500, seed=9
    )
    assert sampled.method == "sampled" and sampled.seed == 9
    assert np.all(np.abs(sampled.shapley - result.shapley) <= 4 * sampled.standard_error + 1e-6)


def test_cost_shares_refuse_all_zero_key():
    with pytest.raises(ValueError, match="every party's Shapley value is zero"):
        cost_shares(10.0, [0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="benefit received"):
        cost_shares(10.0, [1.0, 0.0], [0.0, 0.0])
    with pytest.raises(CooperationError):
        cost_shares(10.0, [1.0, -1.0], [1.0, 1.0])


def test_a_sensor_site_needs_its_host_in_the_coalition(tmp_path):
    # Source: the catalog's sites (the AN/TPY-2 at Kurecik is a US radar on
    # Turkish soil: kurecik_2012); the game's options need every party whose
    # consent the defence uses. A ship's SM-3 launched on Kurecik's track
    # defends Ankara only for coalitions holding both the US and Turkey.
    # Tolerance: exact coalition values (people).
    from securityroof.analysis.engagement import run_engagements
    from securityroof.analysis.sharing import analyse_sharing
    from securityroof.model.scenario import load_scenario

    path = tmp_path / "kurecik.toml"
    path.write_text(
        '[scenario]\nname = "k"\narchitecture = "epaa-phase-1"\n'
        '[[threats]]\nmissile = "shahab-3"\nfrom = "tabriz"\nto = ["ankara"]\n'
    )
    result = analyse_sharing(run_engagements(load_scenario(path)))
    (record,) = [r for r in result.engagements.records if r.engageable]
    assert record.track_source == "kurecik"
    parties = result.parties
    values = result.cooperation.coalition_values
    assert values is not None
    usa, turkey = 1 << parties.index("usa"), 1 << parties.index("turkey")
    assert values[usa] == 0.0
    assert values[turkey] == 0.0
    assert values[usa | turkey] > 0.0
