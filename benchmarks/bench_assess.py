"""Benchmark of `roof assess`: the walk down once against the old walk.

- **This project**: `securityroof.analysis.assess.assess` on the built-in
  default scenario (the joint NATO-Russia roof): the regional threats flown
  and engaged once, the footprint comparison, fair shares and raid on those
  engagements; the strategic set flown and observed once for the stability
  verdict and the transparency envelope; the compared EPAA architectures
  built in memory, reusing both sets of trajectories.
- **The old walk**, composed here from the same analyses the way the
  assessment used to run them: each analysis starting again from a scenario
  (the regional threats flown for the engagements, again for the fair shares,
  again for the raid and again for the envelope), each compared architecture
  loaded again from the scenario file, and the envelope's trade-off flying
  the strategic set and the regional threats again for each of them.

Both run in the same process after a warm-up (compiled kernels, aimed
guidance cached), so the difference is the work the old walk repeats. They
must give the same numbers (the report's `results.json` record), which is
checked. Prints both wall times and their ratio, then one JSON line.
`--quick` runs a small scenario at a coarse grid, cut down further (see
`_quick_settings`): the test suite's smoke test, whose times mean little.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import tempfile
import time
from importlib import resources
from pathlib import Path

from securityroof.analysis import assess as assess_module
from securityroof.analysis.assess import (
    COMPARED_ARCHITECTURES,
    ENVELOPE_MIN_RESOLUTION_DEG,
    RAID_SEED,
    RAID_TRIALS,
    SHAPLEY_SEED,
    Assessment,
    _raid_capacity,
    _regional,
    assess,
)
from securityroof.analysis.engagement import run_engagements
from securityroof.analysis.envelope import analyse_envelope, protected_parties, tradeoff
from securityroof.analysis.footprint import analyse_footprint, cueing_variants
from securityroof.analysis.raid import run_raid
from securityroof.analysis.sharing import analyse_sharing
from securityroof.analysis.stability import analyse_stability
from securityroof.analysis.validation import validate
from securityroof.model.scenario import Scenario, load_scenario
from securityroof.records.assessment import results_record

QUICK = """
[scenario]
name = "benchmark: small assessment"
architecture = "epaa-phase-3"

[[threats]]
missile = "sejjil-2"
from = "tabriz"
to = ["bucharest", "athens"]

[strategic]
launch_areas = ["kozelsk"]
targets = ["washington"]
shapes = ["minimum-energy"]
"""


def old_walk(scenario: Scenario, resolution_deg: float) -> Assessment:
    """The assessment as it used to run: every analysis from a scenario again."""
    regional = _regional(scenario)
    engagements = run_engagements(regional)
    name = scenario.architecture or "scenario"
    variants = [(name, regional)]
    for architecture in COMPARED_ARCHITECTURES:
        if architecture != scenario.architecture:
            variant = load_scenario(scenario.path, scenario.catalog, architecture=architecture)
            variants.append((architecture, _regional(variant)))
    for label, variant in cueing_variants(regional):
        variants.append((f"{name}: {label}", variant))
    comparison = [
        (label, analyse_footprint(variant, resolution_deg=resolution_deg))
        for label, variant in variants
    ]
    stability = analyse_stability(scenario, draws=assess_module.STABILITY_DRAWS)
    # The envelope flew the regional threats again itself, then the strategic
    # set and the regional threats again for each compared architecture.
    envelope = analyse_envelope(
        scenario,
        resolution_deg=max(resolution_deg, ENVELOPE_MIN_RESOLUTION_DEG),
        geometry=stability.geometry,
    )
    protected = protected_parties(scenario, None)
    tradeoffs = list(envelope.tradeoffs)
    for architecture in COMPARED_ARCHITECTURES:
        if architecture != scenario.architecture:
            other = load_scenario(scenario.path, scenario.catalog, architecture=architecture)
            tradeoffs.append(tradeoff(other, protected))
    envelope = dataclasses.replace(envelope, tradeoffs=tradeoffs)
    validation = validate()
    sharing = analyse_sharing(run_engagements(regional), seed=SHAPLEY_SEED)
    raid = None
    capacity = _raid_capacity(engagements)
    if capacity > 0:
        size = max(1, min(len(regional.threats), capacity))
        raid = run_raid(
            run_engagements(regional),
            size,
            trials=RAID_TRIALS,
            seed=RAID_SEED,
            skip_unknown_pk=True,
        )
    return Assessment(
        scenario=scenario,
        engagements=engagements,
        footprint=comparison[0][1],
        comparison=comparison,
        stability=stability,
        envelope=envelope,
        strategic=stability.engagements,
        sharing=sharing,
        raid=raid,
        validation=validation,
        resolution_deg=resolution_deg,
        timings_s={},
        seeds={},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resolution-deg", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.quick:
            path = Path(folder) / "small.toml"
            path.write_text(QUICK)
            resolution = 8.0
            _quick_settings()
        else:
            path = Path(str(resources.files("securityroof.scenarios").joinpath("default.toml")))
            resolution = args.resolution_deg
        scenario = load_scenario(path)
        if not args.quick:
            # Warm-up: compiled kernels and the aimed guidance cache, for both walks.
            assess(scenario, resolution_deg=max(resolution, 8.0))
        start = time.perf_counter()
        new = assess(scenario, resolution_deg=resolution)
        new_s = time.perf_counter() - start
        start = time.perf_counter()
        old = old_walk(scenario, resolution)
        old_s = time.perf_counter() - start
    same = _record(new) == _record(old)
    print(f"scenario: {scenario.name}, footprint grid {resolution:g} degrees")
    print(f"this project (the walk down once): {new_s:.1f} s")
    print(f"old walk (each analysis from the scenario again): {old_s:.1f} s")
    print(f"ratio (old / this project): {old_s / new_s:.2f}")
    print(f"same results.json record: {same}")
    print(
        json.dumps(
            {
                "benchmark": "assess",
                "scenario": scenario.name,
                "resolution_deg": resolution,
                "seconds": new_s,
                "old_seconds": old_s,
                "ratio_vs_old": old_s / new_s,
                "same_results": same,
            }
        )
    )


def _quick_settings() -> None:
    """The smoke test's cheap walk: a small Monte Carlo, no speed sweeps, no
    site maps (they evaluate geometry already observed, in both walks alike),
    and no warm-up (so the quick times include compiling)."""
    global analyse_envelope, analyse_stability
    assess_module.STABILITY_DRAWS = 4
    analyse_stability = functools.partial(analyse_stability, sweeps=False)
    analyse_envelope = functools.partial(analyse_envelope, maps=False)
    assess_module.analyse_stability = analyse_stability  # type: ignore[assignment]
    assess_module.analyse_envelope = analyse_envelope  # type: ignore[assignment]


def _record(assessment: Assessment) -> str:
    """The report's numbers, and every trade-off curve (the compared architectures')."""
    record = results_record(assessment)
    if assessment.envelope is not None:
        record["tradeoffs"] = [dataclasses.asdict(t) for t in assessment.envelope.tradeoffs]
    return json.dumps(record, sort_keys=True, default=str)


if __name__ == "__main__":
    main()
