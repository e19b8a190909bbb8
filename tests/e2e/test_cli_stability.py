"""`roof stability` as a user runs it."""

from __future__ import annotations

import json

from tests.e2e.test_cli_fly import assert_user_error, roof

SCENARIO = """
[scenario]
name = "phase 1 vs one ICBM"
architecture = "epaa-phase-1"

[strategic]
catalog = false

[[threats]]
missile = "generic-icbm"
from = "kozelsk"
to = ["washington"]
"""


def test_stability_json_has_the_contract_fields(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    result = roof("stability", str(path), "--draws", "20", "--seed", "4", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["verdict"] in ("strategic", "non-strategic")
    assert (record["verdict"] == "strategic") == bool(record["engageable_strategic"])
    assert set(record["min_burnout_speed_m_s"]) == {"kozelsk"}
    assert "sm-3-block-ia" in record["demarcation"]
    assert record["demarcation"]["sm-3-block-ia"]["agreed_statement"] == "first"
    # Phase 1 (SM-3 IA) cannot reach a Russian ICBM bound for the US
    # (Sankaran, Arms Control Today 2013; references/defence_catalog.md).
    assert record["verdict"] == "non-strategic"
    assert record["verdict_by_party"] == {"russia": "non-strategic"}
    assert record["sentence"].startswith("Non-strategic with the catalogued sensors")
    assert record["new_start"]["deployed_warhead_limit"] == 1550
    assert record["new_start"]["warheads_engageable_upper_bound"] == 0
    assert record["monte_carlo"]["draws"] == 20 and record["monte_carlo"]["seed"] == 4
    assert record["probability_strategic"]["p"] == 0.0
    assert record["by_case"][0]["label"] == "nominal"
    # The attainable track times come first; a track at launch only as the bound.
    sources = [a["source"] for a in record["track_assumptions"]]
    assert sources[-1].startswith("a fire-control track at launch")
    assert sources[0] == "space-based infrared, in stereo"
    (trajectory,) = record["trajectories"]
    # The Block IA is too slow even with a track at launch; only a faster
    # interceptor would reach it.
    assert not trajectory["engageable_with_track_at_launch_bound"]
    speed = trajectory["min_burnout_speed_earliest_track_m_s"]
    assert speed is None or speed > 3_000.0


def test_the_table_prints_the_sentence_and_explains_its_columns(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    result = roof("stability", str(path), "--draws", "20")
    assert result.returncode == 0, result.stderr
    assert "Non-strategic" in result.stdout
    assert "what you would need to believe" in result.stdout
    assert "delta = Borgonovo" in result.stdout or "sensitivity" not in result.stdout


def test_a_scenario_without_strategic_forces_to_judge_is_refused(tmp_path):
    path = tmp_path / "regional.toml"
    path.write_text(
        SCENARIO.replace('missile = "generic-icbm"', 'missile = "shahab-3"')
        .replace('"kozelsk"', '"tabriz"')
        .replace('["washington"]', '["ankara"]')
    )
    assert_user_error(roof("stability", str(path)), "no strategic forces to judge")


def test_bad_monte_carlo_sizes_are_refused(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    assert_user_error(roof("stability", str(path), "--draws", "0"), "--draws")
    assert_user_error(roof("stability", str(path), "--draws", "-5"), "--draws")


def test_an_epaa_phase_is_judged_against_the_catalogued_forces_by_default(tmp_path):
    path = tmp_path / "phase3.toml"
    path.write_text(
        '[scenario]\nname = "phase 3"\narchitecture = "epaa-phase-3"\n'
        '[strategic]\nlaunch_areas = ["kozelsk"]\ntargets = ["washington", "new-york"]\n'
    )
    result = roof("stability", str(path), "--draws", "10", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["strategic_threats"] + record["unreachable_at_case"] == 6  # 2 targets x 3 shapes
    assert record["verdict_by_party"] == {"russia": record["verdict"]}
