"""The value space, its Latin-hypercube sample and Monte Carlo verdicts.

Covers analysis.prepare and analysis.uncertainty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from securityroof.analysis.prepare import prepare
from securityroof.analysis.stability import analyse_stability, judged_pairs, strategic_scenario
from securityroof.analysis.uncertainty import monte_carlo, wilson
from securityroof.errors import RoofError
from securityroof.model.scenario import load_scenario

GMD = """[scenario]
name = "GMD, a few polar routes"
architecture = "us-homeland"
[strategic]
launch_areas = ["kozelsk", "novosibirsk"]
targets = ["washington", "seattle"]
shapes = ["minimum-energy"]
"""


@pytest.fixture(scope="module")
def gmd(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("gmd") / "gmd.toml"
    path.write_text(GMD)
    return strategic_scenario(load_scenario(path))


def test_case_vectors_take_each_side_at_its_own_capability_end(gmd) -> None:
    space = prepare(gmd).space
    speed = space.index("interceptors.gbi.burnout_speed_m_s")
    delay = space.index("interceptors.gbi.launch_delay_s")
    rv = space.index("signature_classes.rv-modern.uhf")
    u = space.index("missiles.topol-m.range_case")
    strong_defence = space.case_vector("low", "high")[0]
    assert strong_defence[speed] == 9000.0  # catalog high, m/s
    assert strong_defence[delay] == 30.0  # the short end of the delay, s
    assert strong_defence[rv] == pytest.approx(0.3)  # weak offence: the largest RV, m^2
    assert strong_defence[u] == -1.0
    strong_offence = space.case_vector("high", "low")[0]
    assert strong_offence[rv] == pytest.approx(0.01) and strong_offence[u] == 1.0
    assert strong_offence[speed] == 6300.0


def test_the_sample_is_seeded_bounded_and_triangular(gmd) -> None:
    # Source: the triangular distribution on (low, mode, high) has mean (l + m + h) / 3.
    # Tolerance: 3 standard errors of the mean of 2,000 draws.
    space = prepare(gmd).space
    a = space.sample(2000, 11)
    np.testing.assert_array_equal(a, space.sample(2000, 11))
    assert not np.array_equal(a, space.sample(2000, 12))
    low, high = space.bounds()
    assert np.all((a >= low) & (a <= high))
    free = space.uncertain_indices()
    for i in free[:20]:
        v = space.values[i]
        mean = (v.low + v.nominal + v.high) / 3.0
        sd = np.sqrt(
            (
                v.low**2
                + v.nominal**2
                + v.high**2
                - v.low * v.nominal
                - v.low * v.high
                - v.nominal * v.high
            )
            / 18.0
        )
        assert abs(a[:, i].mean() - mean) <= 3.0 * sd / np.sqrt(2000.0), v.key
    fixed = np.setdiff1d(np.arange(len(space)), free)
    assert np.all(a[:, fixed] == space.nominal_vector()[0, fixed])


def test_wilson_interval_known_values() -> None:
    # Source: E. B. Wilson, JASA 22 (1927); values as tabulated in Newcombe,
    # Statistics in Medicine 17 (1998) 857, Table I. Tolerance: 1e-4.
    p, lo, hi = wilson(0, 10)
    assert (p, lo) == (0.0, 0.0) and hi == pytest.approx(0.2775, abs=1e-4)
    p, lo, hi = wilson(81, 263)
    assert lo == pytest.approx(0.2553, abs=1e-4) and hi == pytest.approx(0.3662, abs=1e-4)


def test_the_monte_carlo_is_reproducible_and_counts_each_draw(gmd) -> None:
    prepared = prepare(gmd)
    judged = judged_pairs(prepared)
    one = monte_carlo(gmd, prepared, judged, 120, seed=5)
    two = monte_carlo(gmd, prepared, judged, 120, seed=5)
    np.testing.assert_array_equal(one.engageable, two.engageable)
    np.testing.assert_array_equal(one.margin_s, two.margin_s)
    assert one.engageable.shape == (120, len(gmd.threats))
    # Engageable exactly when the margin is at least zero.
    np.testing.assert_array_equal(one.engageable, one.margin_s >= 0.0)
    p, lo, hi = one.probability()
    assert 0.0 <= lo <= p <= hi <= 1.0
    assert [s.delta for s in one.sensitivity] == sorted(
        (s.delta for s in one.sensitivity), reverse=True
    )
    keys = {v.key for v in prepared.space.values}
    assert all(s.key in keys for s in one.sensitivity)


def test_monte_carlo_size_must_be_sensible(gmd) -> None:
    prepared = prepare(gmd)
    with pytest.raises(RoofError, match="between 1 and"):
        monte_carlo(gmd, prepared, judged_pairs(prepared), 0, seed=1)


def test_stability_carries_probability_cases_and_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "gmd.toml"
    path.write_text(GMD)
    result = analyse_stability(load_scenario(path), draws=60, seed=3, sweeps=False)
    assert result.verdict == "strategic"
    assert result.verdict_by_party == {"russia": "strategic"}
    assert result.probability_strategic is not None
    assert result.sentence.startswith("Strategic with the catalogued sensors")
    assert "probability strategic" in result.sentence
    labels = [c.label for c in result.cases]
    assert "most capable defence, least capable offence" in labels
    assert result.track_assumptions[-1].source.startswith("a fire-control track at launch")
    assert {row.site for row in result.table} == {"fort-greely", "vandenberg"}


def test_a_nearly_constant_output_has_no_sensitivity_rather_than_an_error():
    """SALib's delta estimator fails on a singular density estimate when all
    draws but one give the same output; the analysis then reports no indices
    (as for a constant output) instead of stopping with a traceback."""
    from types import SimpleNamespace

    from securityroof.analysis.uncertainty import sensitivity

    values = [SimpleNamespace(key=f"k{i}", label=f"l{i}", low=0.0, high=1.0) for i in range(3)]
    space = SimpleNamespace(uncertain_indices=lambda: np.arange(3), values=values)
    prepared = SimpleNamespace(space=space)
    draws = np.random.default_rng(0).random((40, 3))
    output = np.zeros(40)
    output[0] = 5.0
    assert sensitivity(prepared, draws, output, 7) == []  # type: ignore[arg-type]
    varied = draws[:, 0] * 10.0  # an output that varies: indices, the driver first
    found = sensitivity(prepared, draws, varied, 7)  # type: ignore[arg-type]
    assert found[0].key == "k0"
