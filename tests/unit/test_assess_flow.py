"""The assessment's data flow: each threat is flown once, one rule says which
threats are strategic, and another architecture is built without reading the
file again."""

from __future__ import annotations

import functools
from collections import Counter

from securityroof.analysis import assess as assess_module
from securityroof.analysis import engagement
from securityroof.analysis.engagement import Flights, fly_threats
from securityroof.analysis.envelope import analyse_envelope
from securityroof.analysis.stability import analyse_stability
from securityroof.model.scenario import Scenario, load_scenario
from tests.e2e.test_cli_assess import SMALL as ASSESSED

# The e2e test's small assessment, with an ICBM launched from a given point
# (no launch area): strategic by `threat_class`, so judged by the stability
# verdict and kept out of the regional engagements.
SMALL = ASSESSED.replace(
    "[strategic]",
    """[[threats]]
name = "icbm from a given point"
missile = "generic-icbm"
from_latlon = [55.5, 37.5]
to = ["washington"]

[strategic]""",
)


def _small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return load_scenario(path)


def test_assess_flies_each_threat_once(tmp_path, monkeypatch):
    flown: Counter[tuple[str, float]] = Counter()

    def counting(prepared, case_u, **options) -> Flights:
        flights = fly_threats(prepared, case_u, **options)
        for i, threat in enumerate(prepared.threats):
            for v, u in enumerate(flights.case_u.tolist()):
                if flights.trajectory_of[i, v] >= 0:
                    flown[(threat.name, u)] += 1
        return flights

    monkeypatch.setattr(engagement, "fly_threats", counting)
    # Cheap settings: the walk is the same at any size. Left out: the
    # published findings (their own scenarios), and the parts that only
    # evaluate geometry already observed (the stability verdict's speed
    # sweeps, the envelope's site maps).
    monkeypatch.setattr(assess_module, "validate", list)
    monkeypatch.setattr(assess_module, "STABILITY_DRAWS", 4)
    monkeypatch.setattr(assess_module, "RAID_TRIALS", 50)
    monkeypatch.setattr(
        assess_module, "analyse_stability", functools.partial(analyse_stability, sweeps=False)
    )
    monkeypatch.setattr(
        assess_module, "analyse_envelope", functools.partial(analyse_envelope, maps=False)
    )
    result = assess_module.assess(_small(tmp_path), resolution_deg=8.0)

    regional = [t.name for t in result.engagements.threats]
    assert result.stability is not None and result.envelope is not None
    strategic = [t.name for t in result.stability.scenario.threats]
    assert "icbm from a given point" in strategic
    assert "icbm from a given point" not in regional
    assert len(result.envelope.tradeoffs) == 4  # the scenario and three other EPAA phases
    # Regional threats at the scenario's case; strategic ones at each missile
    # range case the Monte Carlo box spans (where the missile reaches).
    assert {name for name, _ in flown} == {*regional, *strategic}
    assert {u for name, u in flown if name in regional} == {0.0}
    assert max(flown.values()) == 1, [key for key, n in flown.items() if n > 1]


def test_another_architecture_is_built_in_memory(tmp_path):
    scenario = _small(tmp_path)
    expected = load_scenario(scenario.path, scenario.catalog, architecture="epaa-phase-1")
    (tmp_path / "small.toml").unlink()  # nothing is read again
    variant = scenario.with_architecture("epaa-phase-1")
    assert variant.architecture == "epaa-phase-1"
    assert variant.sites.keys() == expected.sites.keys() != scenario.sites.keys()
    assert variant.cueing == expected.cueing and variant.parties == expected.parties
    assert variant.threats == scenario.threats
    # A scenario built in memory moves to another architecture the same way.
    built = Scenario.from_toml(SMALL).with_architecture("epaa-phase-1")
    assert built.sites.keys() == expected.sites.keys()
