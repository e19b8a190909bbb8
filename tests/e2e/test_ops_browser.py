"""The live operations page in real headless Chromium (Debian's chromium,
driven by Playwright) against a real `roof serve`: two parties logged in at
once see the map, each party sees only what it is entitled to, and a
two-party approval, its outcome and their audit entries reach both pages
live over the event stream, without a reload. Screenshots are kept in
test-artifacts/ops-romania.png and test-artifacts/ops-usa.png."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)

from tests.e2e.test_ops_server import (  # noqa: E402
    PASSWORD,
    ROOT,
    free_port,
    login,
    server_log,
    start,
)
from tests.e2e.test_report_browser import ARGS  # noqa: E402

LEAFLET = ROOT / "src" / "securityroof" / "ops" / "static" / "vendor" / "leaflet" / "leaflet.js"
ARTIFACTS = ROOT / "test-artifacts"
USERS = (
    ("usa-commander", "usa", "commander"),
    ("romania-commander", "romania", "commander"),
    ("poland-operator", "poland", "operator"),
    ("russia-observer", "russia", "observer"),
)
SITE = "deveselu"  # a US site on Romanian soil: the US and Romania must both approve
LIVE_MS = 20_000  # how long a page may take to show a change pushed by the server
# Chromium logs every HTTP 4xx as this console error; the 4xx themselves are checked apart.
FAILED_4XX = "Failed to load resource: the server responded with a status of 4"

expect = sync_api.expect


# ------------------------------------------------------------------ the server


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]
    log: Path
    admin: dict[str, str] = field(default_factory=dict)
    exercise: int = 0
    proposal: int = 0  # the pending deveselu proposal

    def call(self, method: str, path: str, user: str | dict[str, str], **kw: Any) -> Any:
        headers = user if isinstance(user, dict) else self.token(user)
        reply = httpx.request(method, self.base + path, headers=headers, timeout=120, **kw)
        if reply.status_code >= 300:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise AssertionError(f"{method} {path}: {reply.status_code} {reply.text}\n{tail}")
        return reply.json()

    def token(self, user: str) -> dict[str, str]:
        return login(int(self.base.rsplit(":", 1)[1]), user)

    def advance(self, seconds: float) -> float:
        path = f"/api/exercises/{self.exercise}/advance"
        return float(self.call("POST", path, self.admin, json={"seconds": seconds})["sim_time_s"])

    def proposals(self, user: str | dict[str, str]) -> list[dict[str, Any]]:
        return list(self.call("GET", f"/api/exercises/{self.exercise}/proposals", user))


def _build_leaflet() -> None:
    """The vendored Leaflet is a built, git-ignored folder: build it when missing."""
    if LEAFLET.exists():
        return
    built = subprocess.run(
        [sys.executable, "tools/build_web.py"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    if built.returncode != 0 or not LEAFLET.exists():
        message = (built.stderr or built.stdout).strip() or f"exit status {built.returncode}"
        pytest.skip(f"the page's Leaflet could not be built (tools/build_web.py): {message}")


def _roof_admin(data: Path) -> None:
    """`roof admin init/add-party/add-user`, run in-process: the same commands, without
    paying the package's start-up for each of the nine (about a minute)."""
    from typer.testing import CliRunner

    from securityroof.cli import app

    runner = CliRunner()
    commands = [["init", "--admin", "director"]]
    commands += [["add-party", party] for _, party, _ in USERS]
    commands += [["add-user", n, "--party", p, "--role", r] for n, p, r in USERS]
    for command in commands:
        done = runner.invoke(
            app, ["admin", *command, "--data-dir", str(data)], env={"ROOF_PASSWORD": PASSWORD}
        )
        assert done.exit_code == 0, f"roof admin {' '.join(command)}: {done.output}"


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _build_leaflet()
    data = tmp_path_factory.mktemp("ops-browser")
    _roof_admin(data)
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
        _stop(process)


# ------------------------------------------------------------------ the pages


class Tab:
    """One browser context (its own session storage: its own party) and its page."""

    def __init__(self, browser: Any, server: Server, username: str) -> None:
        self.username = username
        self.context = browser.new_context(viewport={"width": 1400, "height": 950})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.refused: list[str] = []  # 4xx responses: none is expected in these tests
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("response", self._response)
        self.page.goto(server.base + "/")
        expect(self.page.locator("body")).to_have_attribute("data-view", "login")
        self.page.locator("#login-username").fill(username)
        self.page.locator("#login-password").fill(PASSWORD)
        self.page.locator("#login-submit").click()
        expect(self.page.locator("body")).to_have_attribute("data-view", "app")
        expect(self.page.locator("#login-error")).to_be_hidden()
        # Gone after a reload: shows that later updates arrived without one.
        self.page.evaluate("window.__sameDocument = true")

    def _console(self, message: Any) -> None:
        if message.type == "error" and not message.text.startswith(FAILED_4XX):
            self.errors.append(f"console error: {message.text}")
        elif message.type == "warning" and message.text.startswith("Security Roof:"):
            self.errors.append(f"console warning: {message.text}")  # the page's own failures

    def _response(self, response: Any) -> None:
        if 400 <= response.status < 500:
            self.refused.append(f"{response.status} {response.request.method} {response.url}")

    def card(self, proposal: int) -> Any:
        return self.page.locator(f'#proposals-list article[data-proposal-id="{proposal}"]')

    def check(self) -> None:
        assert self.errors == [], f"{self.username}: {self.errors}"
        assert self.refused == [], f"{self.username}: unexpected 4xx {self.refused}"
        assert self.page.evaluate("window.__sameDocument === true"), "the page was reloaded"

    def close(self) -> None:
        self.context.close()


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
        for tab, name in zip(tabs, ("ops-romania.png", "ops-usa.png"), strict=False):
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


def _format_t(seconds: float) -> str:
    total = int(abs(seconds))
    return f"T{'-' if seconds < 0 else '+'}{total // 60:02d}:{total % 60:02d}"


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
    this_one = re.compile(rf"\bproposal={pid}(?!\d)")  # payload keys come sorted
    decision = (
        rows.filter(has_text=this_one)
        .filter(has_text="party=romania")
        .filter(has_text="decision=approve")
        .and_(a.page.locator('tr[data-kind="decision"]'))
    )
    expect(decision).to_have_count(1, timeout=LIVE_MS)
    expect(decision.locator("td.withheld")).to_have_count(0)
    theirs = rows.filter(has_text=this_one).filter(has_text="party=usa")
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
    expect(a.page.locator("#sim-time")).to_have_text(_format_t(sim_time), timeout=LIVE_MS)
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
