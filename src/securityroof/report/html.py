"""The assessment report: a folder with index.html, its figures, the exports
and a manifest, self-contained (opens offline from the file system).

The folder is built in a hidden staging folder beside its target and
swapped into place at the end (see `securityroof.report.files`), so a
failure never leaves half a report and never loses the one it replaces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from securityroof.analysis.assess import Assessment
from securityroof.analysis.envelope import SPEED_TOLERANCE_M_S
from securityroof.report import figures
from securityroof.report.envelope_export import envelope_geojson, envelope_record
from securityroof.report.exports import (
    write_czml,
    write_footprint_tables,
    write_kml,
    write_tables,
)
from securityroof.report.files import REPORT_FORMAT, replace_report
from securityroof.report.footprint_export import footprint_summary, write_geojson
from securityroof.report.maps import footprint_map, keep_out_map


def _version() -> str:
    try:
        return metadata.version("securityroof")
    except metadata.PackageNotFoundError:
        from securityroof import __version__

        return __version__


def results_record(assessment: Assessment) -> dict[str, Any]:
    """The numbers of the report (no timings): what a rerun must reproduce."""
    stability = assessment.stability
    sharing = assessment.sharing.cooperation
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
        "validation": {v.key: v.agrees for v in assessment.validation},
        "footprints": {
            label: {k: v for k, v in footprint_summary(result).items() if k != "scenario"}
            for label, result in assessment.comparison
        },
        "engageable_pairs": int(assessment.engagements.windows.engageable.sum()),
        "shapley": {
            p: float(v) for p, v in zip(assessment.sharing.parties, sharing.shapley, strict=True)
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
    scenario = assessment.scenario
    catalog_files = {
        name: hashlib.sha256(path.read_bytes()).hexdigest()
        for name, path in scenario.catalog.paths.items()
    }
    return {
        "format": REPORT_FORMAT,
        "tool": "securityroof",
        "version": _version(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": {"name": scenario.name, "file": str(scenario.path), "sha256": scenario.digest},
        "catalog_sha256": catalog_files,
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
        "parameters": {"resolution_deg": assessment.resolution_deg},
        "seeds": assessment.seeds,
        "timings_s": assessment.timings_s,
        "rerun": f"roof assess {scenario.path} --out DIR",
    }


def _sentences(assessment: Assessment) -> dict[str, str]:
    stability = assessment.stability
    if stability is None:
        verdict = (
            "No other party's strategic forces face these batteries, so no stability verdict "
            "is given."
        )
    else:
        verdict = stability.sentence
    summary = footprint_summary(assessment.footprint)
    defends = (
        f"Against the regional threats it defends {summary['cells_defended']} of "
        f"{summary['cells_threatened']} threatened grid cells and "
        f"{summary['population_defended'] / 1e6:.1f} of "
        f"{summary['population_threatened'] / 1e6:.1f} million people in the cities they reach."
    )
    sharing = assessment.sharing
    ranked = sorted(
        zip(sharing.parties, sharing.cooperation.shapley, strict=True), key=lambda x: -x[1]
    )
    contributes = (
        "Contributions (Shapley values): "
        + ", ".join(
            f"{party} {value / 1e6:.1f} million"
            if sharing.value_basis == "population"
            else f"{party} {value:.1f}"
            for party, value in ranked
        )
        + "."
    )
    raid = ""
    if assessment.raid is not None:
        r = assessment.raid.result
        raid = (
            f"In a reference raid of {assessment.raid.size} missiles ({r.trials:,} trials, seed "
            f"{r.seed}) {r.expected_leakers:.2f} missiles leak on average "
            f"(95% {r.expected_leakers_ci[0]:.2f}-{r.expected_leakers_ci[1]:.2f}); "
            f"the chance of no leaker is {r.p_no_leaker:.0%}."
        )
    return {
        "verdict_sentence": verdict,
        "defends_sentence": defends,
        "contributes_sentence": contributes,
        "raid_sentence": raid,
    }


def _area_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """Launch area x battery counts, with each area's least burnout speed."""
    stability = assessment.stability
    if stability is None:
        return []
    speeds = stability.min_burnout_speed_m_s
    return [
        {
            "area": row.launch_area,
            "party": row.party,
            "battery": f"{row.interceptor} at {row.site}",
            "engageable": row.engageable,
            "flown": row.flown,
            "speed": "none up to 9 km/s"
            if speeds.get(row.launch_area) is None
            else f"{speeds[row.launch_area]:,.0f}",
        }
        for row in stability.table
    ]


def _references(assessment: Assessment) -> list[str]:
    seen: list[str] = []
    for citations in assessment.scenario.catalog.sources.values():
        for text in citations.values():
            if text not in seen:
                seen.append(text)
    return seen


