"""The assessment report: a folder with index.html, its figures, the exports
and a manifest, self-contained (opens offline from the file system).

The folder is built in a hidden staging folder beside its target and
swapped into place at the end (see `securityroof.report.files`), so a
failure never leaves half a report and never loses the one it replaces.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from securityroof.analysis.assess import Assessment
from securityroof.analysis.envelope import SPEED_TOLERANCE_M_S
from securityroof.analysis.stability import party_finding, verdict_assumptions
from securityroof.records.assessment import code_version, manifest_record, results_record
from securityroof.records.envelope import envelope_record
from securityroof.records.footprint import footprint_summary
from securityroof.report import figures
from securityroof.report.believe import BelieveTable, believe_table
from securityroof.report.czml import write_czml
from securityroof.report.envelope_export import envelope_geojson
from securityroof.report.files import replace_report
from securityroof.report.footprint_export import write_geojson
from securityroof.report.glossary import used_in, visible_text
from securityroof.report.interactive import (
    LEAFLET_DIR,
    Leaflet,
    load_leaflet,
    map_section,
)
from securityroof.report.kml import write_kml
from securityroof.report.maps import footprint_grid, keep_out_map
from securityroof.report.tables import write_footprint_tables, write_tables

NOT_RUN = "not run (--only)"


def _sentences(assessment: Assessment) -> dict[str, str]:
    stability = assessment.stability
    if stability is not None:
        verdict = stability.sentence
    elif assessment.ran("stability"):
        verdict = (
            "No other party's strategic forces face these batteries, so no stability verdict "
            "is given."
        )
    else:
        verdict = f"Stability verdict: {NOT_RUN}."
    if assessment.footprint is not None:
        summary = footprint_summary(assessment.footprint)
        defends = (
            f"Against the regional threats it defends {summary['cells_defended']} of "
            f"{summary['cells_threatened']} threatened grid cells and "
            f"{summary['population_defended'] / 1e6:.1f} of "
            f"{summary['population_threatened'] / 1e6:.1f} million people in the cities "
            "they reach."
        )
    else:
        defends = f"Defended footprint: {NOT_RUN}."
    sharing = assessment.sharing
    if sharing is not None:
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
    else:
        contributes = f"Contributions and cost shares: {NOT_RUN}."
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
    assessment: Assessment,
    out: Path,
    *,
    force: bool = False,
    scenario: Path | None = None,
    single_file: bool = False,
    leaflet_dir: Path = LEAFLET_DIR,
) -> Path:
    """Write the report folder; returns the path of index.html.

    With `single_file`, index.html holds its figures as data URIs (no
    figures/ folder) and opens alone; the exports and manifest stay beside it.

    `out` is checked and replaced as `replace_report` does: an existing folder
    only with `force` and only if it holds a report, never a link, the
    current folder or one above it, or a folder holding `scenario` (default:
    the assessment's scenario file).
    """

    def fill(staging: Path) -> None:
        (staging / "figures").mkdir()
        if assessment.engagements is not None:
            figures.threat_map(assessment, staging / "figures/threats.png")
            figures.engagement_timeline(assessment, staging / "figures/timeline.png")
        figures.coverage_map(assessment, staging / "figures/coverage.png")
        if assessment.strategic is not None:
            figures.strategic_map(assessment, staging / "figures/strategic.png")
        if assessment.sharing is not None:
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
        if assessment.comparison:
            footprint_grid(assessment.comparison, staging / "figures/footprints.png")
        exports = staging / "exports"
        exports.mkdir()
        if assessment.footprint is not None:
            write_geojson(assessment.footprint, exports / "footprint.geojson")
            write_footprint_tables(assessment.footprint, exports)
        if assessment.engagements is not None:
            write_czml(assessment.engagements, exports / "trajectories.czml")
            write_kml(assessment.engagements, exports / "trajectories.kml")
            write_tables(assessment.engagements, exports)
        if assessment.envelope is not None:
            (exports / "envelope.json").write_text(
                json.dumps(envelope_record(assessment.envelope)), encoding="utf-8"
            )
            (exports / "envelope.geojson").write_text(
                json.dumps(envelope_geojson(assessment.envelope)), encoding="utf-8"
            )
        html = _render(assessment, keep_out_maps, leaflet=load_leaflet(leaflet_dir))
        (staging / "index.html").write_text(html, encoding="utf-8")
        if single_file:
            (staging / "index.html").write_text(single_file_html(staging), encoding="utf-8")
            shutil.rmtree(staging / "figures")
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


def single_file_html(folder: Path) -> str:
    """The report folder's index.html with every figure inlined as a data URI.

    Leaflet and the map data are inlined in every report already, so the
    result needs no file beside it (only the links to the exports do).
    """

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((folder / match.group(1)).read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    html = (folder / "index.html").read_text(encoding="utf-8")
    return re.sub(r'src="(figures/[\w.-]+\.png)"', inline, html)


def _verdict_summary(assessment: Assessment) -> dict[str, Any]:
    """The verdict as the summary leads with it: the verdict, what it assumes,
    and per deterrent party what was found and what would change it."""
    stability = assessment.stability
    if stability is None:
        return {"headline": None, "assumptions": [], "findings": []}
    assumed = verdict_assumptions(stability)
    return {
        "headline": stability.verdict.capitalize(),
        "assumptions": [
            ("sensors", assumed["sensors"]),
            ("cueing", assumed["cueing"]),
            ("capability", assumed["cases"]),
            *([("uncertainty", assumed["uncertainty"])] if assumed["uncertainty"] else []),
        ],
        "findings": [party_finding(stability.scenario, pv) for pv in stability.party_verdicts],
    }


def _believe(assessment: Assessment) -> BelieveTable | None:
    stability = assessment.stability
    if stability is None:
        return None
    return believe_table(
        [dataclasses.asdict(a) for a in stability.track_assumptions],
        stability.engageable_with_tracks_shared,
        stability.strategic_threats,
    )


def _render(
    assessment: Assessment, keep_out_maps: list[dict[str, Any]], *, leaflet: Leaflet | None
) -> str:
    environment = Environment(
        loader=PackageLoader("securityroof.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    scenario = assessment.scenario
    engagement_rows = []
    for record in assessment.engagements.records if assessment.engagements else []:
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
    sharing_rows = []
    if sharing is not None:
        shares = sharing.cooperation.cost_shares
        assert shares is not None
        sharing_rows = [
            {
                "party": party,
                "shapley": sharing.cooperation.shapley[i],
                "alone": sharing.cooperation.benefit_alone[i],
                "joint": sharing.cooperation.benefit_grand[i],
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
        f"{c.missile} from {c.launch_area} ({c.shape})"
        for c in (assessment.footprint.configs if assessment.footprint else [])
    )
    values = dict(
        name=scenario.name,
        scenario_file=str(scenario.path),
        sha256=scenario.digest,
        case=scenario.case_label,
        version=code_version(),
        footprint_labels=[label for label, _ in assessment.comparison],
        verdict=_verdict_summary(assessment),
        believe=_believe(assessment),
        map_section=map_section(leaflet, assessment),
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
        sharing_method=sharing.cooperation.method if sharing else "",
        value_unit="people" if sharing and sharing.value_basis == "population" else "targets",
        references=_references(assessment),
        ran=set(assessment.parts),
        not_run=NOT_RUN,
        **_sentences(assessment),
    )
    template = environment.get_template("report.html.j2")
    # The abbreviations the page uses, spelt out at its end: known only once
    # the page is written, so it is rendered twice (milliseconds).
    glossary = used_in(visible_text(template.render(**values, glossary=[])))
    return template.render(**values, glossary=glossary)
