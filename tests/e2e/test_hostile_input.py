"""Careless or hostile scenario files and arguments: always a one-line error
(exit 2) or a correct run, never a traceback, a hang or a wrong value accepted
without a word; Ctrl-C and a missing home folder handled as well.

Most cases run the command in this process (`roof_in_process`): starting a
Python per case cost more than a minute of the suite. A few run as real
subprocesses, to check the exit codes and streams end to end, and so do the
cases about the process itself (Ctrl-C, no home folder, a FIFO that could
block)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from securityroof.cli._app import use_temp_caches_without_home, visible
from securityroof.errors import RoofError
from securityroof.model.catalog import load_catalog
from securityroof.model.scenario import (
    MAX_COUNT,
    check_memory,
    load_scenario,
    memory_budget_bytes,
    sample_memory_bytes,
)
from tests.e2e.test_cli_fly import ROOT, assert_user_error, roof, roof_in_process

BASE = """\
[scenario]
name = "hostile"
architecture = "epaa-phase-1"

[[threats]]
missile = "shahab-3"
from = "tabriz"
to = ["ankara"]
"""

SITE = """
[[sites]]
id = "my-ship"
party = "usa"
lat_deg = 35.0
lon_deg = 25.0
"""


def _with(text: str) -> bytes:
    return (BASE + text).encode()


def _site(extra: str) -> bytes:
    return _with(SITE + extra)


def _renamed(name: str) -> bytes:
    return BASE.replace('name = "hostile"', f"name = {json.dumps(name)}").encode()


# (id, file bytes, fragments the one-line error must name)
CORPUS: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("utf16-with-bom", BASE.encode("utf-16"), ("UTF-16", "UTF-8")),
    ("utf16-without-bom", BASE.encode("utf-16-le"), ("UTF-8",)),
    ("latin1", BASE.replace("hostile", "hostilé").encode("latin-1"), ("not UTF-8", "line 2")),
    ("nested-arrays", b"a = " + b"[" * 3000 + b"]" * 3000 + b"\n", ("nested too deeply",)),
    ("nested-tables", b"a = " + b"{b = " * 200 + b"1" + b"}" * 200 + b"\n", ("nested",)),
    ("5000-digit-integer", b"n = " + b"9" * 5000 + b"\n", ("number is far too long",)),
    (
        "4000-digit-count",
        _site('interceptors = [{ type = "sm-3-block-ia", count = ' + "9" * 4000 + " }]\n"),
        ("interceptors[0].count", "4000 digits"),
    ),
    (
        "count-beyond-bound",
        _site('interceptors = [{ type = "sm-3-block-ia", count = 20000 }]\n'),
        ("count", f"0 to {MAX_COUNT}"),
    ),
    (
        "boresight-nan",
        _site('sensors = [{ type = "spy-1", boresight_deg = nan }]\n'),
        ("boresight_deg", "not a finite number"),
    ),
    (
        "boresight-inf",
        _site('sensors = [{ type = "spy-1", boresight_deg = -inf }]\n'),
        ("boresight_deg", "not a finite number"),
    ),
    (
        "boresight-1e308",
        _site('sensors = [{ type = "spy-1", boresight_deg = 1e308 }]\n'),
        ("boresight_deg", "0 to 360 deg"),
    ),
    (
        "altitude-1e12",
        _site('altitude_m = 1e12\nsensors = [{ type = "spy-1" }]\n'),
        ("altitude_m", "-500 to 10000 m"),
    ),
    (
        "altitude-minus-1e7",
        _site('altitude_m = -1e7\nsensors = [{ type = "spy-1" }]\n'),
        ("altitude_m", "-500 to 10000 m"),
    ),
    (
        "altitude-range-high-end",
        _site(
            'altitude_m = { nominal = 10.0, high = 1e9, source = "s" }\n'
            'sensors = [{ type = "spy-1" }]\n'
        ),
        ("altitude_m", "1e+09"),
    ),
    ("empty-site", _site(""), ("sites[0]", "neither sensors nor interceptors")),
    ("threat-shapes-empty", _with("shapes = []\n"), ("threats[0].shapes",)),
    ("strategic-parties-empty", _with("[strategic]\nparties = []\n"), ("strategic.parties",)),
    ("strategic-targets-empty", _with("[strategic]\ntargets = []\n"), ("strategic.targets",)),
    (
        "launch-time-1e308",
        _with("launch_time_s = 1e308\n"),
        ("threats[0].launch_time_s", "the range is 0 to 86400"),
    ),
    ("launch-time-nan", _with("launch_time_s = nan\n"), ("launch_time_s", "not a finite")),
    ("rcs-tiny", _with("rcs_m2 = 1e-300\n"), ("rcs_m2", "1e-06 to 10000")),
    (
        "sample-interval-1e-9",
        _with("[assumptions]\nsample_interval_s = 1e-9\n"),
        ("sample_interval_s", "the range is 0.1 to 30"),
    ),
    (
        "decision-delay-huge",
        _with("[assumptions]\ndecision_delay_s = 1e300\n"),
        ("decision_delay_s", "0 to 3600"),
    ),
    (
        "max-flight-time-1e9",
        _with("[overrides.interceptors.sm-3-block-ia]\nmax_flight_time_s = 1e9\n"),
        ("max_flight_time_s", "0 to 10000 s"),
    ),
    (
        "override-bool-for-number",
        _with("[overrides.interceptors.sm-3-block-ia]\nburnout_speed_m_s = true\n"),
        ("burnout_speed_m_s",),
    ),
    (
        "override-range-end",
        _with(
            "[overrides.sensor_types.spy-1]\n"
            'detection_range_km = { nominal = 300.0, high = 1e7, source = "s" }\n'
        ),
        ("detection_range_km", "0 to 50000 km"),
    ),
    ("escape-code-in-name", _renamed("\x1b[31mred\x1b[0m"), ("scenario.name", "\\x1b")),
    ("nul-in-name", _renamed("a\x00b"), ("scenario.name", "\\x00")),
    ("nul-byte-in-file", BASE.replace("hostile", "host\x00ile").encode(), ("NUL bytes",)),
    ("carriage-return-in-name", _renamed("ok\rEVIL"), ("scenario.name", "\\r")),
    ("bidi-override-in-name", _renamed("abc\u202edcba"), ("scenario.name", "\\u202e")),
    (
        "escape-code-in-key",
        _with('[overrides.interceptors."\\u001b[2J"]\nburn_time_s = 1.0\n'),
        ("overrides.interceptors", "\\x1b"),
    ),
    (
        "escape-code-in-threat-name",
        _with('name = "\\u001b]0;title\\u0007"\n'),
        ("threats[0].name", "\\x1b"),
    ),
    ("not-toml-at-all", b"\x89PNG\r\n\x1a\n", ("not UTF-8",)),
    ("empty-file", b"", ("scenario",)),
]


def _assert_refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A user error on one line (the message may wrap in a narrow terminal)."""
    assert_user_error(result, *fragments)
    assert result.stderr.startswith("error: ")
    assert "\x1b" not in result.stderr and "\r" not in result.stderr


