"""`roof assess --out DIR [--force]` never loses data.

Most tests call the folder logic directly with a tiny fake report, so they
take milliseconds; the CLI tests only check refusals, which come before any
physics.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from securityroof.errors import RoofError
from securityroof.records.assessment import REPORT_FORMAT
from securityroof.report import files
from securityroof.report.files import (
    is_report_folder,
    prepare_report_target,
    replace_report,
)
from tests.e2e.test_cli_fly import ROOT, assert_user_error

SCENARIO = """
[scenario]
name = "small"
architecture = "epaa-phase-3"

[[threats]]
missile = "sejjil-2"
from = "tabriz"
to = ["bucharest"]
"""


def _write_report(folder: Path, text: str, manifest: dict[str, object] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(text)
    (folder / "figures").mkdir(exist_ok=True)
    (folder / "figures" / "map.png").write_bytes(text.encode())
    record = {"format": REPORT_FORMAT, "tool": "securityroof"} if manifest is None else manifest
    (folder / "manifest.json").write_text(json.dumps(record))


def _fill(text: str):
    def fill(staging: Path) -> None:
        _write_report(staging, text)

    return fill


def _never(staging: Path) -> None:
    raise AssertionError("the report was written although --out should have been refused")


def _tree(folder: Path) -> dict[str, str]:
    """Every file under a folder (hidden ones too) with its text."""
    return {
        str(p.relative_to(folder)): p.read_text(errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A working folder holding a scenario and a user file, as the current folder."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "small.toml").write_text(SCENARIO)
    (work / "notes.txt").write_text("mine")
    monkeypatch.chdir(work)
    return work


def _refused(out: Path, *fragments: str, force: bool = True, scenario: Path | None = None) -> None:
    with pytest.raises(RoofError) as raised:
        replace_report(out, _never, force=force, scenario=scenario)
    message = raised.value.message()
    assert str(out) in message and raised.value.fix, message
    for fragment in fragments:
        assert fragment in message, message


# --- refusals ---------------------------------------------------------------------------


def test_the_current_folder_is_refused_and_kept(place):
    before = _tree(place)
    _refused(Path("."), "current folder", scenario=place / "small.toml")
    assert _tree(place) == before
    # Even when it holds a report itself.
    _write_report(place, "a report in the current folder")
    before = _tree(place)
    _refused(Path("."), "current folder")
    _refused(place, "current folder")
    assert _tree(place) == before


def test_a_folder_above_the_current_one_is_refused(place):
    _refused(Path(".."), "current folder or a folder above it")
    _refused(place.parent.parent, "above it")
    assert (place / "notes.txt").read_text() == "mine"


def test_the_scenario_folder_and_its_parents_are_refused(tmp_path, place):
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    scenario = deep / "s.toml"
    scenario.write_text(SCENARIO)
    _write_report(deep, "a report beside the scenario")  # a report, and still refused
    before = _tree(tmp_path / "a")
    _refused(deep, "holds the scenario", scenario=scenario)
    _refused(tmp_path / "a", "holds the scenario", scenario=scenario)
    _refused(deep / ".", "holds the scenario", scenario=scenario)
    assert _tree(tmp_path / "a") == before


def test_the_folder_of_a_linked_scenario_is_refused(tmp_path, place):
    real = tmp_path / "real"
    real.mkdir()
    (real / "s.toml").write_text(SCENARIO)
    linked = tmp_path / "linked"
    _write_report(linked, "a report holding a link to the scenario")
    (linked / "s.toml").symlink_to(real / "s.toml")
    _refused(linked, "holds the scenario", scenario=linked / "s.toml")
    _refused(real, "holds the scenario", scenario=linked / "s.toml")
    assert (linked / "s.toml").read_text() == SCENARIO


def test_home_and_root_are_refused(tmp_path, place, monkeypatch):
    home = tmp_path / "home"
    _write_report(home, "a report as the home folder")
    monkeypatch.setenv("HOME", str(home))
    _refused(home, "home folder")
    _refused(tmp_path, "home folder or a folder above it")
    _refused(Path("/"), "root folder")
    assert (home / "index.html").exists()


def test_a_folder_that_is_no_report_is_refused_with_force(place):
    mine = place / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    _refused(mine, "holds no Security Roof report", "--force replaces only a report")
    _refused(mine, "exists", "--force will not replace it", force=False)
    # A manifest.json of something else is no report either.
    (mine / "manifest.json").write_text(json.dumps({"format": "securityroof-envelope-manifest/1"}))
    _refused(mine, "holds no Security Roof report")
    (mine / "manifest.json").write_text("[1, 2]")
    _refused(mine, "holds no Security Roof report")
    assert (mine / "thesis.tex").read_text() == "years of work"


def test_a_file_is_refused(place):
    _refused(place / "notes.txt", "not a folder")
    _refused(place / "notes.txt", "not a folder", force=False)
    assert (place / "notes.txt").read_text() == "mine"


def test_a_symlink_is_refused_even_to_a_report(place):
    report = place / "report"
    _write_report(report, "old")
    link = place / "link"
    link.symlink_to(report, target_is_directory=True)
    _refused(link, "symbolic link")
    _refused(link, "symbolic link", force=False)
    dangling = place / "dangling"
    dangling.symlink_to(place / "nowhere")
    _refused(dangling, "symbolic link")
    assert link.is_symlink() and (report / "index.html").read_text() == "old"
    assert dangling.is_symlink()


def test_an_existing_report_needs_force(place):
    _write_report(place / "report", "old")
    _refused(Path("report"), "exists", "Pass --force", force=False)
    assert (place / "report" / "index.html").read_text() == "old"


# --- replacing ----------------------------------------------------------------------------


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_new_report_and_a_replaced_one(place):
    written = replace_report(Path("report"), _fill("first"))
    assert written == place / "report"
    assert (place / "report" / "index.html").read_text() == "first"
    replace_report(Path("report"), _fill("second"), force=True)
    assert _tree(place / "report")["index.html"] == "second"
    assert set(_tree(place / "report")) == {"index.html", "figures/map.png", "manifest.json"}
    assert _hidden(place) == []
    assert (place / "notes.txt").read_text() == "mine"


def test_a_report_from_before_the_format_field_is_replaced(place):
    old = {"tool": "securityroof", "rerun": "roof assess small.toml --out DIR"}
    _write_report(place / "report", "old", manifest=old)
    assert is_report_folder(place / "report")
    replace_report(Path("report"), _fill("new"), force=True)
    assert (place / "report" / "index.html").read_text() == "new"


def test_the_report_manifest_carries_the_format():
    from securityroof.analysis.assess import PARTS
    from securityroof.model.scenario import load_scenario
    from securityroof.records.assessment import manifest_record

    path = ROOT / "examples" / "epaa-phase-1.toml"
    assessment = SimpleNamespace(
        scenario=load_scenario(path),
        resolution_deg=1.0,
        seeds={},
        timings_s={},
        parts=PARTS,
        compared=(),
        cueing_study=True,
    )
    record = manifest_record(assessment)  # type: ignore[arg-type]
    assert record["format"] == REPORT_FORMAT
    assert files.is_report_manifest(record)
    # What `roof diff` compares: the scenario's text and the catalog values it read.
    assert record["scenario"]["text"] == path.read_text(encoding="utf-8")
    assert record["catalog_values"]["interceptors.sm-3-block-ia.burnout_speed_m_s.nominal"] > 0
    assert record["parameters"]["parts"] == list(PARTS)


def test_a_failed_write_keeps_the_old_report(place):
    _write_report(place / "report", "old")
    before = _tree(place / "report")

    def fail(staging: Path) -> None:
        _write_report(staging, "half")
        # While the new report is written, the old one is whole and in place.
        assert _tree(place / "report") == before
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_report(Path("report"), fail, force=True)
    assert _tree(place / "report") == before
    assert _hidden(place) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_failed_rename_puts_the_old_report_back(place, monkeypatch, exchange):
    _write_report(place / "report", "old")
    before = _tree(place / "report")
    rename = os.rename

    def failing(source, target):
        if ".staging-" in str(source):
            raise OSError(28, "No space left on device")
        rename(source, target)

    def failing_exchange(first, second):
        raise OSError(5, "Input/output error")

    if exchange:
        monkeypatch.setattr(files, "_exchange", failing_exchange)
    else:
        monkeypatch.setattr(files, "_exchange", lambda a, b: False)
        monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(RoofError, match="unchanged"):
        replace_report(Path("report"), _fill("new"), force=True)
    monkeypatch.undo()
    assert _tree(place / "report") == before
    assert _hidden(place) == []


def test_the_two_rename_swap_replaces_too(place, monkeypatch):
    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    _write_report(place / "report", "old")
    replace_report(Path("report"), _fill("new"), force=True)
    assert (place / "report" / "index.html").read_text() == "new"
    assert _hidden(place) == []


def test_out_is_checked_again_just_before_the_swap(place):
    _write_report(place / "report", "old")

    def meanwhile(staging: Path) -> None:
        _write_report(staging, "new")
        # The user puts their own folder there while the assessment runs.
        for p in sorted((place / "report").rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        (place / "report" / "draft.txt").write_text("mine too")

    with pytest.raises(RoofError, match="holds no Security Roof report"):
        replace_report(Path("report"), meanwhile, force=True)
    assert _tree(place / "report") == {"draft.txt": "mine too"}
    assert _hidden(place) == []


# --- leftovers of killed runs -----------------------------------------------------------


def test_leftovers_of_a_killed_run_are_removed_and_nothing_else(place):
    dead = _dead_pid()
    partial = place / f".report.staging-{dead}-0123abcd"
    partial.mkdir()
    (partial / ".securityroof-staging").write_text("report\n")
    (partial / "figures").mkdir()
    (partial / "figures" / "threats.png").write_bytes(b"half")
    aside = place / f".report.old-{dead}-89abcdef"
    _write_report(aside, "set aside")
    empty = place / f".report.staging-{dead}-00000000"
    empty.mkdir()
    # Not ours, or not ours to remove: a user folder with the name, a running
    # process's staging, another report's leftovers, other hidden folders.
    user = place / f".report.staging-{dead}-11111111"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    running = place / f".report.staging-{os.getppid()}-22222222"
    running.mkdir()
    (running / ".securityroof-staging").write_text("report\n")
    other = place / f".other.staging-{dead}-33333333"
    other.mkdir()
    (other / ".securityroof-staging").write_text("other\n")
    backup = place / ".report.backup"
    _write_report(backup, "a backup")
    _write_report(place / "report", "current")

    replace_report(Path("report"), _fill("new"), force=True)

    assert not partial.exists() and not aside.exists() and not empty.exists()
    assert (user / "notes.txt").read_text() == "mine"
    assert running.is_dir() and other.is_dir()
    assert (backup / "index.html").read_text() == "a backup"
    assert (place / "report" / "index.html").read_text() == "new"


def test_a_report_set_aside_by_a_killed_run_is_put_back(place):
    aside = place / f".report.old-{_dead_pid()}-89abcdef"
    _write_report(aside, "set aside")
    with pytest.raises(RoofError, match="exists"):
        prepare_report_target(Path("report"), force=False)
    assert (place / "report" / "index.html").read_text() == "set aside"
    assert _hidden(place) == []


KILLED = """
import sys, time
from pathlib import Path
from securityroof.report.files import replace_report

