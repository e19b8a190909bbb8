"""Monte Carlo raid against closed forms of elementary probability.

Sources: independent Bernoulli shots, so a missile given n independent
shots of kill probability pk survives with (1 - pk)^n (e.g. Feller, An
Introduction to Probability Theory and Its Applications, vol. 1, 3rd ed.,
ch. VI); shoot-look-shoot uses interceptor i+1 only if the first i all
missed, so E[used] = sum_{i<n} (1 - pk)^i (truncated geometric distribution;
the same shoot-look-shoot arithmetic as Wilkening, Science & Global Security
8 (2000)). Wilson intervals against Newcombe, Stat. Med. 17 (1998) 857,
Table I, method 3.

Tolerance: Monte Carlo estimates must lie within 4 standard errors of the
closed form, the standard error computed from the exact variance of the
estimator (dimensionless: missiles, interceptors); exact where the outcome
is deterministic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from securityroof.core.raid import simulate_raid, wilson_interval

K = 40_000  # trials per check


def one(n_opp, inventory=100):
    return np.array([[n_opp]]), np.array([[100.0]]), np.array([inventory])


def within(estimate, exact, variance, trials=K, n_se=4.0):
    se = math.sqrt(variance / trials)
    assert abs(estimate - exact) <= n_se * se + 1e-12, (estimate, exact, se)


@pytest.mark.parametrize(("pk", "n"), [(0.7, 1), (0.5, 3), (0.3, 4), (0.85, 2)])
def test_shoot_look_shoot_one_missile_one_site(pk, n):
    opp, first, inv = one(n)
    r = simulate_raid(opp, first, inv, pk, trials=K, seed=11)
    p_leak = (1 - pk) ** n  # independent shots
    within(r.expected_leakers, p_leak, p_leak * (1 - p_leak))
    within(1 - r.p_no_leaker, p_leak, p_leak * (1 - p_leak))
    # Truncated geometric: E[used] = sum_{i<n} (1-pk)^i, Var from E[used^2].
    probs = [(1 - pk) ** i * (pk if i < n - 1 else 1.0) for i in range(n)]  # P(used = i+1)
    mean = sum((i + 1) * p for i, p in enumerate(probs))
    assert math.isclose(mean, sum((1 - pk) ** i for i in range(n)))
    var = sum((i + 1) ** 2 * p for i, p in enumerate(probs)) - mean**2
    within(r.interceptors_used_mean[0], mean, var)
    assert r.interceptors_used.min() >= 1 and r.interceptors_used.max() <= n


@pytest.mark.parametrize("pk", [0.4, 0.8])
def test_shoot_shoot_salvo_of_two_at_one_opportunity(pk):
    opp, first, inv = one(1)
    r = simulate_raid(opp, first, inv, pk, doctrine="shoot-shoot", trials=K, seed=12)
    p_leak = (1 - pk) ** 2
    within(r.expected_leakers, p_leak, p_leak * (1 - p_leak))
    assert np.all(r.interceptors_used == 2)  # exact: the salvo is fired regardless


def test_shoot_shoot_salvo_of_two_with_two_opportunities():
    pk = 0.5
    opp, first, inv = one(2)
    r = simulate_raid(opp, first, inv, pk, doctrine="shoot-shoot", trials=K, seed=13)
    p_leak = (1 - pk) ** 4
    within(r.expected_leakers, p_leak, p_leak * (1 - p_leak))
    q = (1 - pk) ** 2  # first salvo fails -> a second salvo of 2
    within(r.interceptors_used_mean[0], 2 + 2 * q, 4 * q * (1 - q))


def test_salvo_of_three_and_partial_salvo():
    pk = 0.3
    r = simulate_raid(*one(1), pk, doctrine="shoot-shoot", salvo_size=3, trials=K, seed=14)
    p_leak = (1 - pk) ** 3
    within(r.expected_leakers, p_leak, p_leak * (1 - p_leak))
    # Two interceptors left: the salvo of three is fired partially (two).
    r = simulate_raid(*one(1, 2), pk, doctrine="shoot-shoot", salvo_size=3, trials=K, seed=14)
    assert np.all(r.interceptors_used == 2)
    within(r.expected_leakers, (1 - pk) ** 2, (1 - pk) ** 2 * (1 - (1 - pk) ** 2))


@pytest.mark.parametrize(("n_missiles", "inventory", "pk"), [(10, 6, 0.7), (25, 24, 0.9)])
def test_inventory_limited_raid(n_missiles, inventory, pk):
    opp = np.ones((n_missiles, 1), dtype=int)
    first = np.linspace(100.0, 200.0, n_missiles)[:, None]
    r = simulate_raid(opp, first, np.array([inventory]), pk, trials=K, seed=15)
    # Exactly `inventory` missiles get one shot each: leakers = N - Binomial(I, pk).
    within(r.expected_leakers, n_missiles - inventory * pk, inventory * pk * (1 - pk))
    assert np.all(r.interceptors_used == inventory)
    assert r.leakers.min() >= n_missiles - inventory
    # The earliest missiles are engaged first (first come, first served).
    assert list(r.missile_order) == list(range(n_missiles))


@pytest.mark.parametrize("site_order", ["least-contested", "chronological"])
def test_two_layers(site_order):
    pk1, pk2 = 0.6, 0.45
    opp = np.array([[1, 1]])
    first = np.array([[300.0, 100.0]])
    r = simulate_raid(
        opp, first, np.array([5, 5]), [pk1, pk2], trials=K, seed=16, site_order=site_order
    )
    p_leak = (1 - pk1) * (1 - pk2)
    within(r.expected_leakers, p_leak, p_leak * (1 - p_leak))
    # The first layer always fires; the second only at survivors of the first.
    first_site = r.site_order_per_missile[0, 0]
    second_site = r.site_order_per_missile[0, 1]
    assert np.all(r.interceptors_used[:, first_site] == 1)
    p_first = [pk1, pk2][first_site]
    within(r.interceptors_used_mean[second_site], 1 - p_first, p_first * (1 - p_first))
    if site_order == "chronological":
        assert first_site == 1  # earlier first intercept


def test_pk_range_is_uniform_per_trial():
    # E[(1-p)^n] for p ~ U[a, b] = ((1-a)^{n+1} - (1-b)^{n+1}) / ((n+1)(b-a)).
    a, b, n = 0.3, 0.9, 2
    r = simulate_raid(*one(n), np.array([[a, b]]), trials=K, seed=17)
    p_leak = ((1 - a) ** (n + 1) - (1 - b) ** (n + 1)) / ((n + 1) * (b - a))
    within(r.expected_leakers, p_leak, p_leak * (1 - p_leak))
    assert r.pk_trial.min() >= a and r.pk_trial.max() <= b
    within(r.pk_trial.mean(), (a + b) / 2, (b - a) ** 2 / 12)


def test_deterministic_limits_are_exact():
    rng = np.random.default_rng(5)
    opp = rng.integers(0, 3, (12, 4))
    first = rng.uniform(50.0, 500.0, (12, 4))
    inv = np.array([3, 0, 2, 4])
    engageable = (opp > 0).any(axis=1)
    # pk = 0: everything leaks, every usable interceptor that has a slot is spent.
    r = simulate_raid(opp, first, inv, 0.0, trials=50, seed=1)
    assert np.all(r.leakers == 12)
    assert np.all(r.interceptors_used == np.minimum(inv, opp.sum(axis=0)))
    # pk = 1 with ample inventory: only missiles no site can engage leak.
    r = simulate_raid(opp, first, np.full(4, 100), 1.0, trials=50, seed=1)
    assert np.all(r.leakers == 12 - engageable.sum())
    assert r.p_no_leaker == float(engageable.all())


def test_wilson_interval_against_newcombe_1998():
    # Newcombe (1998) Table I, method 3 (score interval without continuity correction).
    lo, hi = wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    lo, hi = wilson_interval(15, 148)
    assert (round(lo, 4), round(hi, 4)) == (0.0624, 0.1605)
    lo, hi = wilson_interval(0, 20)
    assert (round(lo, 4), round(hi, 4)) == (0.0, 0.1611)
    lo, hi = wilson_interval(1, 29)
    assert (round(lo, 4), round(hi, 4)) == (0.0061, 0.1718)


def test_seed_is_recorded_and_reproduces():
    opp, first, inv = one(2)
    r = simulate_raid(opp, first, inv, [[0.2, 0.6]], trials=500)  # fresh entropy
    again = simulate_raid(opp, first, inv, [[0.2, 0.6]], trials=500, seed=r.seed)
    assert np.array_equal(r.leakers, again.leakers)
    assert np.array_equal(r.interceptors_used, again.interceptors_used)
    assert r.trials == 500 and r.doctrine == "shoot-look-shoot" and r.salvo_size == 1
    assert np.array_equal(r.pk_low, [0.2]) and np.array_equal(r.pk_high, [0.6])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"inventory": np.array([-1])}, "inventory must be >= 0"),
        ({"pk": 1.2}, r"pk must lie in \[0, 1\]"),
        ({"pk": [[0.8, 0.2]]}, "low <= high"),
        ({"pk": [0.5, 0.5]}, "pk must be"),
        ({"first_intercept_s": np.array([[1.0, 2.0]])}, "must match opportunities"),
        ({"first_intercept_s": np.array([[np.nan]])}, "NaN where opportunities"),
        ({"opportunities": np.array([[-2]])}, "opportunities must be >= 0"),
        ({"inventory": np.array([1, 2])}, "one entry per site"),
        ({"doctrine": "shoot-pray"}, "doctrine must be one of"),
        ({"salvo_size": 2}, "drop salvo_size"),
        ({"doctrine": "shoot-shoot", "salvo_size": 0}, "salvo_size must be"),
        ({"trials": 0}, "trials must be"),
        ({"seed": -3}, "seed must be"),
        ({"site_order": "random"}, "site_order must be one of"),
        (
            {"inventory": np.array([1]), "doctrine": "shoot-shoot", "require_inventory": True},
            "outnumbers the inventory",
        ),
    ],
)
def test_bad_input_raises_value_error(kwargs, match):
    args = {
        "opportunities": np.array([[1]]),
        "first_intercept_s": np.array([[10.0]]),
        "inventory": np.array([3]),
        "pk": 0.5,
        "trials": 10,
        "seed": 0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate_raid(**args)


def test_require_inventory_counts_only_engageable_missiles():
    opp = np.array([[1, 0], [0, 0], [1, 0]])  # missile 1 cannot be engaged at all
    first = np.where(opp > 0, 10.0, np.nan)
    r = simulate_raid(opp, first, np.array([2, 9]), 0.5, trials=10, seed=0, require_inventory=True)
    assert r.leakers.min() >= 1
    with pytest.raises(ValueError, match="outnumbers"):
        simulate_raid(opp, first, np.array([1, 9]), 0.5, trials=10, seed=0, require_inventory=True)