@pytest.mark.parametrize(("text", "fragments"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_a_hostile_scenario_file_is_a_one_line_error(tmp_path, text, fragments) -> None:
    path = tmp_path / "hostile.toml"
    path.write_bytes(text)
    _assert_refused(roof_in_process("check", str(path)), *fragments)
    assert [p.name for p in tmp_path.iterdir()] == ["hostile.toml"]


# End to end in a real process: the exit code and streams a shell sees.
@pytest.mark.parametrize("case", ["escape-code-in-name", "nested-arrays", "not-toml-at-all"])
def test_a_hostile_scenario_file_exits_2_from_a_real_process(tmp_path, case) -> None:
    text, fragments = next(c[1:] for c in CORPUS if c[0] == case)
    path = tmp_path / "hostile.toml"
    path.write_bytes(text)
    _assert_refused(roof("check", str(path)), *fragments)


@pytest.mark.parametrize("case", ["escape-code-in-name", "boresight-nan", "sample-interval-1e-9"])
def test_assess_writes_nothing_for_a_hostile_scenario(tmp_path, case) -> None:
    text, fragments = next(c[1:] for c in CORPUS if c[0] == case)
    path = tmp_path / "hostile.toml"
    path.write_bytes(text)
    out = tmp_path / "report"
    _assert_refused(roof_in_process("assess", str(path), "--out", str(out)), *fragments)
    assert not out.exists()


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path) -> None:
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    started = time.monotonic()
    _assert_refused(roof("check", str(fifo)), "not a regular file")
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused_without_reading_it(device) -> None:
    _assert_refused(roof_in_process("check", device), device, "not a regular file")


def test_a_link_to_a_device_is_refused(tmp_path) -> None:
    link = tmp_path / "scenario.toml"
    link.symlink_to("/dev/zero")
    _assert_refused(roof_in_process("check", str(link)), "not a regular file")


def test_a_folder_and_a_huge_file_are_refused(tmp_path) -> None:
    _assert_refused(roof_in_process("check", str(tmp_path)), "folder")
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:  # sparse: 3 GB on paper, nothing on disk
        handle.truncate(3 * 10**9)
    _assert_refused(roof_in_process("check", str(huge)), "too large", "1,000,000")


def test_an_engage_run_stops_at_the_bound_before_any_work(tmp_path) -> None:
    path = tmp_path / "fine.toml"
    path.write_bytes(_with("[assumptions]\nsample_interval_s = 1e-9\n"))
    started = time.monotonic()
    _assert_refused(roof_in_process("engage", str(path)), "sample_interval_s")
    assert time.monotonic() - started < 60


@pytest.mark.parametrize(
    "args",
    [
        ["footprint", "EXAMPLE", "--resolution-deg", "1e-9"],
        ["raid", "EXAMPLE", "--size", "1000000000000"],
        ["raid", "EXAMPLE", "--size", "9" * 5000],
    ],
)
def test_an_argument_asking_for_too_much_is_a_one_line_error(tmp_path, args) -> None:
    example = str(ROOT / "examples" / "epaa-phase-1.toml")
    result = roof_in_process(*[example if a == "EXAMPLE" else a for a in args])
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_an_escape_code_in_a_path_is_shown_not_sent(tmp_path) -> None:
    _assert_refused(roof_in_process("check", str(tmp_path / "a\x1b[2Jb.toml")), "a\\x1b[2Jb.toml")


@pytest.mark.parametrize(
    "name",
    ["[/draft]", "[blink]x[/blink] [link=file:///etc]y[/link]", "a [b] c \\[d]", ":smile:"],
)
def test_rich_markup_in_names_is_printed_as_written(tmp_path, name) -> None:
    path = tmp_path / "markup.toml"
    text = BASE.replace('name = "hostile"', f"name = {json.dumps(name)}")
    text = text.replace('to = ["ankara"]', f'to = ["ankara"]\nname = {json.dumps(name)}')
    path.write_text(text, encoding="utf-8")
    result = roof_in_process("check", str(path), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    header, *rest = result.stdout.splitlines()
    assert header.startswith(name)
    assert any(name in line for line in rest)  # the threat table's cell


def test_visible_shows_control_characters_and_keeps_text() -> None:
    assert visible("plain [/] text, ünïcode") == "plain [/] text, ünïcode"
    assert visible("a\x1b[2Jb\x07\r\u202e") == "a\\x1b[2Jb\\x07\\r\\u202e"
    assert visible("two\nlines\tand tab") == "two\nlines\tand tab"


def test_kml_holds_names_xml_cannot(tmp_path) -> None:
    from securityroof.analysis.engagement import run_engagements
    from securityroof.report.kml import kml_text

    result = run_engagements(load_scenario(ROOT / "examples" / "epaa-phase-1.toml"))
    named = replace(
        result,
        scenario=replace(result.scenario, name="roof \x1b[31m & <b>\x00"),
        threats=[replace(t, name=f"{t.name} \x0c\ufffe") for t in result.threats],
    )
    root = ET.fromstring(kml_text(named))
    names = [e.text for e in root.iter("{http://www.opengis.net/kml/2.2}name")]
    assert "roof \\x1b[31m & <b>\\x00" in names
    assert f"{result.threats[0].name} \\x0c\\ufffe" in names


# --- a valid scenario, mutated --------------------------------------------------

VALID: dict[str, Any] = {
    "scenario": {"name": "mutated", "architecture": "epaa-phase-1", "case": "nominal"},
    "assumptions": {"cueing": "within-party", "decision_delay_s": 0.0, "sample_interval_s": 2.0},
    "sites": [
        {
            "id": "my-ship",
            "party": "usa",
            "lat_deg": 35.0,
            "lon_deg": 25.0,
            "altitude_m": 10.0,
            "sensors": [{"type": "spy-1", "boresight_deg": 90.0}],
            "interceptors": [{"type": "sm-3-block-ia", "count": 24}],
        }
    ],
    "overrides": {
        "interceptors": {
            "sm-3-block-ia": {"burnout_speed_m_s": 3500.0, "max_flight_time_s": 900.0}
        },
        "sensor_types": {"spy-1": {"detection_range_km": 310.0}},
    },
    "threats": [
        {
            "name": "a threat",
            "missile": "shahab-3",
            "from_latlon": [38.0, 46.3],
            "to_latlon": [[39.9, 32.9]],
            "shapes": ["minimum-energy", "lofted"],
            "launch_time_s": 10.0,
            "rcs_m2": 0.1,
        }
    ],
    "strategic": {"parties": ["russia"], "shapes": ["minimum-energy"]},
    "patrol_areas": [
        {"name": "east-med", "vertices": [[34.0, 24.0], [36.0, 24.0], [36.0, 30.0], [34.0, 30.0]]}
    ],
}


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return (
        '"'
        + "".join(
            f"\\u{ord(c):04x}" if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F else c for c in text
        )
        + '"'
    )


def _toml(value: Any) -> str:
    """A value in TOML (inline tables; hostile strings escaped as JSON does)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else "inf" if value == math.inf else repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml_string(str(k))} = {_toml(v)}" for k, v in value.items()) + "}"


def _document(data: dict[str, Any]) -> str:
    return "".join(f"{_toml_string(key)} = {_toml(value)}\n" for key, value in data.items())


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


PATHS = _paths(VALID)
LEAF_PATHS = [p for p in PATHS if not isinstance(_at(VALID, p), dict | list)]
TABLE_PATHS = [p for p in PATHS if isinstance(_at(VALID, p), dict | list)]
# Mostly single values (a wrong number in the right place), sometimes a table or list.
MUTATED_PATH = st.one_of(*[st.sampled_from(LEAF_PATHS)] * 4, st.sampled_from(TABLE_PATHS))
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, -1.0, 1e-300, 1e308, -1e308, 1e9, 361.0, -501.0, 0.05]),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**16, -(10**16), 10**400, 2**63, 10_001]),
)
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
    st.sampled_from(["", "[/draft]", "\x1b[31m", "a\u202eb", "x\r\ny", "sm-3-block-ia", "usa"]),
)
LEAVES = st.one_of(NUMBERS, TEXT, st.booleans())
DELETE = object()  # TOML has no null: the mutation leaves the key out
VALUES = st.one_of(
    LEAVES,
    st.just(DELETE),
    st.just([]),
    st.just({}),
    st.lists(LEAVES, max_size=3),
    st.dictionaries(TEXT, LEAVES, max_size=2),
)


def _like(original: Any) -> st.SearchStrategy[Any]:
    """Mostly a value of the original's kind (a wrong number, odd text), else anything."""
    if isinstance(original, int | float) and not isinstance(original, bool):
        return st.one_of(NUMBERS, NUMBERS, NUMBERS, VALUES)
    if isinstance(original, str):
        return st.one_of(TEXT, TEXT, VALUES)
    return VALUES


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.data())
def test_a_mutated_scenario_loads_or_is_a_roof_error(tmp_path, drawn) -> None:
    mutations = drawn.draw(st.lists(MUTATED_PATH, min_size=1, max_size=2))
    data = json.loads(json.dumps(VALID))
    for path in mutations:
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            value = drawn.draw(_like(parent[path[-1]]))
            if value is DELETE and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif value is not DELETE:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the place
    file = tmp_path / "mutated.toml"
    file.write_text(_document(data), encoding="utf-8", errors="surrogatepass")
    try:
        scenario = load_scenario(file, load_catalog())
    except RoofError as exc:
        assert exc.what and "\n" not in exc.what
        return
    # It loaded: then every number it will use is finite and in its range.
    assert 0.1 <= scenario.assumptions.sample_interval_s <= 30.0
    for site_id in [s["id"] for s in data.get("sites", []) if isinstance(s, dict)]:
        site = scenario.sites[site_id]
        assert all(0.0 <= m.boresight_deg <= 360.0 for m in site.sensors)
        assert all(0 <= b.count <= MAX_COUNT for b in site.interceptors)
        assert site.altitude_m is None or -500.0 <= site.altitude_m.nominal <= 10_000.0
    for threat in scenario.threats:
        assert 0.0 <= threat.launch_time_s <= 86_400.0
        assert threat.rcs_m2 is None or math.isfinite(threat.rcs_m2)
        assert math.isfinite(threat.target_lat_deg) and math.isfinite(threat.target_lon_deg)
    texts = [scenario.name, *(t.name for t in scenario.threats), *scenario.sites]
    # Printable, but for the joiners (Cf) some scripts need in names.
    assert all(c.isprintable() or unicodedata.category(c) == "Cf" for t in texts for c in t)
    radar = scenario.sensor_types["spy-1"].detection_range_km
    assert radar is not None and 0.0 < radar.nominal <= 50_000.0
    assert sample_memory_bytes(scenario) <= memory_budget_bytes()


def test_the_memory_estimate_refuses_before_any_work(monkeypatch) -> None:
    scenario = load_scenario(ROOT / "examples" / "epaa-phase-1.toml")
    need = sample_memory_bytes(scenario)
    assert need > 0
    check_memory(scenario)
    monkeypatch.setattr("securityroof.model.scenario.memory_budget_bytes", lambda: need - 1)
    with pytest.raises(RoofError, match="GiB of memory"):
        check_memory(scenario)


# --- Ctrl-C ---------------------------------------------------------------------


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "securityroof", "footprint"]
    args = [str(ROOT / "examples" / "epaa-phase-1.toml"), "--resolution-deg", "0.25"]
    process = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    time.sleep(5.0)  # past start-up (about a second), well inside the run
    assert process.poll() is None, "the command ended before the interrupt"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr == "interrupted\n"
    assert list(tmp_path.iterdir()) == []


