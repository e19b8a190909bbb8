"""Helpers of the browser tests of the live operations page: the `roof serve`
under test, set up with `roof admin`, and one logged-in browser tab per user.
Imported by the tests that drive Chromium only (Playwright must be installed)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright import sync_api

from tests.e2e.test_ops_server import PASSWORD, ROOT, login

LEAFLET = ROOT / "src" / "securityroof" / "ops" / "static" / "vendor" / "leaflet" / "leaflet.js"
ARTIFACTS = ROOT / "test-artifacts"
USERS = (
    ("usa-commander", "usa", "commander"),
    ("romania-commander", "romania", "commander"),
    ("poland-operator", "poland", "operator"),
    ("russia-observer", "russia", "observer"),
)
LIVE_MS = 20_000  # how long a page may take to show a change pushed by the server
# Chromium logs every HTTP 4xx as this console error; the 4xx themselves are checked apart.
FAILED_4XX = "Failed to load resource: the server responded with a status of 4"

expect = sync_api.expect


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


def build_leaflet() -> None:
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


def roof_admin(data: Path) -> None:
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


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


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


def format_t(seconds: float) -> str:
    total = int(abs(seconds))
    return f"T{'-' if seconds < 0 else '+'}{total // 60:02d}:{total % 60:02d}"
