"""The assessment report in a real headless Chromium (Debian's chromium,
driven by Playwright): no console errors, every image loads, the maps and
tables are visible; a screenshot is kept in test-artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.test_cli_fly import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_report_renders_in_chromium(small_report):
    _, out = small_report
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((out / "index.html").resolve().as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.getAttribute('src'), e.naturalWidth])"
            )
            assert len(images) >= 6
            assert all(width > 0 for _, width in images), images
            for table in ("#footprint-table", "#engagement-table", "#sharing-table"):
                assert page.locator(table).is_visible(), table
            assert page.locator("#verdict").is_visible()
            assert "Non-strategic" in page.locator("#verdict").inner_text() or "Strategic" in (
                page.locator("#verdict").inner_text()
            )
            artifacts = ROOT / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "report.png"), full_page=False)
        finally:
            browser.close()
    assert errors == []
    assert Path(ROOT / "test-artifacts" / "report.png").stat().st_size > 10_000
