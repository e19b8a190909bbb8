"""`roof raid` as a user runs it: reproducible with its seed, bad input refused."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli_fly import ROOT, assert_user_error, roof

PHASE_1 = str(ROOT / "examples/epaa-phase-1.toml")


def test_raid_json_is_reproducible_from_its_seed():
    args = ("raid", PHASE_1, "--size", "4", "--trials", "3000", "--seed", "11", "--json")
    first = roof(*args)
    assert first.returncode == 0, first.stderr
    record = json.loads(first.stdout)
    assert record["seed"] == 11 and record["trials"] == 3000
    assert 0.0 <= record["expected_leakers"] <= 4.0
    low, high = record["expected_leakers_ci95"]
    assert low <= record["expected_leakers"] <= high
    p_low, p_high = record["p_no_leaker_ci95"]
    assert 0.0 <= p_low <= record["p_no_leaker"] <= p_high <= 1.0
    (battery,) = record["interceptors_used"]
    assert 0.0 <= battery["mean"] <= battery["inventory"]
    again = json.loads(roof(*args).stdout)
    assert again == record


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--size", "0"], ["--size", "at least one"]),
        (["--size", "50"], ["--size", "bigger than", "--saturate"]),
        (["--size", "2", "--doctrine", "fire-at-will"], ["--doctrine", "shoot-look-shoot"]),
        (["--size", "2", "--trials", "0"], ["--trials"]),
        (["--size", "20000", "--saturate"], ["--size", "10000"]),
        (["--size", "2", "--trials", "1e12"], ["--trials"]),
        (["--size", "2", "--trials", "100000000"], ["--trials", "10000000"]),
    ],
)
def test_bad_raid_input_is_a_clear_error(args, fragments):
    assert_user_error(roof("raid", PHASE_1, *args), *fragments)


def test_saturation_is_allowed_when_asked_for():
    result = roof("raid", PHASE_1, "--size", "50", "--saturate", "--trials", "500", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["expected_leakers"] >= 50 - 8  # only 8 interceptors
