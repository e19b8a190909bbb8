"""The library's front door (`securityroof.api`), in process: what a notebook calls."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

import securityroof as roof
from securityroof import api
from securityroof.cli._app import option_of
from securityroof.records.assessment import manifest_record

ROOT = Path(__file__).resolve().parents[2]
TABRIZ = (38.08, 46.29)
ANKARA = (39.93, 32.86)

# One threat, one battery: a Shahab-3 from Tabriz at Ankara, an Aegis ship
# in the Black Sea off Samsun with its own radar.
ONE_THREAT = textwrap.dedent(
    """
    [scenario]
    name = "one threat, one <b>battery</b>"

    [[sites]]
    id = "ship"
    party = "usa"
    lat_deg = 42.0
    lon_deg = 36.0
    sensors = [{ type = "spy-1", boresight_deg = 120.0 }]
    interceptors = [{ type = "sm-3-block-ia", count = 24 }]

    [[threats]]
    missile = "shahab-3"
    from = "tabriz"
    to = ["ankara"]
    """
)

OWN_MISSILE = textwrap.dedent(
    """
    [missiles.notional-mrbm]
    name = "Notional MRBM"
    class = "MRBM"
    propellant = "liquid"
    published_range_km = 1300.0
    payload_mass_kg = 700.0
    ballistic_coefficient_kg_m2 = 4500.0
    vertical_rise_s = 5.0
    signature_like = "shahab-3"

    [[missiles.notional-mrbm.stages]]
    propellant_mass_kg = 12900.0
    dry_mass_kg = 2100.0
    burn_time_s = 110.0
    isp_vacuum_s = 250.0
    isp_sea_level_s = 226.0
    diameter_m = 1.32
    """
)


@pytest.fixture(scope="module")
def scenario() -> roof.Scenario:
    return roof.Scenario.from_toml(ONE_THREAT)


def test_import_loads_no_heavy_module_and_offers_the_api_lazily() -> None:
    code = (
        "import sys, securityroof; securityroof.__version__; "
        "print(sorted(m for m in ('numba', 'scipy', 'pandas', 'xarray') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
    assert set(api.__all__) <= set(dir(roof))
    assert roof.fly is api.fly
    with pytest.raises(AttributeError):
        roof.no_such_function  # noqa: B018


def test_fly_gives_summary_and_time_series_in_degrees_km_and_seconds() -> None:
    flight = roof.fly("shahab-3", from_deg=TABRIZ, to_deg=ANKARA, sample_interval_s=10.0)
    # Aimed to within 1 m, so the range is the WGS84 geodesic distance (Karney's
    # algorithm, geographiclib) to within a few metres.
    distance_km = Geodesic.WGS84.Inverse(*TABRIZ, *ANKARA)["s12"] / 1e3
    assert flight.range_km == pytest.approx(distance_km, abs=0.01)
    table = flight.to_pandas()
    assert list(table.columns) == [
        "time_s",
        "lat_deg",
        "lon_deg",
        "altitude_km",
        "speed_m_s",
        "x_m",
        "y_m",
        "z_m",
    ]
    steps = np.diff(table["time_s"].to_numpy())
    assert np.allclose(steps[:-1], 10.0) and 0 < steps[-1] <= 10.0
    first, last = table.iloc[0], table.iloc[-1]
    assert (first["lat_deg"], first["lon_deg"]) == pytest.approx(TABRIZ, abs=1e-9)
    assert (last["lat_deg"], last["lon_deg"]) == pytest.approx(ANKARA, abs=1e-4)  # ~10 m
    assert last["time_s"] == pytest.approx(flight.flight_time_s, abs=1e-6)
    assert last["altitude_km"] == pytest.approx(0.0, abs=1e-3)
    # Near apogee the climb rate is ~0: within 10 s the altitude drops < g t^2 / 2 = 0.5 km.
    assert table["altitude_km"].max() == pytest.approx(flight.apogee_km, abs=0.5)
    # The speed at burnout matches the summary's to the sampling: < 10 s x 60 m/s^2.
    assert table["speed_m_s"].max() == pytest.approx(flight.burnout_speed_m_s, rel=0.2)
    dataset = flight.to_xarray()
    assert dataset.sizes == {"time": len(table)}
    assert dataset["altitude_km"].attrs["units"] == "km"
    assert dataset["time"].attrs["units"] == "s"
    assert "range (km)" in flight._repr_html_()


def test_unsampled_flight_has_no_table_and_says_which_parameter_gives_one() -> None:
    flight = roof.fly("shahab-3", from_deg=TABRIZ, azimuth_deg=280.0)
    assert flight.result.samples is None
    with pytest.raises(roof.RoofError) as caught:
        flight.to_pandas()
    assert caught.value.parameter == "sample_interval_s"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"from_deg": (95.0, 46.0), "to_deg": ANKARA}, "from_deg"),
        ({"from_deg": TABRIZ, "to_deg": (40.0,)}, "to_deg"),
        ({"from_deg": TABRIZ, "to_deg": ANKARA, "sample_interval_s": 0.0}, "sample_interval_s"),
        ({"from_deg": TABRIZ, "to_deg": ANKARA, "case": "typical"}, "case"),
        ({"from_deg": TABRIZ, "to_deg": (10.0, 10.0)}, "to_deg"),
    ],
)
def test_fly_errors_name_the_python_parameter_never_a_flag(
    kwargs: dict[str, object], parameter: str
) -> None:
    with pytest.raises(roof.RoofError) as caught:
        roof.fly("shahab-3", **kwargs)  # type: ignore[arg-type]
    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(f"{parameter}: ")
    assert "--" not in str(caught.value)


def test_the_cli_names_its_options_for_the_same_errors() -> None:
    error = roof.RoofError("bad grid.", parameter="resolution_deg")
    assert error.message(option_of) == "--resolution-deg: bad grid."
    assert str(error) == "resolution_deg: bad grid."
    raid = roof.RoofError(
        "too big.", parameter="size", fix="Set {saturate}.", fix_parameters=("saturate",)
    )
    assert raid.message(option_of) == "--size: too big. Set --saturate."
    assert option_of("to_deg") == "--to"


def test_scenario_from_toml_engages_and_tabulates(scenario: roof.Scenario) -> None:
    assert scenario.path.name == "<string>"
    result = roof.engagements(scenario)
    table = result.to_pandas()
    assert len(table) == 1  # one threat x one battery
    assert table.loc[0, "site"] == "ship" and table.loc[0, "interceptor"] == "sm-3-block-ia"
    assert {"engageable", "first_intercept_s", "intercept_altitude_min_km", "reason"} <= set(
        table.columns
    )
    assert bool(table.loc[0, "engageable"]) and result.records[0]["engageable"]
    html = result._repr_html_()
    assert "<b>battery</b>" not in html and "&lt;b&gt;battery&lt;/b&gt;" in html


def test_footprint_as_a_grid_dataset(scenario: roof.Scenario) -> None:
    found = roof.footprint(scenario, resolution_deg=4.0, region_deg=(34.0, 42.0, 26.0, 46.0))
    grid = found.to_xarray()
    assert dict(grid.sizes) == {"config": 1, "lat_deg": 2, "lon_deg": 5}
    assert grid["lat_deg"].attrs["units"] == "deg"
    assert grid["config"].values.tolist() == ["tabriz, shahab-3, minimum-energy"]
    assert int(grid["defended_everywhere"].sum()) == found.record["cells_defended"]
    with pytest.raises(roof.RoofError) as caught:
        roof.footprint(scenario, resolution_deg=-1.0)
    assert caught.value.parameter == "resolution_deg"
    assert "--" not in str(caught.value)


def test_scenario_errors_say_where_in_the_text() -> None:
    with pytest.raises(roof.RoofError, match=r"^<string>: threats\[0\]\.missile: unknown missile"):
        roof.Scenario.from_toml(ONE_THREAT.replace('"shahab-3"', '"shahab-9"'))
    with pytest.raises(roof.RoofError, match=r"^<string>: malformed TOML"):
        roof.Scenario.from_toml("[scenario\n")
    with pytest.raises(roof.RoofError, match="not plain data"):
        roof.Scenario.from_dict({"scenario": {"name": object()}})


def test_load_scenario_takes_a_str_path_and_a_mapping_gives_the_same_scenario(
    tmp_path: Path,
) -> None:
    path = tmp_path / "one.toml"
    path.write_text(ONE_THREAT)
    from_file = roof.load_scenario(str(path))
    assert from_file.name == "one threat, one <b>battery</b>"
    import tomllib

    mapping = tomllib.loads(ONE_THREAT)
    from_dict = roof.Scenario.from_dict(mapping)
    assert from_dict.threats == from_file.threats
    assert roof.Scenario.from_dict(mapping).digest == from_dict.digest


def test_missile_override_changes_the_flight_the_hash_and_the_manifest() -> None:
    plain = roof.Scenario.from_toml(ONE_THREAT)
    heavier = roof.Scenario.from_toml(
        ONE_THREAT + "\n[overrides.missiles.shahab-3]\npayload_mass_kg = 1000.0\n"
    )
    assert heavier.digest != plain.digest
    assert heavier.missile_changes == {"shahab-3": "override"}
    payload = heavier.catalog.missiles.missile("shahab-3").payload_mass_kg
    assert payload.nominal == 1000.0
    assert plain.catalog.missiles.missile("shahab-3").payload_mass_kg.nominal == 700.0
    # 300 kg more on a single stage: a shorter maximum range.
    reach = [
        roof.fly("shahab-3", from_deg=TABRIZ, azimuth_deg=280.0, scenario=s).range_km
        for s in (plain, heavier)
    ]
    assert reach[1] < reach[0] - 50.0
    manifests = [
        manifest_record(
            SimpleNamespace(  # type: ignore[arg-type]
                scenario=s,
                resolution_deg=1.0,
                seeds={},
                timings_s={},
                parts=(),
                compared=(),
                cueing_study=False,
            )
        )
        for s in (plain, heavier)
    ]
    assert manifests[0]["scenario"]["sha256"] != manifests[1]["scenario"]["sha256"]
    assert manifests[0]["scenario_missiles"] == {}
    assert manifests[1]["scenario_missiles"]["shahab-3"]["origin"] == "override"
    with pytest.raises(roof.RoofError, match=r"overrides\.missiles\.shahab-3.*payload_mass_kg"):
        roof.Scenario.from_toml(
            ONE_THREAT + "\n[overrides.missiles.shahab-3]\npayload_mass_kg = -5.0\n"
        )


def test_a_scenarios_own_missile_flies_and_is_checked_like_the_catalogs() -> None:
    text = ONE_THREAT.replace('"shahab-3"', '"notional-mrbm"') + OWN_MISSILE
    own = roof.Scenario.from_toml(text)
    assert own.missile_changes == {"notional-mrbm": "scenario"}
    assert own.catalog.signatures["notional-mrbm"] == own.catalog.signatures["shahab-3"]
    # The same stage and payload as the catalog's Shahab-3: the same flight.
    mine = roof.fly("notional-mrbm", from_deg=TABRIZ, to_deg=ANKARA, scenario=own)
    catalog = roof.fly("shahab-3", from_deg=TABRIZ, to_deg=ANKARA)
    assert mine.apogee_km == pytest.approx(catalog.apogee_km, abs=0.01)
    bad_isp = text.replace("isp_sea_level_s = 226.0", "isp_sea_level_s = 260.0")
    with pytest.raises(roof.RoofError, match=r"missiles\.notional-mrbm.*isp_sea_level_s"):
        roof.Scenario.from_toml(bad_isp)
    with pytest.raises(roof.RoofError, match=r"drag table 'no-such-table'"):
        roof.Scenario.from_toml(
            text.replace("diameter_m = 1.32", 'diameter_m = 1.32\ndrag_table = "no-such-table"')
        )
    with pytest.raises(roof.RoofError, match="already has a missile"):
        roof.Scenario.from_toml(text.replace("[missiles.notional-mrbm]", "[missiles.shahab-3]"))


def test_compilation_notice_once_on_a_cold_cache_and_silent_when_cached(tmp_path: Path) -> None:
    # A small kernel of the package, compiled into an empty cache, twice; the
    # notice is registered by importing the kernels' package, not by the caller.
    code = (
        "from securityroof.core.earth import geodetic_to_ecef, ecef_to_geodetic; "
        "geodetic_to_ecef(0.5, 0.5, 0.0, 6378137.0, 1 / 298.257223563); "
        "ecef_to_geodetic(6.4e6, 0.0, 0.0, 6378137.0, 1 / 298.257223563)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        for _ in range(2)
    ]
    from securityroof.compiling import NOTICE

    assert runs[0].stderr.count(NOTICE) == 1
    assert runs[1].stderr == ""


def test_sharing_table_by_party(scenario: roof.Scenario) -> None:
    shares = roof.sharing(scenario).to_pandas()
    assert shares.index.name == "party"
    assert "usa" in shares.index
    assert shares["cost_share_by_shapley"].sum() == pytest.approx(1.0, abs=1e-9)


def test_samples_file_is_refused_before_writing_anything(tmp_path: Path) -> None:
    from securityroof.report.flight_export import check_samples_path

    for name, fragment in (("f.txt", "suffix"), ("missing/f.csv", "folder does not exist")):
        with pytest.raises(roof.RoofError, match=fragment):
            check_samples_path(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
