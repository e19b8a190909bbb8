"""Published findings the project reproduces, shown to users (`roof validate`).

Each finding is a claim of the open literature about what a missile defence
can or cannot engage, the source that makes it, a scenario built to test it
(`securityroof/scenarios/validation/*.toml`, each saying why it is built as
it is), and the test: what the project must compute for the claim to hold.
The same functions run in the test suite (tests/validation/test_published_findings.py)
and in `roof assess`, so what users are shown is what is tested.

The findings are about the catalog's nominal values unless they say
otherwise; a finding that depends on an assumption beyond the catalog (such
as an early fire-control track) names it in its scenario.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from securityroof.analysis.engagement import evaluate, observe, run_engagements
from securityroof.analysis.prepare import prepare
from securityroof.analysis.stability import judged_pairs, strategic_scenario
from securityroof.core.flight import STATUS_IMPACT
from securityroof.model.quantity import Case
from securityroof.model.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class FindingResult:
    """One published finding, and what the project computes for it."""

    key: str
    finding: str
    source: str
    test: str  # what must hold for the finding to be reproduced
    result: str  # what the project computed
    agrees: bool


@dataclass(frozen=True)
class _Finding:
    key: str
    finding: str
    source: str
    test: str
    scenario_file: str
    check: Callable[[Scenario], tuple[str, bool]]


def validation_scenario(name: str) -> Path:
    """Path of a shipped validation scenario."""
    return Path(str(resources.files("securityroof.scenarios").joinpath("validation", name)))


def _strategic_counts(
    scenario: Scenario,
    cases: list[tuple[Case, Case]],
    changes: dict[str, float] | None = None,
) -> list[tuple[int, int]]:
    """(engageable, flown) strategic trajectories at each (threat case, defence case).

    `changes` sets values of the value space (SI, by key) in every draw.
    """
    strategic = strategic_scenario(scenario)
    prepared = prepare(strategic)
    space = prepared.space
    draws = np.concatenate([space.case_vector(t, d) for t, d in cases])
    for key, value in (changes or {}).items():
        draws[:, space.index(key)] = value
    seen = observe(prepared, draws, skip_unreachable=True)
    result = evaluate(seen, draws)
    judged = judged_pairs(prepared)
    hits = (result.windows.engageable & judged[None]).any(axis=2)
    flown = result.trajectory >= 0
    return [(int(hits[k].sum()), int(flown[k].sum())) for k in range(len(cases))]


def _gmd_polar(scenario: Scenario) -> tuple[str, bool]:
    ((hit, n),) = _strategic_counts(scenario, [("nominal", "nominal")])
    share = hit / max(n, 1)
    return f"{hit} of {n} trajectories engageable by GBIs ({share:.0%})", share >= 0.5


def _gbi_poland(scenario: Scenario) -> tuple[str, bool]:
    # "In raw speed": the kinematics alone, no kill-vehicle limit on the
    # closing speed or the angle; then with the catalog's forward-hemisphere
    # limit, which is the MDA's tail-chase argument.
    raw = {
        "interceptors.gbi.min_closing_speed_m_s": 0.0,
        "interceptors.gbi.max_engagement_angle_deg": math.pi,
    }
    ((hit_raw, n),) = _strategic_counts(scenario, [("nominal", "nominal")], raw)
    ((hit_kv, _),) = _strategic_counts(scenario, [("nominal", "nominal")])
    text = (
        f"{hit_raw} of {n} trajectories engageable in raw speed (no kill-vehicle limit); "
        f"{hit_kv} with the catalog's forward-hemisphere kill-vehicle limit (the tail-chase "
        "argument of the MDA)"
    )
    return text, hit_raw >= 1


def _epaa_cannot(scenario: Scenario) -> tuple[str, bool]:
    (hit, n), (hit_high, n_high) = _strategic_counts(
        scenario, [("nominal", "nominal"), ("nominal", "high")]
    )
    return (
        f"{hit} of {n} trajectories engageable at nominal values, {hit_high} of {n_high} with "
        "the most capable defence values",
        hit == 0 and hit_high == 0,
    )


def _epaa_phase_3(scenario: Scenario) -> tuple[str, bool]:
    ((hit, n),) = _strategic_counts(scenario, [("nominal", "nominal")])
    return f"{hit} of {n} trajectories engageable at nominal values", hit == 0


def _iib_siting(scenario: Scenario) -> tuple[str, bool]:
    # The time to spare at launch measures how early a site must launch (the
    # GAO's point about Poland); its median over the threats, and the share
    # the site can engage.
    result = run_engagements(scenario, skip_unreachable=True)
    flown = result.flights.status == STATUS_IMPACT
    margin: dict[str, float] = {}
    share: dict[str, float] = {}
    for b, battery in enumerate(result.batteries):
        m = result.windows.launch_margin_s[flown, b]
        margin[battery.site] = float(np.median(np.where(np.isfinite(m), m, -np.inf)))
        share[battery.site] = float(result.windows.engageable[flown, b].mean())
    sites = (("North Sea", "north-sea"), ("Poland", "redzikowo"), ("Romania", "deveselu"))
    text = "; ".join(
        f"{label}: {share[site]:.0%} engageable, median {margin[site]:,.0f} s to spare at launch"
        for label, site in sites
    )
    north, poland, romania = (margin[site] for _, site in sites)
    agrees = north > poland > romania and share["deveselu"] == min(share.values())
    return text, agrees


FINDINGS: tuple[_Finding, ...] = (
    _Finding(
        key="gmd-polar",
        finding="The US GMD system can engage ICBMs flying polar routes toward the United States.",
        source=(
            "MDA, FTG-15 (30 May 2017) and FTG-11 (25 March 2019: 'the first salvo engagement of "
            "a threat-representative ICBM target by two Ground Based Interceptors')"
        ),
        test="us-homeland against ICBMs from four Russian fields to four US cities: "
        "at least half of them engageable",
        scenario_file="gmd-polar.toml",
        check=_gmd_polar,
    ),
    _Finding(
        key="gbi-poland",
        finding="GBIs in Poland could catch ICBMs launched from western Russia toward the "
        "United States, given early tracks.",
        source=(
            "T. Postol, G. Lewis, P. Podvig, R. Garwin, P. Coyle, D. Wright, as reported by the "
            "Associated Press, 27-28 September 2007 (disputed by the MDA)"
        ),
        test="ten GBIs near Slupsk with a fire-control track 120 s after launch: at least one "
        "trajectory from Kozelsk, Teykovo or Vypolzovo to the US east coast engageable in raw "
        "speed (the kinematics, without a kill-vehicle limit on closing speed or angle)",
        scenario_file="gbi-poland.toml",
        check=_gbi_poland,
    ),
    _Finding(
        key="sm3-ia-ib",
        finding="The SM-3 Block IA and IB cannot engage Russian ICBMs.",
        source=(
            "J. Sankaran, 'Missile Defense Against Iran Without Threatening Russia', "
            "Arms Control Today, November 2013"
        ),
        test="EPAA phase 2 against Russian ICBMs and SLBMs aimed at US cities: none engageable, "
        "at nominal values and with the most capable defence values",
        scenario_file="epaa-phase-2-russia.toml",
        check=_epaa_cannot,
    ),
    _Finding(
        key="epaa-phase-3",
        finding="Without phase 4 (the SM-3 IIB), the EPAA cannot engage Russian ICBMs with its "
        "own sensors.",
        source=(
            "J. Sankaran, Arms Control Today, November 2013; G. Lewis, interview with TASS, "
            "20 May 2016"
        ),
        test="EPAA phase 3 against Russian ICBMs and SLBMs aimed at US cities: none engageable "
        "at nominal values",
        scenario_file="epaa-phase-3-russia.toml",
        check=_epaa_phase_3,
    ),
    _Finding(
        key="iib-siting",
        finding="To defend the United States with the SM-3 IIB, the North Sea is the best "
        "location and Romania a poor one; Poland would need earlier launches.",
        source="GAO-13-382R (11 February 2013); SpaceNews, February 2013, on the North Sea",
        test="IIB batteries in Romania, Poland and the North Sea against a notional Iranian ICBM "
        "aimed at the north-eastern United States: the median time to spare at launch is "
        "largest in the North Sea, then Poland, then Romania, and Romania engages the least",
        scenario_file="iib-siting.toml",
        check=_iib_siting,
    ),
)


def check_finding(key: str) -> FindingResult:
    """Run one finding's test."""
    finding = next(f for f in FINDINGS if f.key == key)
    scenario = load_scenario(validation_scenario(finding.scenario_file))
    result, agrees = finding.check(scenario)
    return FindingResult(finding.key, finding.finding, finding.source, finding.test, result, agrees)


def validate(keys: list[str] | None = None) -> list[FindingResult]:
    """Every published finding (or those named), tested."""
    chosen = [f.key for f in FINDINGS if keys is None or f.key in keys]
    return [check_finding(key) for key in chosen]
