"""`roof fly` as a user runs it: a real subprocess, its stdout, stderr and exit code."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def roof(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "securityroof", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=full_env,
    )


def roof_in_process(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`roof` run in this process (typer's test runner), for the many cases that
    need no process of their own: the same stdout, stderr and exit code, without
    the second or more of starting Python and importing the stack. `COLUMNS` in
    `env` sets the consoles' width (they read it once, at import)."""
    from typer.testing import CliRunner

    from securityroof.cli import _app, app

    consoles = (_app.stdout, _app.stderr)
    columns = (env or {}).get("COLUMNS")
    try:
        for console in consoles:
            console.width = int(columns) if columns else 80  # a pipe's width
        result = CliRunner().invoke(app, list(args), env=env)
    finally:
        for console in consoles:
            console._width = None  # back to detecting it
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: let the test show it
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def assert_user_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit code 2, a short message naming the problem, no traceback, no stdout."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    for fragment in fragments:
        assert fragment in message, message


BURNOUT = [
    "fly",
    "--from",
    "35,50",
    "--azimuth",
    "45",
    "--burnout-speed",
    "4000",
    "--burnout-angle",
    "40",
]


def test_burnout_state_json_has_the_contract_fields():
    result = roof(*BURNOUT, "--json", "--earth", "sphere", "--no-rotation", "--no-j2", "--no-drag")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    for key in ("range_km", "flight_time_s", "apogee_km", "burnout", "impact"):
        assert key in record
    assert set(record["burnout"]) >= {"speed_m_s", "angle_deg", "altitude_km", "time_s"}
    assert set(record["impact"]) >= {"lat_deg", "lon_deg"}
    # Sphere, no rotation, no J2, no drag: the Kepler range for v = 4 km/s,
    # gamma = 40 deg from the surface (Bate, Mueller & White, ch. 6), to 10 m.
    mu, r = 3.986004418e14, 6.371e6
    v, gamma = 4000.0, math.radians(40.0)
    a = -mu / (2 * (v * v / 2 - mu / r))
    p = (r * v * math.cos(gamma)) ** 2 / mu
    e = math.sqrt(1 - p / a)
    range_km = r * (2 * math.pi - 2 * math.acos((p / r - 1) / e)) / 1e3
    assert record["range_km"] == pytest.approx(range_km, abs=0.01)
    assert record["burnout"]["speed_m_s"] == pytest.approx(4000.0)
    assert record["burnout"]["time_s"] == 0.0


def test_burnout_state_table_is_readable():
    result = roof(*BURNOUT)
    assert result.returncode == 0, result.stderr
    assert "range (km)" in result.stdout and "apogee (km)" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            [
                "fly",
                "--from",
                "95,50",
                "--azimuth",
                "45",
                "--burnout-speed",
                "4000",
                "--burnout-angle",
                "40",
            ],
            ["--from", "latitude 95.0"],
        ),
        (
            [
                "fly",
                "--from",
                "35;50",
                "--azimuth",
                "45",
                "--burnout-speed",
                "4000",
                "--burnout-angle",
                "40",
            ],
            ["--from", "not LAT,LON"],
        ),
        (
            [
                "fly",
                "--from",
                "35,50",
                "--azimuth",
                "45",
                "--burnout-speed",
                "-4000",
                "--burnout-angle",
                "40",
            ],
            ["--burnout-speed", "positive"],
        ),
        (
            [
                "fly",
                "--from",
                "35,50",
                "--azimuth",
                "45",
                "--burnout-speed",
                "nan",
                "--burnout-angle",
                "40",
            ],
            ["--burnout-speed", "finite"],
        ),
        (
            [
                "fly",
                "--from",
                "35,50",
                "--azimuth",
                "inf",
                "--burnout-speed",
                "4000",
                "--burnout-angle",
                "40",
            ],
            ["--azimuth", "finite"],
        ),
        (
            [
                "fly",
                "--from",
                "35,50",
                "--azimuth",
                "45",
                "--burnout-speed",
                "12000",
                "--burnout-angle",
                "40",
            ],
            ["escape"],
        ),
        (
            [
                "fly",
                "--from",
                "35,50",
                "--azimuth",
                "45",
                "--burnout-speed",
                "4000",
                "--burnout-angle",
                "95",
            ],
            ["--burnout-angle"],
        ),
        (
            ["fly", "--from", "35,50", "--burnout-speed", "4000", "--burnout-angle", "40"],
            ["--azimuth"],
        ),
        (
            [
                "fly",
                "--from",
                "35,50",
                "--azimuth",
                "45",
                "--burnout-speed",
                "4000",
                "--burnout-angle",
                "40",
                "--earth",
                "moon",
            ],
            ["--earth", "wgs84 or sphere"],
        ),
        (
            ["fly", "--azimuth", "45", "--burnout-speed", "4000", "--burnout-angle", "40"],
            ["--from"],
        ),
    ],
)
def test_bad_burnout_input_is_a_clear_error(args, fragments):
    assert_user_error(roof(*args), *fragments)