def write_report(
    assessment: Assessment, out: Path, *, force: bool = False, scenario: Path | None = None
) -> Path:
    """Write the report folder; returns the path of index.html.

    `out` is checked and replaced as `replace_report` does: an existing folder
    only with `force` and only if it holds a report, never a link, the
    current folder or one above it, or a folder holding `scenario` (default:
    the assessment's scenario file).
    """

    def fill(staging: Path) -> None:
        (staging / "figures").mkdir()
        figures.threat_map(assessment, staging / "figures/threats.png")
        figures.coverage_map(assessment, staging / "figures/coverage.png")
        if assessment.strategic is not None:
            figures.strategic_map(assessment, staging / "figures/strategic.png")
        figures.engagement_timeline(assessment, staging / "figures/timeline.png")
        figures.shapley_chart(assessment, staging / "figures/shapley.png")
        if assessment.stability is not None:
            figures.sensitivity_chart(assessment, staging / "figures/sensitivity.png")
        if assessment.raid is not None:
            figures.raid_histogram(assessment, staging / "figures/raid.png")
        keep_out_maps = []
        if assessment.envelope is not None:
            figures.tradeoff_chart(assessment, staging / "figures/tradeoff.png")
            for k, found in enumerate(assessment.envelope.site_maps):
                # A map with nothing kept out says less than a sentence does.
                name = f"figures/keep-out-{k}.png" if found.keep_out.any() else None
                if name is not None:
                    keep_out_map(
                        found,
                        assessment.scenario.patrol_areas,
                        assessment.scenario.sites,
                        staging / name,
                    )
                keep_out_maps.append(
                    {"file": name, "label": found.interceptor, "places": found.keep_out.size}
                )
        maps = []
        for k, (label, result) in enumerate(assessment.comparison):
            name = f"figures/footprint-{k}.png"
            footprint_map(result, staging / name, title=f"Defended footprint: {label}")
            maps.append({"file": name, "label": label})
        exports = staging / "exports"
        exports.mkdir()
        write_geojson(assessment.footprint, exports / "footprint.geojson")
        write_czml(assessment.engagements, exports / "trajectories.czml")
        write_kml(assessment.engagements, exports / "trajectories.kml")
        write_tables(assessment.engagements, exports)
        write_footprint_tables(assessment.footprint, exports)
        if assessment.envelope is not None:
            (exports / "envelope.json").write_text(
                json.dumps(envelope_record(assessment.envelope)), encoding="utf-8"
            )
            (exports / "envelope.geojson").write_text(
                json.dumps(envelope_geojson(assessment.envelope)), encoding="utf-8"
            )
        html = _render(assessment, maps, keep_out_maps)
        (staging / "index.html").write_text(html, encoding="utf-8")
        (staging / "manifest.json").write_text(
            json.dumps(manifest_record(assessment), indent=2), encoding="utf-8"
        )
        (staging / "results.json").write_text(
            json.dumps(results_record(assessment), indent=2), encoding="utf-8"
        )

    replace_report(
        out, fill, force=force, scenario=assessment.scenario.path if scenario is None else scenario
    )
    return out / "index.html"


def _render(
    assessment: Assessment, maps: list[dict[str, str]], keep_out_maps: list[dict[str, Any]]
) -> str:
    environment = Environment(
        loader=PackageLoader("securityroof.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    scenario = assessment.scenario
    windows = assessment.engagements.windows
    engagement_rows = []
    for record in assessment.engagements.records:
        altitude = record.intercept_altitude_m
        engagement_rows.append(
            {
                "threat": record.threat,
                "site": record.site,
                "interceptor": record.interceptor,
                "first": f"{record.first_intercept_s:.0f}" if record.engageable else "",
                "last": f"{record.last_intercept_s:.0f}" if record.engageable else "",
                "altitude": f"{altitude[0] / 1e3:.0f}-{altitude[1] / 1e3:.0f}" if altitude else "",
                "shots": record.shots,
                "track": record.track_source or "",
                "reason": record.reason,
            }
        )
    sharing = assessment.sharing
    shares = sharing.cooperation.cost_shares
    assert shares is not None
    scale = 1.0
    sharing_rows = [
        {
            "party": party,
            "shapley": sharing.cooperation.shapley[i] / scale,
            "alone": sharing.cooperation.benefit_alone[i] / scale,
            "joint": sharing.cooperation.benefit_grand[i] / scale,
            "by_shapley": 100 * shares.by_shapley[i],
            "by_benefit": 100 * shares.by_benefit[i],
        }
        for i, party in enumerate(sharing.parties)
    ]
    footprint_rows = []
    for label, result in assessment.comparison:
        summary = footprint_summary(result)
        summary["architecture"] = label
        footprint_rows.append(summary)
    configurations = ", ".join(
        f"{c.missile} from {c.launch_area} ({c.shape})" for c in assessment.footprint.configs
    )
    return environment.get_template("report.html.j2").render(
        name=scenario.name,
        scenario_file=str(scenario.path),
        sha256=scenario.digest,
        case=scenario.case_label,
        version=_version(),
        footprint_maps=maps,
        footprint_rows=footprint_rows,
        resolution_deg=assessment.resolution_deg,
        configurations=configurations,
        engagement_rows=engagement_rows,
        stability=assessment.stability,
        envelope=None if assessment.envelope is None else envelope_record(assessment.envelope),
        keep_out_maps=keep_out_maps,
        speed_tolerance_m_s=SPEED_TOLERANCE_M_S,
        area_rows=_area_rows(assessment),
        validation=assessment.validation,
        sharing_rows=sharing_rows,
        sharing_method=sharing.cooperation.method,
        value_unit="people" if sharing.value_basis == "population" else "targets",
        references=_references(assessment),
        engaged_pairs=int(windows.engageable.sum()),
        **_sentences(assessment),
    )
