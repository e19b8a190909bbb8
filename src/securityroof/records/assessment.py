"""The records of a whole assessment: results.json (the numbers a rerun must
reproduce) and manifest.json (how to rerun). Each part is the record the
matching command prints with --json where there is one (the footprint
summaries are `roof footprint --json`'s, less the scenario name)."""

from __future__ import annotations

import datetime as dt
import hashlib
from importlib import metadata
from typing import TYPE_CHECKING, Any

# Result types for annotations only: a record module loads no analysis.
if TYPE_CHECKING:
    from securityroof.analysis.assess import Assessment

# The format of a report's manifest.json, which tells a report folder from
# any other (`securityroof.report.files`).
REPORT_FORMAT = "securityroof-report/1"


def code_version() -> str:
    """The installed package's version (the source tree's when not installed)."""
    try:
        return metadata.version("securityroof")
    except metadata.PackageNotFoundError:
        from securityroof._version import __version__

        return __version__


def results_record(assessment: Assessment) -> dict[str, Any]:
    """The numbers of the report (no timings): what a rerun must reproduce.
    A part not run (`roof assess --only`) is null."""
    from securityroof.records.footprint import footprint_summary  # numpy: loaded on use

    stability = assessment.stability
    sharing = assessment.sharing
    raid = assessment.raid
    return {
        "verdict": stability.verdict if stability else None,
        "verdict_by_party": stability.verdict_by_party if stability else None,
        "probability_strategic": (
            list(stability.probability_strategic)
            if stability and stability.probability_strategic
            else None
        ),
        "engageable_strategic": len(stability.engageable) if stability else None,
        "validation": {v.key: v.agrees for v in assessment.validation}
        if assessment.ran("validation")
        else None,
        "footprints": {
            label: {k: v for k, v in footprint_summary(result).items() if k != "scenario"}
            for label, result in assessment.comparison
        }
        if assessment.ran("footprint")
        else None,
        "engageable_pairs": None
        if assessment.engagements is None
        else int(assessment.engagements.windows.engageable.sum()),
        "shapley": None
        if sharing is None
        else {
            p: float(v) for p, v in zip(sharing.parties, sharing.cooperation.shapley, strict=True)
        },
        "envelope": None
        if assessment.envelope is None
        else {
            "speed_limits_m_s": {
                f"{s.interceptor} at {s.site}": s.limit_m_s
                for s in assessment.envelope.speed_limits
            },
            "keep_out_cells": {
                m.interceptor: int(m.keep_out.sum()) for m in assessment.envelope.site_maps
            },
            "strongest_caps_m_s": {
                t.architecture: t.strongest_cap_m_s for t in assessment.envelope.tradeoffs
            },
        },
        "raid": None
        if raid is None
        else {
            "size": raid.size,
            "expected_leakers": raid.result.expected_leakers,
            "p_no_leaker": raid.result.p_no_leaker,
        },
    }


def manifest_record(assessment: Assessment) -> dict[str, Any]:
    """How to rerun: scenario and catalog hashes, code version, seeds, parameters."""
    # Loaded here: the catalog models behind the inputs are heavy, and
    # commands that only read a report's format (roof diff) need not wait.
    from securityroof.records.inputs import scenario_text, scenario_values

    scenario = assessment.scenario
    catalog_files = {
        name: hashlib.sha256(path.read_bytes()).hexdigest()
        for name, path in scenario.catalog.paths.items()
    }
    return {
        "format": REPORT_FORMAT,
        "tool": "securityroof",
        "version": code_version(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.path),
            "sha256": scenario.digest,
            "text": scenario_text(scenario),  # for roof diff
        },
        "catalog_sha256": catalog_files,
        "catalog_values": scenario_values(scenario),
        # The catalog missiles the scenario changes ("override") or adds ("scenario"),
        # each with the hash of the values flown (the scenario's hash covers them too).
        "scenario_missiles": {
            missile_id: {
                "origin": origin,
                "sha256": hashlib.sha256(
                    scenario.catalog.missiles.missiles[missile_id].model_dump_json().encode()
                ).hexdigest(),
            }
            for missile_id, origin in sorted(scenario.missile_changes.items())
        },
        "case": scenario.case_label,
        "assumptions": scenario.assumptions.model_dump(),
        "cueing": scenario.cueing,
        "parameters": {
            "resolution_deg": assessment.resolution_deg,
            "parts": list(assessment.parts),
            "compare": list(assessment.compared),
            "cueing_study": assessment.cueing_study,
        },
        "seeds": assessment.seeds,
        "timings_s": assessment.timings_s,
        "rerun": f"roof assess {scenario.path} --out DIR",
    }
