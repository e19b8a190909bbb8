"""A raid on the scenario's architecture: N missiles drawn from its threats.

The raid's missiles cycle through the scenario's threat trajectories (raid
missile i flies threat i mod n_threats); each battery's shoot-look-shoot
opportunities and first intercept time against it come from the engagement
model, its inventory from the catalog or scenario, its single-shot kill
probability range from the interceptor's catalog entry. The Monte Carlo and
its assignment rule are in `securityroof.core.raid`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from securityroof.analysis.engagement import Battery, EngagementResult
from securityroof.analysis.raid_parallel import simulate_raid_chunked
from securityroof.core.raid import RaidResult
from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario

DOCTRINES = ("shoot-look-shoot", "shoot-shoot")


@dataclass(frozen=True)
class RaidAnalysis:
    scenario: Scenario
    size: int
    batteries: list[Battery]
    threats_per_missile: list[str]
    engagements: EngagementResult
    result: RaidResult
    silent_batteries: list[str]  # batteries left out for want of a kill probability


def check_raid_options(size: int, trials: int, doctrine: str) -> None:
    """The errors for a raid's options, before any engagement is computed."""
    if size < 1:
        raise RoofError(f"a raid needs at least one missile, got {size}.", parameter="size")
    if trials < 1:
        raise RoofError(f"need at least one trial, got {trials}.", parameter="trials")
    if doctrine not in DOCTRINES:
        raise RoofError(
            f"unknown doctrine {doctrine!r}.",
            parameter="doctrine",
            fix=f"Use {' or '.join(DOCTRINES)}.",
        )


def run_raid(
    engagements: EngagementResult,
    size: int,
    *,
    trials: int = 10_000,
    seed: int | None = None,
    doctrine: str = "shoot-look-shoot",
    saturate: bool = False,
    cluster: str | None = None,
    skip_unknown_pk: bool = False,
) -> RaidAnalysis:
    """Monte Carlo raid of `size` missiles on an engaged scenario
    (`securityroof.analysis.engagement.run_engagements`'s result); refuses a
    raid bigger than the engaging batteries' inventory unless `saturate` (a
    saturation study)."""
    check_raid_options(size, trials, doctrine)
    scenario = engagements.scenario
    windows = engagements.windows
    batteries = engagements.batteries
    if not batteries:
        raise RoofError("the scenario has no interceptors.", where=str(scenario.path))
    n_threats = len(engagements.threats)
    rows = np.arange(size) % n_threats
    opportunities = windows.shots[rows]
    first = np.where(windows.engageable, windows.first_intercept_s, np.inf)[rows]
    inventory = np.array([b.count for b in batteries], dtype=np.int64)
    able = windows.engageable.any(axis=0)
    held = int(inventory[able].sum())
    if size > held and not saturate:
        raise RoofError(
            f"a raid of {size} missiles is bigger than the {held} interceptors held by the "
            "batteries that can engage its threats.",
            parameter="size",
            fix="Set {saturate} to study saturation, or ask for a smaller {size}.",
            fix_parameters=("saturate", "size"),
        )
    pk = np.empty((len(batteries), 2))
    silent: list[str] = []
    for b, battery in enumerate(batteries):
        quantity = scenario.interceptors[battery.interceptor].single_shot_kill_probability
        if quantity is None and skip_unknown_pk:
            # A battery with no open kill probability does not fire in the raid.
            opportunities = opportunities.copy()
            opportunities[:, b] = 0
            pk[b] = (0.0, 0.0)
            silent.append(f"{battery.site}/{battery.interceptor}")
            continue
        if quantity is None:
            raise RoofError(
                f"interceptor {battery.interceptor!r} has no single-shot kill probability.",
                where=f"{scenario.path}",
                fix="Set it under [overrides.interceptors."
                f"{battery.interceptor}] single_shot_kill_probability.",
            )
        pk[b] = (quantity.value("low"), quantity.value("high"))
    # The trials run on this machine's cores, or split over a Dask cluster
    # with identical per-trial draws (same seed, same result).
    result = simulate_raid_chunked(
        opportunities,
        first,
        inventory,
        pk,
        doctrine=doctrine,  # type: ignore[arg-type]
        trials=trials,
        seed=seed,
        cluster=cluster,
    )
    return RaidAnalysis(
        scenario=scenario,
        size=size,
        batteries=batteries,
        threats_per_missile=[engagements.threats[r].name for r in rows],
        engagements=engagements,
        result=result,
        silent_batteries=silent,
    )
