"""`roof assess` as a user runs it: a complete report folder, reproducible,
and nothing written when the input is wrong."""

from __future__ import annotations

import csv
import json
import re

import pytest

from securityroof.records.engagement import ENGAGEMENT_COLUMNS
from securityroof.records.fields import flatten
from tests.e2e.test_cli_fly import assert_user_error, roof, roof_in_process

SMALL = """
[scenario]
name = "small assessment"
architecture = "epaa-phase-3"

[[threats]]
missile = "sejjil-2"
from = "tabriz"
to = ["bucharest", "athens"]

[[threats]]
missile = "generic-icbm"
from = "kozelsk"
to = ["washington"]

[strategic]
launch_areas = ["kozelsk"]
targets = ["washington"]
shapes = ["minimum-energy"]
"""


def _assess(tmp_path, out_name="report", *extra):
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    out = tmp_path / out_name
    result = roof("assess", str(scenario), "--out", str(out), "--resolution-deg", "4", *extra)
    return result, out


def test_assess_writes_a_complete_reproducible_report(small_report, tmp_path):
    result, out = small_report
    assert "stability verdict" in result.stdout and str(out / "index.html") in result.stdout
    html = (out / "index.html").read_text()
    sections = ("summary", "maps", "engagements", "stability", "envelope", "sharing", "references")
    for section in sections:
        assert f'id="{section}"' in html
    images = re.findall(r'src="([^"]+)"', html)
    assert len(images) >= 6
    for image in images:
        data = (out / image).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", image
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["sha256"] and manifest["seeds"]["raid"]
    assert set(manifest["catalog_sha256"]) >= {"missiles", "interceptors", "sensors"}
    assert json.loads((out / "exports/footprint.geojson").read_text())["features"]
    envelope = json.loads((out / "exports/envelope.json").read_text())
    assert envelope["speed_limits"] and envelope["site_maps"] and envelope["tradeoffs"]
    assert "figures/tradeoff.png" in html
    # Each interceptor type: its keep-out map, or the sentence that none is kept out.
    for k, found in enumerate(envelope["site_maps"]):
        if found["keep_out_cells"]:
            assert f"figures/keep-out-{k}.png" in html
        else:
            assert f"No keep-out zone for {found['interceptor']}" in html
    for export in ("trajectories.czml", "trajectories.kml", "engagements.csv", "threats.parquet"):
        assert (out / "exports" / export).stat().st_size > 0, export
    assert not list(out.parent.glob(".report.*"))  # the staging folder is gone
    # The manifest's promise: the same scenario and seeds give the same numbers.
    again, out2 = _assess(tmp_path, "again")
    assert again.returncode == 0, again.stderr
    assert (out2 / "results.json").read_text() == (out / "results.json").read_text()


def test_engage_json_and_the_report_give_the_same_engagement_records(small_report):
    """One record per engagement: `roof engage --json` prints it nested, the
    report's engagements table holds it flattened (Parquet exactly, CSV as text)."""
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow reads the Parquet table")
    _, out = small_report
    engaged = roof("engage", str(out.parent / "small.toml"), "--json")
    assert engaged.returncode == 0, engaged.stderr
    by_pair = {(r["threat"], r["site"], r["interceptor"]): r for r in json.loads(engaged.stdout)}
    table = pq.read_table(out / "exports/engagements.parquet").to_pylist()
    # The report engages the regional threats; `roof engage` all of them.
    assert table and len(table) < len(by_pair)
    assert any(row["engageable"] for row in table)
    for row in table:
        record = by_pair[(row["threat"], row["site"], row["interceptor"])]
        assert list(flatten(record)) == list(ENGAGEMENT_COLUMNS)
        assert flatten(record) == row
        if record["engageable"]:
            altitude = record["intercept_altitude"]
            assert 0 < altitude["min_km"] <= altitude["max_km"]
    with (out / "exports/engagements.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["intercept_altitude_min_km"] for r in rows] == [
        "" if row["intercept_altitude_min_km"] is None else repr(row["intercept_altitude_min_km"])
        for row in table
    ]


def test_an_existing_folder_is_refused_without_force(tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "keep.txt").write_text("mine")
    result, out = _assess(tmp_path)
    assert_user_error(result, "exists", "--force")
    assert (out / "keep.txt").read_text() == "mine"


