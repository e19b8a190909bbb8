"""The transparency envelope against direct engagement runs (analysis.envelope, .site_map).

Every limit the envelope reports is checked the plain way: a battery placed
at a candidate place (a new site of the scenario, run through the whole
engagement chain) engages a protected strategic trajectory exactly where
the site map keeps it out, with the same launch margin to 0.01 s; a battery
flown just under its speed limit engages none and just over it some; a data
link passing tracks from its limit keeps the batteries off the strategic
forces and passing them a little earlier does not. The trade-off is
monotone: a higher speed cap never defends fewer people.

The strategic set is small (two Russian launch areas against three US
cities, minimum-energy and depressed) so that the suite stays fast; the
physics is the same as for the full set.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from securityroof.analysis.engagement import evaluate, track_times
from securityroof.analysis.envelope import (
    LINK_TOLERANCE_S,
    SPEED_TOLERANCE_M_S,
    analyse_envelope,
    tradeoff,
)
from securityroof.analysis.site_map import candidate, judge_places, site_map
from securityroof.analysis.stability import strategic_geometry
from securityroof.model.scenario import load_scenario

SMALL = """
[scenario]
name = "joint roof, small strategic set"
architecture = "joint-nato-russia"

[assumptions]
cueing = "{cueing}"

[[threats]]
missile = "sejjil-2"
from = "tabriz"
to = ["bucharest", "moscow"]

