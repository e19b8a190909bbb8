"""The live operations page in real headless Chromium (Debian's chromium,
driven by Playwright) against a real `roof serve`: two parties logged in at
once see the map, each party sees only what it is entitled to, and a
two-party approval, its outcome and their audit entries reach both pages
live over the event stream, without a reload. Screenshots are kept in
test-artifacts/ops-romania.png and test-artifacts/ops-usa.png.

The tests run in file order on one server: each new exercise becomes the one
the pages show, so the tests that start exercises come last."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)

from tests.e2e.ops_pages import (  # noqa: E402
    ARTIFACTS,
    LIVE_MS,
    Server,
    Tab,
    build_leaflet,
    expect,
    format_t,
    roof_admin,
    stop,
)
from tests.e2e.test_ops_server import free_port, login, server_log, start  # noqa: E402
from tests.e2e.test_report_browser import ARGS  # noqa: E402

SITE = "deveselu"  # a US site on Romanian soil: the US and Romania must both approve


# ------------------------------------------------------------------ the server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    build_leaflet()
    data = tmp_path_factory.mktemp("ops-browser")
    roof_admin(data)
    port = free_port()
    process = start(data, port)
    log = server_log(data, port)
    try:
        served = Server(f"http://127.0.0.1:{port}", process, log)
        served.admin = login(port, "director")
        made = served.call(
            "POST", "/api/exercises", served.admin, json={"name": "browser", "speed": 0, "seed": 7}
        )
        served.exercise = int(made["id"])
        usa = served.token("usa-commander")
        sim_time = served.advance(140)
        for _ in range(15):
            pending = [
                p for p in served.proposals(usa) if p["site"] == SITE and p["status"] == "pending"
            ]
            if pending:
                break
            sim_time = served.advance(4)
        assert pending, f"no pending {SITE} proposal by T+{sim_time:.0f} s"
        served.proposal = int(pending[0]["id"])
        approvers = {r["party"] for r in pending[0]["required"]}
        assert approvers == {"usa", "romania"}, pending[0]
        yield served
    finally:
        stop(process)


# ------------------------------------------------------------------ the pages


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Pair:
    romania: Tab  # context A
    usa: Tab  # context B


@pytest.fixture(scope="module")
def pair(browser: Any, server: Server) -> Iterator[Pair]:
    tabs: list[Tab] = []
    try:
        tabs.append(Tab(browser, server, "romania-commander"))
        tabs.append(Tab(browser, server, "usa-commander"))
        yield Pair(*tabs)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        # The state the pages were left in (the tests save their own screenshots).
        for tab, name in zip(tabs, ("ops-romania-last.png", "ops-usa-last.png"), strict=False):
            try:
                tab.page.screenshot(path=str(ARTIFACTS / name))
            finally:
                tab.close()


def _sees_the_map(tab: Tab, server: Server, party: str, role: str) -> None:
    page = tab.page
    expect(page.locator("#user-info")).to_have_text(f"{tab.username} · {party} · {role}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=LIVE_MS)
    expect(page.locator("#exercise-select")).to_have_value(str(server.exercise))
    expect(page.locator("#exercise-status")).to_have_attribute("data-status", "running")
    expect(page.locator("#sim-time")).not_to_have_text("T+--:--")
    expect(page.locator("#map")).to_be_visible()
    expect(page.locator("path.basemap-coastline").first).to_be_attached(timeout=LIVE_MS)
    expect(page.locator(".site-marker[data-site-id][data-party]").first).to_be_visible()
    expect(page.locator(f'.site-marker[data-site-id="{SITE}"][data-party="usa"]')).to_have_count(1)
    expect(page.locator("path.sensor-coverage").first).to_be_attached()
    expect(page.locator("path.track-marker[data-track-id][data-status]").first).to_be_attached()
    expect(page.locator("path.impact-ellipse[data-track-id]").first).to_be_attached()
    expect(page.locator("#audit-list tr[data-seq][data-kind]").first).to_be_attached()


# ------------------------------------------------------------------ the tests


def test_two_parties_see_the_live_map(pair: Pair, server: Server) -> None:
    _sees_the_map(pair.romania, server, "romania", "commander")
    _sees_the_map(pair.usa, server, "usa", "commander")
    for tab in (pair.romania, pair.usa):
        card = tab.card(server.proposal)
        expect(card).to_have_attribute("data-status", "pending")
        expect(card.locator('[data-role="approvals"] li')).to_have_count(2)
        expect(card.locator('button[data-action="approve"]')).to_be_enabled()
        expect(card.locator('button[data-action="refuse"]')).to_be_enabled()
        tab.check()
    # The export button saves the party's own picture as GeoJSON.
    with pair.romania.page.expect_download() as saving:
        pair.romania.page.click("#picture-export")
    saved = json.loads(Path(saving.value.path()).read_text())
    assert saved["type"] == "FeatureCollection"
    assert saved["properties"]["party"] == "romania"
    assert not [f for f in saved["features"] if f["properties"]["kind"] == "report"]
    pair.romania.check()


def test_each_party_sees_only_what_it_may(browser: Any, pair: Pair, server: Server) -> None:
    # Romania has no US raw reports: its page draws tracks but no report dot.
    picture = server.call("GET", f"/api/exercises/{server.exercise}/picture", "romania-commander")
    assert picture["reports"] == []
    romania = pair.romania.page
    expect(romania.locator("path.track-marker").first).to_be_attached()
    expect(romania.locator("path.report-dot")).to_have_count(0)

    poland = Tab(browser, server, "poland-operator")
    russia = Tab(browser, server, "russia-observer")
    try:
        # The exercise grants Poland the US raw reports.
        _sees_the_map(poland, server, "poland", "operator")
        expect(poland.page.locator("path.report-dot").first).to_be_attached()
        # Poland hosts Redzikowo, so it sees those cards, but an operator may not decide.
        listed = server.proposals("poland-operator")
        expect(poland.page.locator("#proposals-list article")).to_have_count(len(listed))
        expect(poland.page.locator("button[data-action]")).to_have_count(0)

        # Russia is no party to the Deveselu engagement: no card, no button, payloads withheld.
        _sees_the_map(russia, server, "russia", "observer")
        listed = server.proposals("russia-observer")
        assert server.proposal not in {p["id"] for p in listed}
        expect(russia.page.locator("#proposals-list article")).to_have_count(len(listed))
        expect(russia.card(server.proposal)).to_have_count(0)
        expect(russia.page.locator("button[data-action]")).to_have_count(0)
        expect(russia.page.locator("path.report-dot")).to_have_count(0)
        expect(russia.page.locator("#audit-list td.withheld").first).to_be_attached()
        assert int(russia.page.locator("#audit-tree-size").inner_text()) > 0
        poland.check()
        russia.check()
    finally:
        poland.close()
        russia.close()
    pair.romania.check()


def test_a_joint_approval_and_its_outcome_arrive_live(pair: Pair, server: Server) -> None:
    a, b = pair.romania, pair.usa
    pid = server.proposal
    # A: Romania approves; B sees Romania's yes without reloading, then the US approves.
    a.card(pid).locator('button[data-action="approve"]').click()
    expect(a.card(pid).locator('li[data-party="romania"]')).to_have_attribute(
        "data-decision", "approve", timeout=LIVE_MS
    )
    expect(a.card(pid).locator("button[data-action]")).to_have_count(0)
    expect(a.card(pid)).to_have_attribute("data-status", "pending")
    expect(b.card(pid).locator('li[data-party="romania"]')).to_have_attribute(
        "data-decision", "approve", timeout=LIVE_MS
    )
    b.card(pid).locator('button[data-action="approve"]').click()
    for tab in (b, a):
        card = tab.card(pid)
        expect(card).to_have_attribute("data-status", "approved", timeout=LIVE_MS)
        expect(card.locator('[data-role="status"]')).to_have_text("approved")
        expect(card.locator('li[data-party="usa"]')).to_have_attribute("data-decision", "approve")
        expect(card.locator('[data-role="message"]')).to_have_count(0)
    listed = {p["id"]: p for p in server.proposals("romania-commander")}
    assert listed[pid]["status"] == "approved", listed[pid]
    # A's audit trail gets both decisions live, their payloads readable by Romania.
    rows = a.page.locator("#audit-list tr")
    this_one = f"Proposal {pid}: "  # how the outcome entry begins
    decision = rows.filter(has_text=f"romania approved proposal {pid} (romania-commander)").and_(
        a.page.locator('tr[data-kind="decision"]')
    )
    expect(decision).to_have_count(1, timeout=LIVE_MS)
    expect(decision.locator("td.withheld")).to_have_count(0)
    theirs = rows.filter(has_text=f"usa approved proposal {pid} (usa-commander)")
    expect(theirs.and_(a.page.locator('tr[data-kind="decision"]'))).to_have_count(1)

    # The director runs the clock on until the interceptor's result is drawn.
    outcome = None
    for _ in range(60):
        sim_time = server.advance(10)
        mine = [p for p in server.proposals("usa-commander") if p["id"] == pid]
        outcome = mine[0]["outcome"]
        if outcome:
            break
    assert outcome, f"no outcome for proposal {pid} by T+{sim_time:.0f} s"
    card = a.card(pid)
    expect(card.locator('[data-role="outcome"]')).to_have_attribute(
        "data-result", outcome["result"], timeout=LIVE_MS
    )
    expect(a.page.locator("#sim-time")).to_have_text(format_t(sim_time), timeout=LIVE_MS)
    expect(b.card(pid).locator('[data-role="outcome"]')).to_have_attribute(
        "data-result", outcome["result"], timeout=LIVE_MS
    )
    # The outcome in A's audit trail, readable by Romania.
    result = rows.filter(has_text=this_one).and_(a.page.locator('tr[data-kind="outcome"]'))
    expect(result).to_have_count(1, timeout=LIVE_MS)
    expect(result.locator("td.withheld")).to_have_count(0)

    ARTIFACTS.mkdir(exist_ok=True)
    for tab, name in ((a, "ops-romania.png"), (b, "ops-usa.png")):
        tab.page.screenshot(path=str(ARTIFACTS / name))
        assert (ARTIFACTS / name).stat().st_size > 10_000
        tab.check()


def test_the_director_starts_steps_and_pauses_an_exercise(browser: Any, server: Server) -> None:
    """The administrator's controls: start a hand-stepped exercise, step it, pause, resume."""
    director = Tab(browser, server, "director")
    try:
        page = director.page
        expect(page.locator("#director")).to_be_visible()
        page.locator("#director-name").fill("drill")
        page.locator("#director-speed").fill("0")
        page.locator("#director-start").click()
        expect(page.locator("#director-message")).to_contain_text("started", timeout=LIVE_MS)
        selected = page.locator("#exercise-select").input_value()
        started = server.call("GET", "/api/exercises", server.admin)
        drill = next(e for e in started if str(e["id"]) == selected)
        assert drill["name"] == "drill" and drill["speed"] == 0.0
        page.locator("#director-step").click()
        expect(page.locator("#sim-time")).to_have_text("T+00:10", timeout=LIVE_MS)
        page.locator("#director-pause").click()
        expect(page.locator("#exercise-status")).to_have_attribute("data-status", "paused")
        page.locator("#director-resume").click()
        expect(page.locator("#exercise-status")).to_have_attribute("data-status", "running")
        expect(page.locator('#audit-list tr[data-kind="exercise-paused"]').first).to_be_visible(
            timeout=LIVE_MS
        )
        director.check()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ops-director.png"))
        # A reload keeps the session (per tab) and the director's controls.
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-view", "app")
        expect(page.locator("#director")).to_be_visible()
        assert director.errors == [], director.errors
    finally:
        director.close()


