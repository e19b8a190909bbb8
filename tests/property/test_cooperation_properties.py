"""Invariants of the cooperation game: the Shapley axioms and monotone values.

Shapley (1953); Maschler, Solan & Zamir, Game Theory (2013), ch. 18: the
Shapley value is efficient, symmetric, gives a null player nothing, and is
non-negative in a monotone game. Values are in people; tolerances absolute
in people, scaled to the game's total.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from securityroof.analysis.cooperation import (
    coalition_values,
    options_value_function,
    shapley_exact,
    shapley_sampled,
)


@st.composite
def games(draw, min_parties=1, max_parties=6):
    """A roof as options: (n, option_target, option_mask, target_values)."""
    n = draw(st.integers(min_parties, max_parties))
    n_targets = draw(st.integers(1, 5))
    options = draw(
        st.lists(
            st.tuples(st.integers(0, n_targets - 1), st.integers(0, (1 << n) - 1)),
            min_size=0,
            max_size=10,
        )
    )
    values = draw(
        st.lists(st.floats(0.0, 1e7, allow_nan=False), min_size=n_targets, max_size=n_targets)
    )
    target = np.array([t for t, _ in options], dtype=np.int64)
    mask = np.array([m for _, m in options], dtype=np.int64)
    return n, target, mask, np.array(values)


def _tol(values: np.ndarray) -> float:
    return 1e-9 * max(1.0, float(np.sum(values)))  # people


def _swap_bits(mask: np.ndarray, a: int, b: int) -> np.ndarray:
    bit_a, bit_b = (mask >> a) & 1, (mask >> b) & 1
    cleared = mask & ~((1 << a) | (1 << b))
    return cleared | (bit_a << b) | (bit_b << a)


@settings(max_examples=150, deadline=None)
@given(games())
def test_efficiency(game):
    n, target, mask, values = game
    v = coalition_values(target, mask, values, n)
    phi = shapley_exact(v, n)
    assert abs(phi.sum() - (v[-1] - v[0])) <= _tol(values)


@settings(max_examples=150, deadline=None)
@given(games(min_parties=2), st.data())
def test_symmetry(game, data):
    n, target, mask, values = game
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(0, n - 1).filter(lambda x: x != a))
    # Relabelling a <-> b swaps their values (anonymity) ...
    phi = shapley_exact(coalition_values(target, mask, values, n), n)
    swapped = shapley_exact(coalition_values(target, _swap_bits(mask, a, b), values, n), n)
    expected = phi.copy()
    expected[[a, b]] = phi[[b, a]]
    np.testing.assert_allclose(swapped, expected, atol=_tol(values))
    # ... and in a game closed under the swap, a and b are symmetric: equal values.
    sym_target = np.r_[target, target]
    sym_mask = np.r_[mask, _swap_bits(mask, a, b)]
    phi_sym = shapley_exact(coalition_values(sym_target, sym_mask, values, n), n)
    assert abs(phi_sym[a] - phi_sym[b]) <= _tol(values)


@settings(max_examples=150, deadline=None)
@given(games(max_parties=5), st.data())
def test_null_player_gets_zero(game, data):
    n, target, mask, values = game
    null = data.draw(st.integers(0, n))  # a new party no option needs
    low = mask & ((1 << null) - 1)
    high = (mask >> null) << (null + 1)
    widened = low | high
    phi = shapley_exact(coalition_values(target, widened, values, n + 1), n + 1)
    assert phi[null] == 0.0
    # Adding a null party changes nobody else's value.
    base = shapley_exact(coalition_values(target, mask, values, n), n)
    np.testing.assert_allclose(np.delete(phi, null), base, atol=_tol(values))


@settings(max_examples=150, deadline=None)
@given(games())
def test_monotone_values_and_non_negative_shapley(game):
    n, target, mask, values = game
    v = coalition_values(target, mask, values, n)
    for i in range(n):
        view = v.reshape(-1, 2, 1 << i)
        # Adding party i never lowers the value, exactly (no tolerance).
        assert np.all(view[:, 1, :] >= view[:, 0, :])
    assert np.all(shapley_exact(v, n) >= 0.0)


@settings(max_examples=60, deadline=None)
@given(games(), st.integers(0, 2**32 - 1))
def test_sampled_estimates_are_efficient_and_consistent(game, seed):
    n, target, mask, values = game
    v = coalition_values(target, mask, values, n)
    fn = options_value_function(target, mask, values, n)
    np.testing.assert_allclose(fn(np.arange(1 << n)), v, rtol=1e-12, atol=_tol(values))
    est, se = shapley_sampled(fn, n, 20, np.random.default_rng(seed))
    assert abs(est.sum() - (v[-1] - v[0])) <= _tol(values)
    assert np.all(est >= 0.0) and np.all(se >= 0.0)
