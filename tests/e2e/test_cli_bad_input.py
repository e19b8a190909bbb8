"""Mistakes in the new scenario inputs: one line, exit code 2, nothing written."""

from __future__ import annotations

import pytest

from tests.e2e.test_cli_fly import assert_user_error, roof

BASE = """
[scenario]
name = "bad input"
architecture = "epaa-phase-1"

[[threats]]
missile = "shahab-3"
from = "tabriz"
to = ["ankara"]
"""

NO_BATTERY = """
[scenario]
name = "sensors only"

[[sites]]
id = "kurecik"

[[threats]]
missile = "shahab-3"
from = "tabriz"
to = ["ankara"]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A band a radar does not have.
        (BASE + '\n[overrides.sensor_types.spy-1]\nband = "L"\n', "band"),
        # A cross section of zero.
        (BASE.replace('to = ["ankara"]', 'to = ["ankara"]\nrcs_m2 = 0.0'), "rcs_m2"),
        # A case that does not exist, for one side or both.
        (
            BASE.replace(
                'architecture = "epaa-phase-1"', 'architecture = "epaa-phase-1"\ncase = "extreme"'
            ),
            "case",
        ),
        (
            BASE.replace(
                'architecture = "epaa-phase-1"',
                'architecture = "epaa-phase-1"\ncase = { threats = "low", defence = "best" }',
            ),
            "case",
        ),
        # A kill-vehicle angle outside (0, 180] degrees.
        (
            BASE + "\n[overrides.interceptors.sm-3-block-ia]\nmax_engagement_angle_deg = 270.0\n",
            "max_engagement_angle_deg",
        ),
        # A cued gain below one.
        (BASE + "\n[overrides.sensor_types.spy-1]\ncued_range_gain = 0.5\n", "cued_range_gain"),
        # A track rule naming an unknown quality.
        (
            BASE + '\n[overrides.interceptors.sm-3-block-ia]\nlaunch_on = ["telepathy"]\n',
            "launch_on",
        ),
    ],
)
@pytest.mark.parametrize("command", ["engage", "stability"])
def test_bad_scenario_values_are_one_line_errors(tmp_path, text, expected, command) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert_user_error(roof(command, str(path)), expected)
    assert [p.name for p in tmp_path.iterdir()] == ["bad.toml"]


@pytest.mark.parametrize(
    "args",
    [
        ["engage"],
        ["footprint", "--resolution-deg", "5"],
        ["share"],
        ["raid", "--size", "1"],
        ["stability"],
        ["assess", "--out", "REPORT"],
    ],
)
def test_a_scenario_with_no_interceptor_battery_is_refused(tmp_path, args) -> None:
    path = tmp_path / "nobattery.toml"
    path.write_text(NO_BATTERY)
    out = tmp_path / "report"
    command = [a if a != "REPORT" else str(out) for a in args]
    assert_user_error(roof(command[0], str(path), *command[1:]), "no interceptor battery")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["nobattery.toml"]


def test_roof_validate_refuses_an_unknown_finding() -> None:
    assert_user_error(roof("validate", "--finding", "moon-landing"), "gmd-polar")
