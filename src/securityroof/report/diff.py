"""`roof diff`: what changed between two assessment reports, and why.

Reads each report folder's manifest.json (how it was made) and results.json
(what it found) and compares the outcomes (verdict, defended population per
architecture, Shapley values, the reference raid, every other number) and
the inputs (the scenario file, the catalog values it read, the code version,
the options). Reports of different formats are refused: their numbers may
not mean the same things.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from securityroof.errors import RoofError
from securityroof.records.compare import differences
from securityroof.report.files import MANIFEST, REPORT_FORMAT, is_report_manifest

RESULTS = "results.json"
MAX_TEXT_LINES = 40  # lines of the scenario diff shown; the rest are counted
MAX_LISTED = 50  # differing values listed one by one in the text output
_FILE_LIMIT = 16 * 1024 * 1024
# Manifest entries that are options of the run (compared one by one).
_OPTIONS = ("case", "assumptions", "cueing", "parameters", "seeds")


@dataclass(frozen=True)
class Report:
    folder: Path
    manifest: dict[str, Any]
    results: dict[str, Any]


def _json_file(path: Path, folder: Path) -> Any:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _FILE_LIMIT:
            raise OSError
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise RoofError(
            f"not a Security Roof report: {path.name} is missing or unreadable.",
            where=str(folder),
            fix="Give two folders written by `roof assess --out`.",
        ) from None


def read_report(folder: Path) -> Report:
    """A report folder's manifest and results, or an error saying it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RoofError(
            "not a report folder (no such folder).",
            where=str(folder),
            fix="Give two folders written by `roof assess --out`.",
        )
    manifest = _json_file(folder / MANIFEST, folder)
    # Another report format is read as far as to say it is one (check_comparable).
    if not isinstance(manifest, dict) or not (
        is_report_manifest(manifest)
        or str(manifest.get("format", "")).startswith("securityroof-report/")
    ):
        raise RoofError(
            "not a Security Roof report: its manifest.json was not written by `roof assess`.",
            where=str(folder),
            fix="Give two folders written by `roof assess --out`.",
        )
    results = _json_file(folder / RESULTS, folder)
    if not isinstance(results, dict):
        raise RoofError(
            "not a Security Roof report: results.json is not an object.", where=str(folder)
        )
    return Report(folder, manifest, results)


def _format(report: Report) -> str:
    return str(report.manifest.get("format", "securityroof-report/0 (before formats)"))


def check_comparable(a: Report, b: Report) -> None:
    """Both reports of the format this version reads, or an error."""
    for report in (a, b):
        if _format(report) != REPORT_FORMAT:
            raise RoofError(
                f"the report's format is {_format(report)!r}; this version of roof compares "
                f"{REPORT_FORMAT!r} reports only.",
                where=str(report.folder),
                fix="Rerun it with this version: the command is in its manifest.json (rerun).",
            )


def _pair(a: Any, b: Any) -> dict[str, Any]:
    return {"a": a, "b": b, "changed": a != b}


