"""Who contributes what to a joint roof, and fair shares of its cost.

The game: each threat trajectory of the scenario is an item worth the
population of its aim point divided by the number of threats aimed there
(so a city counts once, spread over the ways it can be attacked). An
engageable (threat, battery) pair is a defence option that needs the
battery's owner and its host nation, and the owner and host of each sensor
site whose tracks the battery launched and was guided on (the AN/TPY-2 at
Kurecik needs the United States and Turkey); a coalition defends an item
when it holds every party of some option. Coalition values, Shapley values,
benefits and cost shares are then bit operations on these options
(`cooperation`), with no new physics.

Populations come from GeoNames (`securityroof.data.cities`): the most
populous city within 30 km of the aim point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from securityroof.analysis.cooperation import CooperationResult, analyse_cooperation
from securityroof.analysis.engagement import EngagementResult
from securityroof.data.cities import city_population
from securityroof.errors import RoofError
from securityroof.model.scenario import Scenario, Threat


@dataclass(frozen=True)
class SharingResult:
    scenario: Scenario
    parties: list[str]
    value_basis: str  # "population" or "targets" (one per aim point)
    target_values: dict[str, float]
    engagements: EngagementResult
    cooperation: CooperationResult


def aim_point_values(threats: list[Threat]) -> tuple[list[float], dict[str, float], str]:
    """What defending each threat is worth: its aim point's population, spread
    over the threats aimed there (so a city counts once, however it is attacked).

    Returns the value of each threat, the value of each aim point, and the
    basis: "population", or "targets" (one per aim point) when some aim
    point has no GeoNames city within `securityroof.data.cities.CITY_MATCH_KM`.
    """
    populations = {
        t.target_name: city_population(t.target_lat_deg, t.target_lon_deg) for t in threats
    }
    basis = "population" if all(p is not None for p in populations.values()) else "targets"
    by_target = {
        name: (p if basis == "population" and p is not None else 1.0)
        for name, p in populations.items()
    }
    per_target = {name: sum(t.target_name == name for t in threats) for name in populations}
    return [by_target[t.target_name] / per_target[t.target_name] for t in threats], by_target, basis


def _party_of_country(scenario: Scenario, country: str) -> str | None:
    name = country.strip().lower()
    for party_id, party in scenario.catalog.parties.items():
        if party_id == name or party.name.lower().startswith(name):
            return party_id
    return None


def analyse_sharing(
    engagements: EngagementResult, *, seed: int = 0, n_permutations: int = 2_000
) -> SharingResult:
    """Shapley values and cost shares of the parties of an engaged scenario
    (`securityroof.analysis.engagement.run_engagements`'s result)."""
    scenario = engagements.scenario
    threats = engagements.threats
    catalog = scenario.catalog
    site_parties = {
        site_id: {site.party, *([site.host] if site.host else [])}
        for site_id, site in scenario.sites.items()
    }
    # Parties: everyone who owns, hosts or sees, and the owners of the targets.
    target_owner_party = {}
    for threat in threats:
        area = catalog.target_areas.get(threat.target_name)
        owner = _party_of_country(scenario, area.country) if area else None
        target_owner_party[threat.target_name] = owner
    parties = sorted(
        {s.party for s in scenario.sites.values()}
        | {s.host for s in scenario.sites.values() if s.host}
        | {p for p in target_owner_party.values() if p}
    )
    if len(parties) > 62:  # masks are 64-bit integers
        where = str(scenario.path)
        raise RoofError(f"{len(parties)} parties: at most 62 can be valued.", where=where)
    bit = {party: 1 << i for i, party in enumerate(parties)}
    item_value, values_by_target, basis = aim_point_values(threats)
    item_owner = [
        parties.index(owner) if (owner := target_owner_party[t.target_name]) else -1
        for t in threats
    ]
    option_target: list[int] = []
    option_mask: list[int] = []
    for record_index, record in enumerate(engagements.records):
        if not record.engageable:
            continue
        t = record_index // len(engagements.batteries)
        battery = engagements.batteries[record_index % len(engagements.batteries)]
        # The battery needs its owner and host, and the owner and host of each
        # sensor site whose tracks it launched and was guided on.
        mask = bit[battery.party]
        if battery.host:
            mask |= bit[battery.host]
        for source in (record.track_source, record.guidance_source):
            for party in site_parties.get(source or "", ()):
                mask |= bit[party]
        option_target.append(t)
        option_mask.append(mask)
    if len(parties) > 62:
        raise RoofError(
            f"{len(parties)} parties: at most 62 can be valued.", where=str(scenario.path)
        )
    cooperation = analyse_cooperation(
        parties,
        np.array(option_target, dtype=np.int64),
        np.array(option_mask, dtype=np.int64),
        np.array(item_value),
        np.array(item_owner, dtype=np.int64),
        costs=1.0,
        seed=seed,
        n_permutations=n_permutations,
    )
    return SharingResult(
        scenario=scenario,
        parties=parties,
        value_basis=basis,
        target_values=values_by_target,
        engagements=engagements,
        cooperation=cooperation,
    )
