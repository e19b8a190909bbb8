"""Sensor roles, track rules and the strategic set (analysis.prepare, model.scenario)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from securityroof.analysis.prepare import prepare
from securityroof.errors import RoofError
from securityroof.model.catalog import load_catalog
from securityroof.model.scenario import load_scenario, strategic_threats, threat_class


def _scenario(tmp_path: Path, text: str):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return load_scenario(path)


def _masks(prepared, battery_site: str):
    b = next(i for i, x in enumerate(prepared.batteries) if x.site == battery_site)
    launch = {prepared.sensors[j].site for j in np.nonzero(prepared.launch_mask[b])[0]}
    guide = {prepared.sensors[j].site for j in np.nonzero(prepared.guide_mask[b])[0]}
    return launch, guide


def test_gbis_launch_and_are_guided_on_remote_early_warning_radars(tmp_path: Path) -> None:
    # Source: catalog gbi_tracks and uewr_role (MDA 16-news-0010: in-flight updates).
    prepared = prepare(
        _scenario(tmp_path, '[scenario]\nname = "h"\narchitecture = "us-homeland"\n')
    )
    launch, guide = _masks(prepared, "fort-greely")
    assert {"thule", "fylingdales", "cape-cod", "beale", "clear"} <= launch
    assert launch == guide
    assert not any(site.startswith("sbirs") for site in launch)  # satellites only cue


def test_sm3_ia_launches_on_remote_tracks_but_is_guided_by_its_own_spy1(tmp_path: Path) -> None:
    # Source: catalog lor_ftm15 (FTM-15: launch on remote from an AN/TPY-2).
    prepared = prepare(
        _scenario(tmp_path, '[scenario]\nname = "e1"\narchitecture = "epaa-phase-1"\n')
    )
    launch, guide = _masks(prepared, "eastern-mediterranean")
    assert launch == {"kurecik", "eastern-mediterranean"}
    assert guide == {"eastern-mediterranean"}


def test_sm3_iia_engages_on_remote(tmp_path: Path) -> None:
    # Source: catalog eor_iia (FTM-44, 2020: an SM-3 IIA on a C2BMC remote track).
    prepared = prepare(
        _scenario(tmp_path, '[scenario]\nname = "e3"\narchitecture = "epaa-phase-3"\n')
    )
    launch, guide = _masks(prepared, "redzikowo")
    assert "kurecik" in guide and "redzikowo" in guide
    assert launch == guide


def test_early_warning_radars_cue_but_never_launch(tmp_path: Path) -> None:
    prepared = prepare(
        _scenario(tmp_path, '[scenario]\nname = "j"\narchitecture = "joint-nato-russia"\n')
    )
    ew = [j for j, s in enumerate(prepared.sensors) if s.type in ("voronezh-dm", "daryal")]
    assert ew
    assert not prepared.launch_mask[:, ew].any()
    assert not prepared.guide_mask[:, ew].any()
    radars = [j for j, s in enumerate(prepared.sensors) if s.type == "an-tpy-2-fbm"]
    assert prepared.cue_from[np.ix_(ew, radars)].all()  # across parties in this architecture


def test_cueing_none_keeps_only_the_batterys_own_site(tmp_path: Path) -> None:
    text = '[scenario]\nname = "n"\narchitecture = "epaa-phase-3"\n[assumptions]\ncueing = "none"\n'
    prepared = prepare(_scenario(tmp_path, text))
    launch, guide = _masks(prepared, "redzikowo")
    assert launch == guide == {"redzikowo"}
    assert not prepared.cue_from.any() or all(
        prepared.sensors[a].site == prepared.sensors[b].site
        for a, b in zip(*np.nonzero(prepared.cue_from), strict=True)
    )


def test_the_default_strategic_set_judges_other_parties_forces(tmp_path: Path) -> None:
    catalog = load_catalog()
    homeland = _scenario(tmp_path, '[scenario]\nname = "h"\narchitecture = "us-homeland"\n')
    threats = strategic_threats(homeland)
    russian_areas = [
        a
        for a, area in catalog.launch_areas.items()
        if area.party == "russia" and area.kind.startswith("strategic")
    ]
    us_cities = [t for t, area in catalog.target_areas.items() if area.party == "usa"]
    assert len(us_cities) == 20
    assert len(threats) == len(russian_areas) * len(us_cities) * 3
    assert {t.party for t in threats} == {"russia"}  # US batteries: US forces are not judged
    assert {t.shape for t in threats} == {"minimum-energy", "lofted", "depressed"}
    assert all(t.threat_class == "strategic" for t in threats)
    joint = _scenario(tmp_path, '[scenario]\nname = "j"\narchitecture = "joint-nato-russia"\n')
    assert {t.party for t in strategic_threats(joint)} == {"russia", "usa"}


def test_strategic_restrictions_and_the_scenarios_own_threats(tmp_path: Path) -> None:
    text = """[scenario]
name = "r"
architecture = "epaa-phase-3"
[strategic]
launch_areas = ["kozelsk"]
targets = ["washington", "new-york"]
shapes = ["lofted"]
[[threats]]
missile = "topol-m"
from = "kozelsk"
to = ["washington"]
shapes = ["lofted", "depressed"]
"""
    threats = strategic_threats(_scenario(tmp_path, text))
    names = sorted(t.name for t in threats)
    # The catalogued part (2 lofted), plus the scenario's depressed one; its lofted
    # one is the same trajectory as a catalogued one and is not repeated.
    assert len(threats) == 3, names
    off = _scenario(tmp_path, text.replace("[strategic]", "[strategic]\ncatalog = false"))
    assert len(strategic_threats(off)) == 2


def test_one_rule_says_what_is_strategic() -> None:
    catalog = load_catalog()
    assert threat_class(catalog, "topol-m", "kozelsk") == "strategic"
    assert threat_class(catalog, "generic-icbm", "semnan") == "regional"
    assert threat_class(catalog, "topol-m", None) == "strategic"
    assert threat_class(catalog, "generic-icbm", None, "iran") == "regional"
    assert threat_class(catalog, "generic-icbm", None, "russia") == "strategic"
    assert threat_class(catalog, "shahab-3", None) == "regional"


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('[strategic]\nlaunch_areas = ["tabriz"]\n', "not a strategic one"),
        ('[strategic]\nparties = ["atlantis"]\n', "unknown party"),
        ('[strategic]\ntargets = ["gotham"]\n', "unknown target area"),
        ("[strategic]\nshapes = []\n", "shapes"),
        ('[scenario.case]\nthreats = "extreme"\n', "case"),
    ],
)
def test_bad_strategic_settings_are_refused(tmp_path: Path, snippet: str, message: str) -> None:
    base = '[scenario]\nname = "x"\narchitecture = "epaa-phase-3"\n'
    if snippet.startswith("[scenario.case]"):
        base += 'case = { threats = "extreme" }\n'
        snippet = ""
    with pytest.raises(RoofError, match=message):
        _scenario(tmp_path, base + snippet)