AIM = ["fly", "--missile", "shahab-3", "--from", "38.08,46.29", "--to", "39.93,32.86"]


def test_aim_json_hits_and_reports_the_miss():
    result = roof(*AIM, "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["miss_distance_m"] < 100.0
    assert record["impact"]["lat_deg"] == pytest.approx(39.93, abs=0.001)
    assert record["burnout"]["time_s"] > 0
    assert record["shape"] == "minimum-energy"


def test_max_range_json():
    result = roof(
        "fly",
        "--missile",
        "scud-b",
        "--from",
        "38.08,46.29",
        "--azimuth",
        "270",
        "--max-range",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert 250 < json.loads(result.stdout)["range_km"] < 350


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["fly", "--missile", "shahab", "--from", "38.08,46.29", "--to", "39.93,32.86"],
            ["unknown missile 'shahab'", "shahab-3"],
        ),
        (
            ["fly", "--missile", "scud-b", "--from", "38.08,46.29", "--to", "39.93,32.86"],
            ["maximum range of", "km"],
        ),
        (
            ["fly", "--missile", "shahab-3", "--from", "38.08,46.29", "--to", "39.93,400"],
            ["--to", "longitude 400"],
        ),
        (["fly", *AIM[1:], "--shape", "ballistic"], ["--shape", "minimum-energy"]),
        (["fly", *AIM[1:], "--apogee-km", "-5"], ["--apogee-km", "positive"]),
        (["fly", *AIM[1:], "--case", "worst"], ["--case"]),
        (["fly", "--from", "38.08,46.29", "--to", "39.93,32.86"], ["--missile"]),
        (["fly", "--missile", "shahab-3", "--from", "38.08,46.29", "--max-range"], ["--azimuth"]),
        (
            ["fly", "--missile", "shahab-3", "--from", "38.08,46.29", "--to", "38.0801,46.2901"],
            ["within 1 km"],
        ),
    ],
)
def test_bad_missile_input_is_a_clear_error(args, fragments):
    assert_user_error(roof(*args), *fragments)


def test_a_malformed_catalog_file_is_named_with_its_line(tmp_path):
    source = (ROOT / "src/securityroof/catalog/missiles.toml").read_text()
    (tmp_path / "missiles.toml").write_text(
        source.replace("[missiles.scud-b]", "[missiles.scud-b", 1)
    )
    result = roof(*AIM, env={"SECURITYROOF_CATALOG": str(tmp_path)})
    assert_user_error(result, "missiles.toml", "malformed TOML", "line")


def test_a_catalog_value_that_breaks_the_schema_is_named_by_key(tmp_path):
    source = (ROOT / "src/securityroof/catalog/missiles.toml").read_text()
    broken = source.replace("payload_mass_kg = {", "payload_mass_kg = { bogus = 1, ", 1)
    (tmp_path / "missiles.toml").write_text(broken)
    result = roof(*AIM, env={"SECURITYROOF_CATALOG": str(tmp_path)})
    assert_user_error(result, "missiles.toml", "payload_mass_kg.bogus")


AIMED = ["fly", "--missile", "shahab-3", "--from", "38.08,46.29", "--to", "39.93,32.86"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_samples_writes_the_time_series(tmp_path: Path, suffix: str) -> None:
    import pandas

    target = tmp_path / f"flight{suffix}"
    result = roof(*AIMED, "--samples", str(target), "--sample-interval-s", "20", "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    table = pandas.read_csv(target) if suffix == ".csv" else pandas.read_parquet(target)
    assert list(table.columns[:5]) == ["time_s", "lat_deg", "lon_deg", "altitude_km", "speed_m_s"]
    assert table["time_s"].iloc[1] == pytest.approx(20.0)
    assert table["time_s"].iloc[-1] == pytest.approx(record["flight_time_s"], abs=1e-6)
    assert table["altitude_km"].max() == pytest.approx(record["apogee_km"], abs=1.0)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left


def test_samples_refuses_a_file_of_unknown_format_before_flying(tmp_path: Path) -> None:
    result = roof(*AIMED, "--samples", str(tmp_path / "flight.txt"))
    assert_user_error(result, "flight.txt", "suffix", ".csv or .parquet")
    assert list(tmp_path.iterdir()) == []