[strategic]
parties = ["russia"]
launch_areas = ["kozelsk", "barents-sea"]
targets = ["washington", "new-york", "chicago"]
shapes = ["minimum-energy", "depressed"]
"""

PROBE = """
[[sites]]
id = "probe"
name = "probe ship"
party = "usa"
kind = "ship-station"
lat_deg = {lat}
lon_deg = {lon}
sensors = [{{ type = "spy-1", boresight_deg = 0.0 }}]
interceptors = [{{ type = "sm-3-block-iia", count = 8 }}]
"""

RUSSIA = frozenset({"russia"})


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("envelope")


@pytest.fixture(scope="module")
def joint(folder: Path) -> Path:
    return _write(folder, "joint.toml", SMALL.format(cueing="across-parties"))


def _probe_margins(folder: Path, base: str, lat: float, lon: float) -> tuple[float, int]:
    """Best launch margin (s) of a probe battery at (lat, lon) on the Russian set, and
    how many Russian trajectories it engages: the whole chain, the probe a site of its own."""
    path = _write(folder, f"probe-{lat:g}-{lon:g}.toml", base + PROBE.format(lat=lat, lon=lon))
    geometry = strategic_geometry(load_scenario(path))
    result = evaluate(geometry.observation, geometry.case_draw, detected=geometry.detected)
    b = next(i for i, x in enumerate(geometry.prepared.batteries) if x.site == "probe")
    russian = np.array([t.party == "russia" for t in geometry.prepared.threats])
    counted = geometry.judged[:, b] & russian
    margin = np.where(counted, result.windows.launch_margin_s[0, :, b], -np.inf)
    return float(margin.max()), int(result.windows.engageable[0, counted, b].sum())


def test_site_map_keeps_out_exactly_where_a_battery_would_engage(folder: Path, joint: Path):
    geometry = strategic_geometry(load_scenario(joint))
    found = site_map(geometry, "sm-3-block-iia", RUSSIA, 0.95, resolution_deg=4.0)
    kept, allowed = np.argwhere(found.keep_out), np.argwhere(~found.keep_out)
    # Tracks shared across parties (Russian radars tracking their own launches) put
    # ships in the northern seas within reach of Russian ICBMs bound for the US.
    assert len(kept) >= 3 and len(allowed) >= 3
    rng = np.random.default_rng(7)
    picks = [*kept[rng.choice(len(kept), 3, replace=False)]]
    picks += [*allowed[rng.choice(len(allowed), 3, replace=False)]]
    template = candidate(geometry.prepared, "sm-3-block-iia", RUSSIA)
    base = joint.read_text()
    for i, j in picks:
        lat, lon = float(found.lat_deg[i]), float(found.lon_deg[j])
        direct, engaged = _probe_margins(folder, base, lat, lon)
        assert (engaged > 0) == bool(found.keep_out[i, j]), (lat, lon, direct)
        exact = judge_places(geometry, template, np.array([lat]), np.array([lon]))
        # Same margin as the whole chain, to 0.01 s (or both out of reach).
        if np.isfinite(direct):
            assert exact.margin_s[0] == pytest.approx(direct, abs=0.01)
        else:
            assert not np.isfinite(exact.margin_s[0])


def test_speed_limit_holds_just_inside_and_fails_just_outside(folder: Path, joint: Path):
    result = analyse_envelope(load_scenario(joint), party="russia", maps=False)
    limit = next(s for s in result.speed_limits if s.site == "redzikowo")
    assert limit.bound == "limit" and limit.limit_m_s is not None
    assert limit.engaged_above >= 1
    assert limit.p_none_at_limit[0] == 1.0 and limit.p_none_above is not None
    assert limit.p_none_above[0] == 0.0
    base = joint.read_text()
    for speed, engages in ((limit.limit_m_s, False), (limit.limit_m_s + SPEED_TOLERANCE_M_S, True)):
        text = base + f"\n[overrides.interceptors.sm-3-block-iia]\nburnout_speed_m_s = {speed}\n"
        geometry = strategic_geometry(load_scenario(_write(folder, "speed.toml", text)))
        windows = evaluate(geometry.observation, geometry.case_draw).windows
        b = next(i for i, x in enumerate(geometry.prepared.batteries) if x.site == "redzikowo")
        assert bool((windows.engageable[0, :, b] & geometry.judged[:, b]).any()) == engages, speed
    # Batteries that engage nothing at the top of the sweep have no binding limit.
    for other in result.speed_limits:
        if other.bound == "above the sweep":
            assert other.margin_m_s is not None and other.margin_m_s > 0


def test_link_limit_is_the_earliest_time_that_keeps_the_batteries_off(folder: Path):
    # Tracks kept within each party; a US ship in the Norwegian Sea. Don-2N tracks
    # passed to the US interceptors would let the ship reach Russian ICBMs.
    text = SMALL.format(cueing="within-party") + PROBE.format(lat=66.0, lon=-2.0)
    scenario = load_scenario(_write(folder, "link.toml", text))
    result = analyse_envelope(scenario, maps=False)
    link = next(x for x in result.links if (x.sensor_party, x.battery_party) == ("russia", "usa"))
    assert link.status == "from a time" and not link.in_scenario
    assert link.earliest_s is not None and link.attainable_s is not None
    assert link.earliest_s > link.attainable_s  # the link must hold tracks back
    # Independently: Don-2N tracks clamped to a time, added to the US batteries' own.
    geometry = strategic_geometry(scenario)
    prepared = geometry.prepared
    don = np.array([s.type == "don-2n" for s in prepared.sensors])
    us = np.array([b.party == "usa" for b in prepared.batteries])
    mask = us[:, None] & don[None, :]
    fire_control = geometry.detected[1].fire_control_s
    for earliest, engages in (
        (link.earliest_s, False),
        (link.earliest_s - LINK_TOLERANCE_S, True),
        (0.0, True),
    ):
        times, _ = track_times(mask, fire_control)
        times = np.where(times < earliest, earliest, times)
        windows = evaluate(
            geometry.observation,
            geometry.case_draw,
            detected=geometry.detected,
            extra_tracks_s=(times, times),
        ).windows
        hits = windows.engageable[0] & geometry.judged & us[None, :]
        assert bool(hits.any()) == engages, earliest
    # Opening the link in the scenario itself (a cueing rule) lets the ship engage.
    opened = load_scenario(
        _write(folder, "open.toml", text + '\n[[cueing_rules]]\nfrom = "russia"\nto = "usa"\n')
    )
    geometry = strategic_geometry(opened)
    windows = evaluate(geometry.observation, geometry.case_draw).windows
    b = next(i for i, x in enumerate(geometry.prepared.batteries) if x.site == "probe")
    assert (windows.engageable[0, :, b] & geometry.judged[:, b]).any()


def test_tradeoff_is_monotone_in_the_speed_cap(joint: Path):
    curve = tradeoff(load_scenario(joint), RUSSIA)
    caps = [p.cap_m_s for p in curve.points]
    assert caps == sorted(caps) and len(caps) >= 10
    population = [p.population for p in curve.points]
    engaged = [p.strategic_engaged for p in curve.points]
    assert all(a <= b for a, b in itertools.pairwise(population))
    assert all(a <= b for a, b in itertools.pairwise(engaged))
    assert curve.points[0].population <= curve.population_uncapped
    # The strongest cap keeps it non-strategic; the next step up (if any) does not.
    assert curve.strongest_cap_m_s is not None
    strongest = caps.index(curve.strongest_cap_m_s)
    assert curve.points[strongest].strategic_engaged == 0
    if strongest + 1 < len(caps):
        assert curve.points[strongest + 1].strategic_engaged > 0


def test_patrol_area_verdict_is_that_of_its_worst_place(folder: Path, joint: Path):
    text = joint.read_text() + (
        '\n[[patrol_areas]]\nname = "Norwegian Sea"\ninterceptor = "sm-3-block-iia"\n'
        "vertices = [[64.0, -2.0], [70.0, -2.0], [70.0, 10.0], [64.0, 10.0]]\n"
        '\n[[patrol_areas]]\nname = "Eastern Mediterranean"\n'
        "vertices = [[33.0, 26.0], [35.5, 26.0], [35.5, 33.0], [33.0, 33.0]]\n"
    )
    scenario = load_scenario(_write(folder, "patrols.toml", text))
    result = analyse_envelope(scenario, party="russia", resolution_deg=4.0)
    verdicts = {(p.area, p.interceptor): p for p in result.patrols}
    north = verdicts[("Norwegian Sea", "sm-3-block-iia")]
    assert north.keep_out and north.worst_margin_s > 0
    direct, engaged = _probe_margins(
        folder, joint.read_text(), north.worst_lat_deg, north.worst_lon_deg
    )
    assert engaged > 0 and direct == pytest.approx(north.worst_margin_s, abs=0.01)
    # Every type of the scenario is judged in an area that names none.
    south = [p for (area, _), p in verdicts.items() if area == "Eastern Mediterranean"]
    assert {p.interceptor for p in south} == {
        b.type for s in scenario.sites.values() for b in s.interceptors
    }
    assert not any(p.keep_out for p in south)
