"""`roof diff`: two report folders compared. The folders are copies of the
shared `small_report`'s manifest.json and results.json, edited, so no new
assessment runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.test_cli_fly import assert_user_error, roof, roof_in_process


def _copy(small_report, folder: Path) -> Path:
    _, out = small_report
    folder.mkdir()
    for name in ("manifest.json", "results.json"):
        shutil.copy(out / name, folder / name)
    return folder


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))


def test_two_copies_of_a_report_do_not_differ(small_report, tmp_path) -> None:
    a, b = _copy(small_report, tmp_path / "a"), _copy(small_report, tmp_path / "b")
    result = roof_in_process("diff", str(a), str(b))
    assert result.returncode == 0, result.stderr
    assert "results that differ: none" in result.stdout
    assert "scenario: the same file" in result.stdout


def test_diff_names_what_changed_in_outcome_and_inputs(small_report, tmp_path) -> None:
    a, b = _copy(small_report, tmp_path / "a"), _copy(small_report, tmp_path / "b")
    results = json.loads((a / "results.json").read_text())
    label = next(iter(results["footprints"]))
    party = next(iter(results["shapley"]))

    def outcome(record) -> None:
        record["verdict"] = "strategic" if record["verdict"] != "strategic" else "non-strategic"
        record["footprints"][label]["population_defended"] += 2.5e6
        record["shapley"][party] += 1000.0

    def inputs(record) -> None:
        record["scenario"]["text"] += '\n[[threats]]\nmissile = "shahab-3"\n'
        record["scenario"]["sha256"] = "0" * 64
        key = next(iter(record["catalog_values"]))
        record["catalog_values"][key] = "changed"
        record["version"] = "9.9.9"
        record["parameters"]["resolution_deg"] = 2.0

    _edit(b, "results.json", outcome)
    _edit(b, "manifest.json", inputs)
    result = roof_in_process("diff", str(a), str(b), "--json")
    assert result.returncode == 1, result.stderr
    record = json.loads(result.stdout)
    assert record["outcome"]["verdict"]["changed"]
    pair = record["outcome"]["population_defended"][label]
    assert pair["b"] - pair["a"] == pytest.approx(2.5e6)
    assert record["outcome"]["shapley"][party]["b"] - record["outcome"]["shapley"][party][
        "a"
    ] == pytest.approx(1000.0)
    scenario = record["inputs"]["scenario"]
    assert scenario["sha256"]["changed"]
    assert scenario["text_diff"]["lines_added"] == 3 and scenario["text_diff"]["lines_removed"] == 0
    assert len(record["inputs"]["catalog"]["values_changed"]) == 1
    assert record["inputs"]["version"]["b"] == "9.9.9"
    assert record["inputs"]["version"]["changed"]
    assert record["inputs"]["options_changed"] == ["parameters.resolution_deg: 4.0 in A, 2.0 in B"]
    # The same as text, at 80 columns, nothing cut short.
    text = roof_in_process("diff", str(a), str(b), env={"COLUMNS": "80"})
    assert text.returncode == 1, text.stderr
    assert "non-strategic" in text.stdout and "+2.5" in text.stdout
    assert '+missile = "shahab-3"' in text.stdout and "9.9.9" in text.stdout
    assert "…" not in text.stdout
    tables = [line for line in text.stdout.splitlines() if "│" in line]
    assert tables and max(len(line) for line in tables) <= 80


def test_a_folder_that_is_not_a_report_is_a_one_line_error(small_report, tmp_path) -> None:
    a = _copy(small_report, tmp_path / "a")
    (tmp_path / "empty").mkdir()
    for other, fragment in (
        (tmp_path / "empty", "manifest.json is missing"),
        (tmp_path / "nowhere", "no such folder"),
        (a / "results.json", "no such folder"),
    ):
        assert_user_error(roof_in_process("diff", str(a), str(other)), fragment, str(other))
    (tmp_path / "half").mkdir()
    shutil.copy(a / "manifest.json", tmp_path / "half" / "manifest.json")
    assert_user_error(roof_in_process("diff", str(a), str(tmp_path / "half")), "results.json")


def test_reports_of_another_format_are_refused(small_report, tmp_path) -> None:
    a, b = _copy(small_report, tmp_path / "a"), _copy(small_report, tmp_path / "b")
    _edit(b, "manifest.json", lambda m: m.update(format="securityroof-report/2"))
    # End to end, in a real process: exit code 2 and one line.
    result = roof("diff", str(a), str(b))
    assert_user_error(result, "securityroof-report/2", str(b), "Rerun it")
    assert len(result.stderr.strip().splitlines()) == 1