# --- no writable home -----------------------------------------------------------


@pytest.mark.parametrize("home", [None, "/dev/null", "/nonexistent/home"])
def test_commands_run_without_a_writable_home(tmp_path, home) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    env["PYTHONPATH"] = str(ROOT / "src")
    env.pop("MPLCONFIGDIR", None)
    if home is not None:
        env["HOME"] = home
    for args in (["--version"], ["check", str(ROOT / "examples" / "epaa-phase-1.toml")]):
        result = subprocess.run(
            [sys.executable, "-m", "securityroof", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""


def test_caches_move_to_a_private_temp_folder_without_a_home(tmp_path) -> None:
    unwritable = tmp_path / "file-not-folder"
    unwritable.write_text("")
    environ = {"HOME": str(unwritable)}
    use_temp_caches_without_home(environ, unwritable / "package")
    for key in ("NUMBA_CACHE_DIR", "MPLCONFIGDIR"):
        folder = Path(environ[key]).parent
        assert folder.is_dir() and not folder.stat().st_mode & 0o022
    # A writable home, or the user's own choices, are left alone.
    (tmp_path / "home").mkdir()
    fine = {"HOME": str(tmp_path / "home")}
    use_temp_caches_without_home(fine, unwritable / "package")
    assert fine == {"HOME": str(tmp_path / "home")}
    chosen = {"NUMBA_CACHE_DIR": "/x", "MPLCONFIGDIR": "/y"}
    use_temp_caches_without_home(chosen, unwritable / "package")
    assert chosen == {"NUMBA_CACHE_DIR": "/x", "MPLCONFIGDIR": "/y"}
