"""`roof stability` as a user runs it."""

from __future__ import annotations

import json

from tests.e2e.test_cli_fly import assert_user_error, roof

SCENARIO = """
[scenario]
name = "phase 1 vs one ICBM"
architecture = "epaa-phase-1"

[[threats]]
missile = "generic-icbm"
from = "kozelsk"
to = ["washington"]
"""


def test_stability_json_has_the_contract_fields(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO)
    result = roof("stability", str(path), "--json")
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
    assert record["new_start"]["deployed_warhead_limit"] == 1550
    assert record["new_start"]["warheads_engageable_upper_bound"] == 0
    (sensitivity,) = record["sensitivity"]
    # The Block IA is too slow even with a track at launch; only a faster
    # interceptor would reach it.
    assert not sensitivity["engageable_with_tracks_at_launch"]
    speed = sensitivity["min_burnout_speed_tracks_at_launch_m_s"]
    assert speed is None or speed > 3_000.0


def test_a_scenario_without_strategic_threats_is_refused(tmp_path):
    path = tmp_path / "regional.toml"
    path.write_text(
        SCENARIO.replace('missile = "generic-icbm"', 'missile = "shahab-3"')
        .replace('"kozelsk"', '"tabriz"')
        .replace('["washington"]', '["ankara"]')
    )
    assert_user_error(roof("stability", str(path)), "no strategic threats")
