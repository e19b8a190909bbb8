"""The whole assessment of an architecture, as `roof assess` runs it.

Regional threats (from regional launch areas) give the engagements, the
defended footprint compared with the EPAA phases and with cueing variants,
the fair shares and a reference raid; strategic threats give the stability
verdict and the transparency envelope (on the same strategic geometry, at
the scenario's cases, its trade-off compared with the EPAA phases). Every
step is timed; seeds and parameters are recorded for the manifest.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from securityroof.analysis.engagement import EngagementResult, run_engagements
from securityroof.analysis.envelope import EnvelopeResult, analyse_envelope
from securityroof.analysis.footprint import FootprintResult, analyse_footprint, cueing_variants
from securityroof.analysis.raid import RaidAnalysis, run_raid
from securityroof.analysis.sharing import SharingResult, analyse_sharing
from securityroof.analysis.stability import StabilityResult, analyse_stability
from securityroof.analysis.validation import FindingResult, validate
from securityroof.errors import RoofError
from securityroof.model.scenario import (
    Scenario,
    regional_threats,
    strategic_threats,
    with_architecture,
)

COMPARED_ARCHITECTURES = ("epaa-phase-1", "epaa-phase-2", "epaa-phase-3", "epaa-phase-4")
RAID_SEED = 20100326  # the date of the Brussels Forum speech, for a memorable seed
RAID_TRIALS = 2_000
SHAPLEY_SEED = 0
STABILITY_DRAWS = 200  # Monte Carlo draws of the stability verdict in an assessment
# The envelope's site maps in a report: no finer than 1 degree (a finer map is
# `roof envelope --resolution-deg`'s job; the report's other maps are coarser).
ENVELOPE_MIN_RESOLUTION_DEG = 1.0


@dataclass(frozen=True)
class Assessment:
    scenario: Scenario
    engagements: EngagementResult  # regional threats
    footprint: FootprintResult
    comparison: list[tuple[str, FootprintResult]]  # label, footprint; the scenario first
    stability: StabilityResult | None  # None when there are no strategic forces to judge
    envelope: EnvelopeResult | None  # idem
    strategic: EngagementResult | None  # the strategic threats flown and engaged, for maps
    sharing: SharingResult
    raid: RaidAnalysis | None  # None when no battery can engage the regional threats
    validation: list[FindingResult]  # the published findings, reproduced
    resolution_deg: float
    timings_s: dict[str, float]
    seeds: dict[str, int]


def _regional(scenario: Scenario) -> Scenario:
    threats = regional_threats(scenario)
    if not threats:
        raise RoofError(
            "the scenario has no regional threats to defend against.",
            where=f"{scenario.path}: threats",
            fix='Add threats with from = "<regional launch area>" (roof catalog threats).',
        )
    return dataclasses.replace(scenario, threats=threats)


def assess(
    scenario: Scenario,
    *,
    resolution_deg: float = 1.0,
    step: Callable[[str], None] | None = None,
) -> Assessment:
    """Run every analysis; `step(name)` is called before each one (progress).

    The walk goes down once: the regional threats are flown and engaged
    once, and the footprint comparison, the fair shares and the raid take
    those engagements; the strategic set is flown and observed once, and the
    stability verdict and the transparency envelope share that geometry.
    The compared architectures are built in memory from the loaded scenario
    and reuse both sets of trajectories.
    """
    timings: dict[str, float] = {}
    regional = _regional(scenario)
    clock = _Clock(timings, step)

    with clock("engagements"):
        engagements = run_engagements(regional)
    name = scenario.architecture or "scenario"
    variants: list[tuple[str, Scenario]] = [(name, regional)]
    for architecture in COMPARED_ARCHITECTURES:
        if architecture != scenario.architecture:
            variant = with_architecture(scenario, architecture)
            variants.append((architecture, _regional(variant)))
    for label, variant in cueing_variants(regional):
        variants.append((f"{name}: {label}", variant))
    comparison: list[tuple[str, FootprintResult]] = []
    for label, variant in variants:
        with clock(f"footprint {label}"):
            comparison.append((label, analyse_footprint(variant, resolution_deg=resolution_deg)))
    stability = None
    strategic = None
    envelope = None
    if strategic_threats(scenario):
        with clock("stability"):
            stability = analyse_stability(scenario, draws=STABILITY_DRAWS)
            strategic = stability.engagements
        with clock("transparency envelope"):
            envelope = analyse_envelope(
                scenario,
                resolution_deg=max(resolution_deg, ENVELOPE_MIN_RESOLUTION_DEG),
                compare=tuple(a for a in COMPARED_ARCHITECTURES if a != scenario.architecture),
                geometry=stability.geometry,
                regional_flown=engagements.observation,
            )
    with clock("validation"):
        validation = validate()
    with clock("cost sharing"):
        sharing = analyse_sharing(engagements, seed=SHAPLEY_SEED)
    raid = None
    capacity = _raid_capacity(engagements)
    if capacity > 0:
        size = max(1, min(len(regional.threats), capacity))
        with clock("reference raid"):
            raid = run_raid(
                engagements, size, trials=RAID_TRIALS, seed=RAID_SEED, skip_unknown_pk=True
            )
    return Assessment(
        scenario=scenario,
        engagements=engagements,
        footprint=comparison[0][1],
        comparison=comparison,
        stability=stability,
        envelope=envelope,
        strategic=strategic,
        sharing=sharing,
        raid=raid,
        validation=validation,
        resolution_deg=resolution_deg,
        timings_s=timings,
        seeds={
            "raid": RAID_SEED,
            "shapley": SHAPLEY_SEED,
            "stability": stability.uncertainty.seed if stability and stability.uncertainty else 0,
        },
    )


class _Clock:
    """Times each named step and announces it (progress bars)."""

    def __init__(self, timings: dict[str, float], step: Callable[[str], None] | None) -> None:
        self.timings = timings
        self.step = step

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.step is not None:
            self.step(name)
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start


def _raid_capacity(engagements: EngagementResult) -> int:
    """Interceptors held by the batteries that can engage some regional threat."""
    able = np.asarray(engagements.windows.engageable.any(axis=0))
    return sum(b.count for b, ok in zip(engagements.batteries, able.tolist(), strict=True) if ok)
