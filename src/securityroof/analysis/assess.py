"""The whole assessment of an architecture, as `roof assess` runs it.

Regional threats (from regional launch areas) give the engagements, the
defended footprint compared with the EPAA phases and with cueing variants,
the fair shares and a reference raid; strategic threats give the stability
verdict and the transparency envelope (on the same strategic geometry, at
the scenario's cases, its trade-off compared with the EPAA phases). Every
step is timed and announced to a `StepReporter` (the command line's progress
bar or log lines); seeds and parameters are recorded for the manifest.

`parts` runs a selection (`roof assess --only`): a part not run is None in
the Assessment (an empty list for the lists), and the report says so.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

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
)

COMPARED_ARCHITECTURES = ("epaa-phase-1", "epaa-phase-2", "epaa-phase-3", "epaa-phase-4")
# What `roof assess --only` may select, in the order they run.
PARTS = ("engagements", "footprint", "stability", "envelope", "validation", "sharing", "raid")
# The raid's size comes from the batteries that can engage, and the fair
# shares are valued on the engagements: both take the engagements' results.
NEEDS = {"raid": "engagements", "sharing": "engagements"}
RAID_SEED = 20100326  # the date of the Brussels Forum speech, for a memorable seed
RAID_TRIALS = 2_000
SHAPLEY_SEED = 0
STABILITY_DRAWS = 200  # Monte Carlo draws of the stability verdict in an assessment
# The envelope's site maps in a report: no finer than 1 degree (a finer map is
# `roof envelope --resolution-deg`'s job; the report's other maps are coarser).
ENVELOPE_MIN_RESOLUTION_DEG = 1.0


@dataclass(frozen=True)
class Assessment:
    """What `assess` found. A part not in `parts` is None (or an empty list)."""

    scenario: Scenario
    engagements: EngagementResult | None  # regional threats
    footprint: FootprintResult | None
    comparison: list[tuple[str, FootprintResult]]  # label, footprint; the scenario first
    stability: StabilityResult | None  # also None when there are no strategic forces to judge
    envelope: EnvelopeResult | None  # idem
    strategic: EngagementResult | None  # the strategic threats flown and engaged, for maps
    sharing: SharingResult | None
    raid: RaidAnalysis | None  # also None when no battery can engage the regional threats
    validation: list[FindingResult]  # the published findings, reproduced
    resolution_deg: float
    timings_s: dict[str, float]
    seeds: dict[str, int]
    parts: tuple[str, ...] = PARTS  # the parts run, in PARTS order
    compared: tuple[str, ...] = COMPARED_ARCHITECTURES  # the architectures drawn beside it
    cueing_study: bool = True  # whether the cueing variants were drawn

    def ran(self, part: str) -> bool:
        """Whether `part` (one of PARTS) was run."""
        return part in self.parts


class StepReporter(Protocol):
    """Who hears about the steps of an assessment (progress bars, log lines)."""

    def planned(self, steps: list[str]) -> None:
        """The names of the steps about to run, in order."""

    def started(self, name: str) -> None: ...

    def finished(self, name: str, seconds: float | None) -> None:
        """A step done after `seconds`, or skipped (None)."""


def check_parts(names: Collection[str], *, where: str = "--only") -> tuple[str, ...]:
    """The parts named and the parts they need, in PARTS order, or an error
    naming the valid ones."""
    unknown = [n for n in names if n not in PARTS]
    if unknown or not names:
        raise RoofError(
            f"unknown part {unknown[0]!r}." if unknown else "no part named.",
            where=where,
            fix=f"Name one or more of: {', '.join(PARTS)} (comma-separated).",
        )
    wanted = set(names) | {NEEDS[n] for n in names if n in NEEDS}
    return tuple(p for p in PARTS if p in wanted)


def label_of(variant: Scenario, architecture: str) -> str:
    """A compared architecture's label: the catalog name, and the scenario's
    own sites when the variant carries them (they are added to every variant)."""
    own = [s for s in variant.sites if s not in variant.catalog.architecture_sites(architecture)]
    return f"{architecture} + scenario sites {', '.join(own)}" if own else architecture


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
    parts: Collection[str] = PARTS,
    compare: tuple[str, ...] = COMPARED_ARCHITECTURES,
    cueing_study: bool = True,
    reporter: StepReporter | None = None,
) -> Assessment:
    """Run the analyses in `parts` (default all); `reporter` hears of each step.

    `compare` names the catalog architectures whose footprints (and, in the
    envelope, trade-offs) are drawn beside the scenario's; `cueing_study`
    adds the footprints of the cueing variants.

    The walk goes down once: the regional threats are flown and engaged
    once, and the fair shares and the raid take those engagements; the
    strategic set is flown and observed once, and the stability verdict and
    the transparency envelope share that geometry. The compared
    architectures are built in memory from the loaded scenario and reuse
    both sets of trajectories.
    """
    parts = check_parts(parts)
    timings: dict[str, float] = {}
    regional = _regional(scenario)
    name = scenario.architecture or "scenario"
    compared = tuple(a for a in compare if a != scenario.architecture)
    variants: list[tuple[str, Scenario]] = []
    if "footprint" in parts:
        variants.append((name, regional))
        for architecture in compared:
            variant = scenario.with_architecture(architecture)
            variants.append((label_of(variant, architecture), _regional(variant)))
        if cueing_study:
            for label, variant in cueing_variants(regional):
                variants.append((f"{name}: {label}", variant))
    strategic_parts = bool(strategic_threats(scenario)) and bool(
        {"stability", "envelope"} & set(parts)
    )
    plan = (
        (["engagements"] if "engagements" in parts else [])
        + [f"footprint {label}" for label, _ in variants]
        + (["stability"] if strategic_parts and "stability" in parts else [])
        + (["transparency envelope"] if strategic_parts and "envelope" in parts else [])
        + (["validation"] if "validation" in parts else [])
        + (["cost sharing"] if "sharing" in parts else [])
        + (["reference raid"] if "raid" in parts else [])
    )
    clock = _Clock(timings, reporter, plan)

    engagements = None
    if "engagements" in parts:
        with clock("engagements"):
            engagements = run_engagements(regional)
    comparison: list[tuple[str, FootprintResult]] = []
    for label, variant in variants:
        with clock(f"footprint {label}"):
            comparison.append((label, analyse_footprint(variant, resolution_deg=resolution_deg)))
    stability = None
    strategic = None
    envelope = None
    if strategic_parts and "stability" in parts:
        with clock("stability"):
            stability = analyse_stability(scenario, draws=STABILITY_DRAWS)
            strategic = stability.engagements
    if strategic_parts and "envelope" in parts:
        with clock("transparency envelope"):
            envelope = analyse_envelope(
                scenario,
                resolution_deg=max(resolution_deg, ENVELOPE_MIN_RESOLUTION_DEG),
                compare=compared,
                geometry=None if stability is None else stability.geometry,
                regional_flown=None if engagements is None else engagements.observation,
            )
    validation = []
    if "validation" in parts:
        with clock("validation"):
            validation = validate()
    sharing = None
    if "sharing" in parts:
        with clock("cost sharing"):
            assert engagements is not None  # NEEDS: sharing takes the engagements
            sharing = analyse_sharing(engagements, seed=SHAPLEY_SEED)
    raid = None
    if "raid" in parts and engagements is not None:
        capacity = _raid_capacity(engagements)
        if capacity > 0:
            size = max(1, min(len(regional.threats), capacity))
            with clock("reference raid"):
                raid = run_raid(
                    engagements, size, trials=RAID_TRIALS, seed=RAID_SEED, skip_unknown_pk=True
                )
        else:
            clock.skip("reference raid")
    return Assessment(
        scenario=scenario,
        engagements=engagements,
        footprint=comparison[0][1] if comparison else None,
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
        parts=parts,
        compared=compared,
        cueing_study=cueing_study,
    )


class _Clock:
    """Times each named step and tells the reporter (progress bars, log lines)."""

    def __init__(
        self, timings: dict[str, float], reporter: StepReporter | None, plan: list[str]
    ) -> None:
        self.timings = timings
        self.reporter = reporter
        if reporter is not None:
            reporter.planned(plan)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.reporter is not None:
            self.reporter.started(name)
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        if self.reporter is not None:
            self.reporter.finished(name, self.timings[name])

    def skip(self, name: str) -> None:
        if self.reporter is not None:
            self.reporter.finished(name, None)


def _raid_capacity(engagements: EngagementResult) -> int:
    """Interceptors held by the batteries that can engage some regional threat."""
    able = np.asarray(engagements.windows.engageable.any(axis=0))
    return sum(b.count for b, ok in zip(engagements.batteries, able.tolist(), strict=True) if ok)