def _population(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per architecture drawn: population defended and threatened."""
    footprints = results.get("footprints") or {}
    return {
        label: {
            "population_defended": f.get("population_defended"),
            "population_threatened": f.get("population_threatened"),
        }
        for label, f in footprints.items()
        if isinstance(f, dict)
    }


def _scenario_text(manifest: dict[str, Any]) -> str | None:
    scenario = manifest.get("scenario") or {}
    text = scenario.get("text")
    return text if isinstance(text, str) else None


def _scenario_change(a: Report, b: Report) -> dict[str, Any]:
    sa, sb = a.manifest.get("scenario") or {}, b.manifest.get("scenario") or {}
    record: dict[str, Any] = {
        "name": _pair(sa.get("name"), sb.get("name")),
        "sha256": _pair(sa.get("sha256"), sb.get("sha256")),
        "file": _pair(sa.get("file"), sb.get("file")),
        "text_diff": None,
    }
    text_a, text_b = _scenario_text(a.manifest), _scenario_text(b.manifest)
    if record["sha256"]["changed"] and text_a is not None and text_b is not None:
        lines = list(
            difflib.unified_diff(
                text_a.splitlines(), text_b.splitlines(), "A", "B", lineterm="", n=1
            )
        )
        changed = [line for line in lines[2:] if line[:1] in "+-"]
        record["text_diff"] = {
            "lines_added": sum(line.startswith("+") for line in changed),
            "lines_removed": sum(line.startswith("-") for line in changed),
            "diff": lines[:MAX_TEXT_LINES],
            "diff_lines_left_out": max(0, len(lines) - MAX_TEXT_LINES),
        }
    return record


def _catalog_change(a: Report, b: Report) -> dict[str, Any]:
    """Catalog values that differ (reports that recorded them), and catalog files."""
    files_a = a.manifest.get("catalog_sha256") or {}
    files_b = b.manifest.get("catalog_sha256") or {}
    files = sorted(k for k in set(files_a) | set(files_b) if files_a.get(k) != files_b.get(k))
    values_a, values_b = a.manifest.get("catalog_values"), b.manifest.get("catalog_values")
    values: list[str] | None = None
    if isinstance(values_a, dict) and isinstance(values_b, dict):
        values = []
        differences(values_a, values_b, "", values, ("A", "B"))
    return {"files_changed": files, "values_changed": values}


def any_change(record: dict[str, Any]) -> bool:
    """Whether a `diff_reports` record found any difference."""
    inputs, outcome = record["inputs"], record["outcome"]
    scenario, catalog = inputs["scenario"], inputs["catalog"]
    return bool(
        outcome["results_changed"]
        or inputs["options_changed"]
        or inputs["version"]["changed"]
        or scenario["sha256"]["changed"]
        or catalog["files_changed"]
        or catalog["values_changed"]
    )


def diff_reports(folder_a: Path, folder_b: Path) -> dict[str, Any]:
    """What differs between two reports: outcomes first, then the inputs.

    Every entry of `outcome` and `inputs` is {a, b, changed}, or a list of
    the values that differ ("where: x in A, y in B").
    """
    a, b = read_report(folder_a), read_report(folder_b)
    check_comparable(a, b)
    population_a, population_b = _population(a.results), _population(b.results)
    labels = list(dict.fromkeys([*population_a, *population_b]))
    shapley_a, shapley_b = a.results.get("shapley") or {}, b.results.get("shapley") or {}
    parties = list(dict.fromkeys([*shapley_a, *shapley_b]))
    other: list[str] = []
    differences(a.results, b.results, "", other, ("A", "B"))
    options: list[str] = []
    differences(
        {k: a.manifest.get(k) for k in _OPTIONS},
        {k: b.manifest.get(k) for k in _OPTIONS},
        "",
        options,
        ("A", "B"),
    )
    raid_a, raid_b = a.results.get("raid") or {}, b.results.get("raid") or {}
    return {
        "a": str(a.folder),
        "b": str(b.folder),
        "format": REPORT_FORMAT,
        "outcome": {
            "verdict": _pair(a.results.get("verdict"), b.results.get("verdict")),
            "population_defended": {
                label: _pair(
                    population_a.get(label, {}).get("population_defended"),
                    population_b.get(label, {}).get("population_defended"),
                )
                for label in labels
            },
            "shapley": {p: _pair(shapley_a.get(p), shapley_b.get(p)) for p in parties},
            "raid_expected_leakers": _pair(
                raid_a.get("expected_leakers"), raid_b.get("expected_leakers")
            ),
            "results_changed": other,
        },
        "inputs": {
            "scenario": _scenario_change(a, b),
            "catalog": _catalog_change(a, b),
            "version": _pair(a.manifest.get("version"), b.manifest.get("version")),
            "options_changed": options,
        },
    }