# ------------------------------------------------------------------ reading the page at a glance


def _seconds(text: str) -> int:
    """T+mm:ss as the page writes it (≈ when estimated), in seconds."""
    found = re.fullmatch(r"≈?T([+-])(\d+):(\d\d)", text.strip())
    assert found, f"not a sim time: {text!r}"
    value = int(found[2]) * 60 + int(found[3])
    return -value if found[1] == "-" else value


def _overlapping_labels(page: Any) -> tuple[int, list[tuple[str, str]]]:
    """The visible text labels on the map, and each pair whose boxes intersect."""
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#map .map-label')].filter((n) => !n.hidden)
          .map((n) => { const r = n.getBoundingClientRect();
            return { text: n.textContent, x: r.x, y: r.y, w: r.width, h: r.height }; })"""
    )
    pairs = [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    ]
    return len(boxes), pairs


def test_cards_and_tracks_point_at_each_other(browser: Any, server: Server) -> None:
    """A decision card selects its track on the map and a track its card; site and
    track labels never cover one another (bounding boxes, at two zooms); the audit
    trail reads in simulated time with one-line sentences."""
    made = server.call(
        "POST", "/api/exercises", server.admin, json={"name": "map", "speed": 0, "seed": 7}
    )
    exercise = int(made["id"])
    path = f"/api/exercises/{exercise}/advance"
    server.call("POST", path, server.admin, json={"seconds": 140})
    romania = server.token("romania-commander")
    for _ in range(15):
        picture = server.call("GET", f"/api/exercises/{exercise}/picture", romania)
        on_map = {t["id"] for t in picture["tracks"]}
        listed = server.call("GET", f"/api/exercises/{exercise}/proposals", romania)
        linked = [p for p in listed if p["status"] == "pending" and p["track_id"] in on_map]
        if linked:
            break
        server.call("POST", path, server.admin, json={"seconds": 4})
    assert linked, "no pending proposal whose track is in Romania's picture"
    track = linked[0]["track_id"]

    tab = Tab(browser, server, "romania-commander")
    try:
        page = tab.page
        expect(page.locator("#exercise-select")).to_have_value(str(exercise))
        card = tab.card(linked[0]["id"])
        marker = page.locator(f'path.track-marker[data-track-id="{track}"]')
        label = page.locator(f'#map .map-label[data-track-id="{track}"]')
        expect(card).to_have_attribute("data-status", "pending", timeout=LIVE_MS)
        expect(label).to_be_visible()
        # Card -> map: the card's track is ringed and its label marked.
        card.locator('[data-role="track"]').click()
        expect(card).to_have_attribute("data-selected", "true")
        expect(marker).to_have_attribute("data-selected", "true")
        expect(label).to_have_class(re.compile(r"\bselected\b"))
        # Map -> card: a click on the selected track unselects it, a second selects its card.
        marker.dispatch_event("click")
        expect(card).to_have_attribute("data-selected", "false")
        expect(marker).to_have_attribute("data-selected", "false")
        label.click()
        expect(card).to_have_attribute("data-selected", "true")
        expect(card).to_be_in_viewport()

        # Labels: every track and every site in view is named, no two labels overlap.
        expect(page.locator("#map .map-label-site").first).to_be_visible()
        for zoom_change in (0, -1.5):
            page.evaluate(
                "(dz) => { map.map.setZoom(map.map.getZoom() + dz, { animate: false }); }",
                zoom_change,
            )
            page.wait_for_timeout(200)
            shown, overlapping = _overlapping_labels(page)
            assert shown >= len(on_map), f"{shown} labels for {len(on_map)} tracks"
            assert overlapping == [], f"labels overlap at zoom {zoom_change:+}: {overlapping}"
        # (In braces: the map object itself is not sent back to the test.)
        page.evaluate("() => { map.map.setZoom(map.map.getZoom() + 1.5, { animate: false }); }")
        for t in on_map:
            expect(page.locator(f'#map .map-label[data-track-id="{t}"]')).to_be_visible()
        expect(page.locator('#map .map-label[data-site-id="deveselu"]')).to_have_text("deveselu")

        # Audit trail: simulated time in every row, newest first, the wall clock in the tooltip.
        rows = page.locator("#audit-list tr")
        expect(rows.filter(has_text="Fused picture").first).to_be_attached()
        times = page.locator('#audit-list td[data-role="sim-time"]')
        shown_times = [_seconds(t) for t in times.all_inner_texts()]
        assert shown_times == sorted(shown_times, reverse=True), shown_times
        # The newest entries are of the last 2 s sample step before the clock's time.
        assert picture["sim_time_s"] - 4 <= shown_times[0] <= picture["sim_time_s"], shown_times[0]
        titles = times.evaluate_all("(cells) => cells.map((c) => c.title)")
        assert all("wall clock" in t and "UTC" in t for t in titles), titles[:3]
        summaries = page.locator("#audit-list td:last-child").all_inner_texts()
        raw = [s for s in summaries if re.search(r"\w=\S", s)]
        assert raw == [], f"key=value text in the audit trail: {raw[:3]}"
        started = rows.and_(page.locator('tr[data-kind="exercise-started"]'))
        expect(started).to_contain_text("Exercise “map” started by director, stepped by hand")
        expect(started.locator('[data-role="sim-time"]')).to_have_text("T+00:00")

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ops-labels.png"))
        tab.check()
    finally:
        tab.close()


def test_a_new_exercise_reaches_a_logged_in_commander_and_runs_live(
    browser: Any, server: Server
) -> None:
    """The newest exercise is the default and one started later replaces it without a
    reload; the clock runs between server updates and stops when paused; deadlines
    count in wall seconds, with a warning where the window leaves less; the director
    ends and archives the exercise from the page."""
    speed = 50  # fast enough to reach the first proposals within seconds
    listed = server.call("GET", "/api/exercises", server.admin)
    newest = max(e["id"] for e in listed)
    assert any(e["status"] == "running" and e["id"] < newest for e in listed), listed
    usa = Tab(browser, server, "usa-commander")
    director = Tab(browser, server, "director")
    try:
        page, mine = director.page, usa.page
        expect(mine.locator("#exercise-select")).to_have_value(str(newest))
        # The director is told, before Start, what the speed leaves commanders.
        hint = page.locator("#director-speed-hint")
        page.locator("#director-speed").fill(str(speed))
        expect(hint).to_have_class(re.compile(r"\bwarning\b"))
        expect(hint).to_contain_text("under 10 s to decide")
        page.locator("#director-speed").fill("10")
        expect(hint).not_to_have_class(re.compile(r"\bwarning\b"))
        expect(hint).to_contain_text("count in wall seconds")
        page.locator("#director-speed").fill(str(speed))
        page.locator("#director-name").fill("live")
        page.locator("#director-start").click()
        expect(page.locator("#director-message")).to_contain_text("started", timeout=LIVE_MS)
        started = page.locator("#exercise-select").input_value()
        assert int(started) > newest
        # The commander's page follows, without a reload (Tab.check looks).
        expect(mine.locator("#exercise-select")).to_have_value(started, timeout=LIVE_MS)
        expect(mine.locator("#connection")).to_have_attribute("data-state", "live")

        # The director's clock runs between the server's updates, at the exercise speed.
        clock = page.locator("#sim-time")
        expect(clock).not_to_have_text("T+00:00", timeout=LIVE_MS)
        before = _seconds(clock.inner_text())
        page.wait_for_timeout(1000)
        after = _seconds(clock.inner_text())
        assert 0.3 * speed <= after - before <= 3 * speed, (before, after)
        served = next(
            e for e in server.call("GET", "/api/exercises", server.admin) if str(e["id"]) == started
        )
        assert abs(served["sim_time_s"] - after) <= 3 * speed, (served["sim_time_s"], after)

        # Deadlines in wall seconds: a pending card counts down under the rule's 30 s,
        # not the hundreds of simulated seconds left; a window that leaves less warns.
        countdown = mine.locator('[data-role="countdown"]').first
        expect(countdown).to_have_text(re.compile(r"^\(0:[0-2]\d left\)$"), timeout=LIVE_MS)
        expect(mine.locator('[data-role="short-deadline"]').first).to_contain_text(
            f"s to decide at ×{speed}"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        mine.screenshot(path=str(ARTIFACTS / "ops-live-usa.png"))

        # Paused, the clock stops at the server's time, on both pages.
        page.locator("#director-pause").click()
        badge = page.locator("#exercise-status")
        expect(badge).to_have_attribute("data-status", "paused")
        expect(mine.locator("#exercise-status")).to_have_attribute(
            "data-status", "paused", timeout=LIVE_MS
        )
        paused = next(
            e for e in server.call("GET", "/api/exercises", server.admin) if str(e["id"]) == started
        )
        expect(clock).to_have_text(format_t(paused["sim_time_s"]))
        page.wait_for_timeout(500)
        expect(clock).to_have_text(format_t(paused["sim_time_s"]))
        expect(mine.locator("#sim-time")).to_have_text(format_t(paused["sim_time_s"]))

        # End asks twice; Archive only once it has finished.
        expect(page.locator("#director-archive")).to_be_disabled()
        page.locator("#director-end").click()
        expect(page.locator("#director-end")).to_have_text("Press again to end")
        expect(badge).to_have_attribute("data-status", "paused")
        page.locator("#director-end").click()
        expect(badge).to_have_attribute("data-status", "finished")
        expect(mine.locator("#exercise-status")).to_have_attribute(
            "data-status", "finished", timeout=LIVE_MS
        )
        expect(page.locator("#director-end")).to_be_disabled()
        page.locator("#director-archive").click()
        expect(badge).to_have_attribute("data-status", "archived")
        expect(page.locator(f'#exercise-select option[value="{started}"]')).to_have_text(
            "live (archived)"
        )
        audit = page.locator("#audit-list tr")
        expect(audit.and_(page.locator('tr[data-kind="exercise-started"]'))).to_contain_text(
            f"Exercise “live” started by director, ×{speed}"
        )
        expect(audit.and_(page.locator('tr[data-kind="exercise-paused"]'))).to_contain_text(
            format_t(paused["sim_time_s"])
        )
        expect(audit.and_(page.locator('tr[data-kind="exercise-finished"]'))).to_contain_text(
            "ended by director; seed and salt revealed", timeout=LIVE_MS
        )
        # The director reads no report or track entry, yet each has a simulated time,
        # estimated between the timed entries it can read: not all T+00:00.
        cells = page.locator('#audit-list td[data-role="sim-time"]')
        times = [_seconds(t) for t in cells.all_inner_texts()]
        assert times == sorted(times, reverse=True), times
        estimated = [_seconds(t) for t in cells.filter(has_text="≈").all_inner_texts()]
        assert estimated and max(estimated) >= paused["sim_time_s"] / 2, estimated[:5]
        page.screenshot(path=str(ARTIFACTS / "ops-live-director.png"))
        usa.check()
        director.check()
    finally:
        usa.close()
        director.close()