def test_a_scenario_error_writes_nothing(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(SMALL.replace('"sejjil-2"', '"sejil-2"'))
    out = tmp_path / "report"
    assert_user_error(roof("assess", str(scenario), "--out", str(out)), "sejjil-2")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.toml"]


def test_an_unwritable_place_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    result = roof("assess", str(scenario), "--out", str(blocker / "report"))
    assert_user_error(result, "parent folder does not exist")


def test_assess_the_built_in_default(tmp_path):
    # What `make run` runs: the joint NATO-Russia roof, compared with the EPAA phases.
    out = tmp_path / "default"
    result = roof("assess", "--out", str(out), "--resolution-deg", "2")
    assert result.returncode == 0, result.stderr
    results = json.loads((out / "results.json").read_text())
    assert results["verdict"] in ("strategic", "non-strategic")
    footprints = results["footprints"]
    assert {"joint-nato-russia", "epaa-phase-1", "epaa-phase-4"} <= set(footprints)
    assert (
        footprints["epaa-phase-1"]["cells_defended"]
        <= footprints["joint-nato-russia"]["cells_defended"]
    )
    html = (out / "index.html").read_text()
    assert "figures/strategic.png" in html and "figures/coverage.png" in html


STEP_LINE = re.compile(r"^roof: \[(\d+)/(\d+)\] (.+): (\d[\d,]*\.\d) s$")


def test_progress_is_one_line_per_step_on_stderr_when_piped(small_report):
    result, out = small_report
    lines = [line for line in result.stderr.splitlines() if line.startswith("roof: ")]
    steps = [STEP_LINE.match(line) for line in lines]
    assert lines and all(steps), result.stderr
    done = [(int(m.group(1)), int(m.group(2)), m.group(3)) for m in steps if m]
    total = done[0][1]
    assert [k for k, _, _ in done] == list(range(1, total + 1))
    assert all(n == total for _, n, _ in done)
    names = [name for _, _, name in done]
    assert names[0] == "engagements" and names[-1] == "writing the report"
    assert "stability" in names and "footprint epaa-phase-1" in names
    # The same steps the manifest times.
    timed = json.loads((out / "manifest.json").read_text())["timings_s"]
    assert set(names) - {"writing the report"} == set(timed)
    # Piped stdout: the summary table whole at 80 columns, nothing cut short.
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines() if "│" in line) <= 80


def test_only_runs_the_parts_named(tmp_path):
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    out = tmp_path / "report"
    result = roof_in_process(
        "assess",
        str(scenario),
        "--out",
        str(out),
        "--resolution-deg",
        "4",
        "--only",
        "footprint,sharing",
        "--compare",
        "epaa-phase-1",
        "--no-cueing-study",
    )
    assert result.returncode == 0, result.stderr
    steps = [STEP_LINE.match(line) for line in result.stderr.splitlines()]
    names = [m.group(3) for m in steps if m]
    # The fair shares are valued on the engagements: sharing runs them first.
    assert names == [
        "engagements",
        "footprint epaa-phase-3",
        "footprint epaa-phase-1",
        "cost sharing",
        "writing the report",
    ]
    results = json.loads((out / "results.json").read_text())
    assert list(results["footprints"]) == ["epaa-phase-3", "epaa-phase-1"]
    assert results["shapley"]
    assert results["engageable_pairs"] is not None
    for skipped in ("verdict", "validation", "raid", "envelope"):
        assert results[skipped] is None, skipped
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["parts"] == ["engagements", "footprint", "sharing"]
    assert manifest["parameters"]["compare"] == ["epaa-phase-1"]
    html = (out / "index.html").read_text()
    for section in ("Stability verdict", "Transparency envelope", "Reference raid"):
        assert f"{section}: not run (--only)." in html
    assert "Defended footprints: not run" not in html
    assert "not run (--only)" in result.stdout  # the terminal summary says so too


def test_an_unknown_part_is_a_one_line_error_naming_the_valid_ones(tmp_path):
    out = tmp_path / "report"
    result = roof_in_process("assess", "--out", str(out), "--only", "footprint,raids")
    assert_user_error(result, "--only", "'raids'", "engagements, footprint, stability")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