def fill(staging):
    (staging / "index.html").write_text("half")
    Path(sys.argv[2]).write_text("ready")
    time.sleep(60)

replace_report(Path(sys.argv[1]), fill, force=True)
"""


def test_a_hard_kill_while_writing_is_cleaned_up_by_the_next_run(place):
    _write_report(place / "report", "old")
    before = _tree(place / "report")
    ready = place.parent / "ready"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen([sys.executable, "-c", KILLED, "report", str(ready)], env=env)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    left = _hidden(place)
    assert len(left) == 1 and left[0].startswith(".report.staging-"), left
    assert _tree(place / "report") == before
    replace_report(Path("report"), _fill("new"), force=True)
    assert _hidden(place) == []
    assert (place / "report" / "index.html").read_text() == "new"


# --- the command ----------------------------------------------------------------------------


def _roof_in(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "securityroof", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )
    return result, time.monotonic() - start


def test_assess_onto_the_current_folder_is_refused_before_any_work(place):
    before = _tree(place)
    result, seconds = _roof_in(place, "assess", "small.toml", "--out", ".", "--force")
    assert_user_error(result, "current folder", "--out")
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert seconds < 10
    assert _tree(place) == before and _hidden(place) == []


def test_assess_onto_a_non_report_or_the_scenario_folder_is_refused(place):
    (place / "mine").mkdir()
    (place / "mine" / "data.csv").write_text("1,2")
    before = _tree(place)
    scenario = str(place / "small.toml")
    for out, fragment in ((place / "mine", "no Security Roof report"), (place, "scenario")):
        result, seconds = _roof_in(place.parent, "assess", scenario, "--out", str(out), "--force")
        assert_user_error(result, str(out), fragment)
        assert seconds < 10
    assert _tree(place) == before
