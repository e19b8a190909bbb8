"""The transparency envelope as a plain record (JSON).

The record is what `roof envelope --json` prints, what the signed manifest
carries and what `roof envelope --verify` compares: every number in SI or in
the unit its key names. Site maps go in as their kept-out cells, packed one
bit a cell (row-major over latitude then longitude) and base64-encoded.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import numpy as np

from securityroof.records.fields import interval_record, number_or_none

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.envelope import EnvelopeResult
    from securityroof.analysis.site_map import SiteMap


def pack_mask(mask: np.ndarray) -> str:
    """A boolean grid as base64 of its bits (row-major)."""
    return base64.b64encode(np.packbits(np.asarray(mask, dtype=bool).ravel()).tobytes()).decode()


def unpack_mask(text: str, shape: tuple[int, int]) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(base64.b64decode(text), dtype=np.uint8))
    return bits[: shape[0] * shape[1]].reshape(shape).astype(bool)


def site_map_record(found: SiteMap) -> dict[str, Any]:
    land, sea = found.keep_out_share
    return {
        "interceptor": found.interceptor,
        "party": found.party,
        "template_site": found.template_site,
        "own_radar": found.radar,
        "region_deg": list(found.region),
        "resolution_deg": found.resolution_deg,
        "shape": [int(found.lat_deg.size), int(found.lon_deg.size)],
        "draws": found.places.draws,
        "keep_out_cells": int(found.keep_out.sum()),
        "keep_out_share_of_land": land,
        "keep_out_share_of_sea": sea,
        "keep_out_bits": pack_mask(found.keep_out),
    }


def envelope_record(result: EnvelopeResult) -> dict[str, Any]:
    """The JSON form of the envelope (see the module notes)."""
    scenario = result.scenario
    return {
        "scenario": scenario.name,
        "sha256": scenario.digest,
        "protected_parties": result.protected,
        "probability": result.probability,
        "draws": result.draws,
        "seed": result.seed,
        "cases": {"threats": scenario.threat_case, "defence": scenario.defence_case},
        "cueing": scenario.cueing,
        "strategic_now": interval_record(result.strategic_now),
        "regional": {
            "basis": result.regional_basis,
            "threats": result.regional_threats,
            "population_total": result.population_total,
        },
        "speed_limits": [
            {
                "site": s.site,
                "interceptor": s.interceptor,
                "party": s.party,
                "catalogued_m_s": s.catalogued_m_s,
                "limit_m_s": number_or_none(s.limit_m_s),
                "bound": s.bound,
                "margin_m_s": number_or_none(s.margin_m_s),
                "p_none_at_limit": interval_record(s.p_none_at_limit),
                "p_none_above": interval_record(s.p_none_above),
                "engaged_above": s.engaged_above,
                "regional_catalogued": s.regional_catalogued,
                "regional_at_limit": s.regional_at_limit,
                "population_catalogued": s.population_catalogued,
                "population_at_limit": s.population_at_limit,
            }
            for s in result.speed_limits
        ],
        "links": [
            {
                "sensor_party": link.sensor_party,
                "battery_party": link.battery_party,
                "sensors": link.sensors,
                "batteries": link.batteries,
                "in_scenario": link.in_scenario,
                "status": link.status,
                "earliest_s": number_or_none(link.earliest_s),
                "attainable_s": number_or_none(link.attainable_s),
                "margin_s": number_or_none(link.margin_s),
                "regional_without": link.regional_without,
                "regional_with": link.regional_with,
                "population_without": link.population_without,
                "population_with": link.population_with,
            }
            for link in result.links
        ],
        "site_maps": [site_map_record(m) for m in result.site_maps],
        "patrol_areas": [
            {
                "area": p.area,
                "interceptor": p.interceptor,
                "points": p.points,
                "verdict": "kept out" if p.keep_out else "allowed",
                "engaging_places": p.engaged_places,
                "best_margin_s": number_or_none(p.worst_margin_s),
                "worst_place_deg": [p.worst_lat_deg, p.worst_lon_deg],
                "worst_threat": p.worst_threat,
                "p_engages_at_worst": interval_record(p.probability),
            }
            for p in result.patrols
        ],
        "regime": [
            {
                "parameter": r.parameter,
                "subject": r.subject,
                "declared": number_or_none(r.declared),
                "limit": number_or_none(r.limit),
                "margin": number_or_none(r.margin),
                "unit": r.unit,
                "note": r.note,
                "verification": r.verification,
            }
            for r in result.regime
        ],
        "tradeoffs": [
            {
                "architecture": t.architecture,
                "regional_threats": t.regional_threats,
                "strongest_cap_m_s": number_or_none(t.strongest_cap_m_s),
                "limit_needed": t.limit_needed,
                "population_at_strongest": t.population_at_strongest,
                "population_uncapped": t.population_uncapped,
                "points": [
                    {
                        "cap_m_s": p.cap_m_s,
                        "strategic_engaged": p.strategic_engaged,
                        "p_non_strategic": interval_record(p.p_non_strategic),
                        "regional_engaged": p.regional_engaged,
                        "population": p.population,
                    }
                    for p in t.points
                ],
            }
            for t in result.tradeoffs
        ],
    }
