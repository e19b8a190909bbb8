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


def _launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def _watch(page, errors: list[str]) -> None:
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))


def _overlapping_labels(page) -> list[list[str]]:
    """Pairs of shown map labels whose boxes intersect on screen."""
    return page.evaluate(
        """() => {
      const shown = [...document.querySelectorAll('#interactive-map .map-label')]
        .filter((el) => el.style.visibility !== 'hidden')
        .map((el) => [el.textContent, el.firstChild.getBoundingClientRect()]);
      const pairs = [];
      shown.forEach(([a, p], i) => shown.slice(i + 1).forEach(([b, q]) => {
        const meet = p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
        if (meet) pairs.push([a, b]);
      }));
      return pairs;
    }"""
    )


def _open_map(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_selector("#interactive-map[data-ready='true']", timeout=15_000)
    page.locator("#interactive-map").scroll_into_view_if_needed()


def test_interactive_map_layers_tooltips_and_labels(small_report):
    _, out = small_report
    errors: list[str] = []
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            _watch(page, errors)
            _open_map(page, (out / "index.html").resolve().as_uri())
            cells = page.locator("#interactive-map .leaflet-cells-pane path")
            tracks = page.locator("#interactive-map .leaflet-tracks-pane path")
            assert cells.count() > 0 and tracks.count() > 0
            # A tooltip names each site, its party and what stands there.
            page.locator("#interactive-map path[data-name='deveselu']").dispatch_event("mouseover")
            tooltip = page.locator(".leaflet-tooltip").last
            assert "deveselu" in tooltip.inner_text() and "interceptors" in tooltip.inner_text()
            page.locator("#interactive-map path[data-name='tabriz']").dispatch_event("mouseover")
            assert "launch area: tabriz" in page.locator(".leaflet-tooltip").last.inner_text()
            # The layer switcher: threats off and on, one footprint at a time.
            regional = page.get_by_role("checkbox", name="Regional threats")
            before = tracks.count()
            regional.uncheck()
            assert tracks.count() < before
            regional.check()
            assert tracks.count() == before
            page.get_by_role("radio", name="No footprint").check()
            assert cells.count() == 0
            page.get_by_role("radio", name="Footprint: epaa-phase-1").check()
            assert cells.count() > 0
            page.get_by_role("checkbox", name="Radar coverage").check()
            assert page.locator("#interactive-map .leaflet-coverage-pane path").count() > 0
            # The legend names what the colours mean.
            assert "threatened, not defended" in page.locator(".map-legend").inner_text()
            # Labels never overlap, at the opening view and zoomed in and out.
            shown = page.locator("#interactive-map .map-label").count()
            assert shown >= 5
            assert _overlapping_labels(page) == []
            page.locator("#interactive-map").screenshot(path=str(artifacts / "report-map.png"))
            for button in (".leaflet-control-zoom-out", ".leaflet-control-zoom-in"):
                page.locator(button).click()
                page.wait_for_timeout(400)  # the zoom animation
                assert _overlapping_labels(page) == [], button
        finally:
            browser.close()
    assert errors == []
    assert (artifacts / "report-map.png").stat().st_size > 10_000


def test_single_file_report_opens_alone_offline(small_report, tmp_path):
    """The page that `roof assess --single-file` writes, built here from the
    shared report's files, copied alone into an empty folder: every request
    but for that one file is blocked, none is made and none fails; the
    figures show and the map draws."""
    from securityroof.report.html import single_file_html

    _, out = small_report
    alone = tmp_path / "alone"
    alone.mkdir()
    page_file = alone / "report.html"
    page_file.write_text(single_file_html(out), encoding="utf-8")
    assert list(alone.iterdir()) == [page_file]
    url = page_file.resolve().as_uri()
    errors: list[str] = []
    blocked: list[str] = []
    failed: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 1000})

            def only_this_file(route) -> None:
                if route.request.url.split("#")[0] == url or route.request.url.startswith("data:"):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", only_this_file)
            page = context.new_page()
            _watch(page, errors)
            page.on("requestfailed", lambda r: failed.append(r.url))
            _open_map(page, url)
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.src.slice(0, 22), e.naturalWidth])"
            )
            assert len(images) >= 6
            assert all(src.startswith("data:image/png") and width > 0 for src, width in images)
            assert page.locator("#interactive-map .leaflet-cells-pane path").count() > 0
            assert (
                page.locator(
                    "#interactive-map .leaflet-overlay-pane svg, "
                    "#interactive-map .leaflet-tracks-pane path"
                ).count()
                > 0
            )
            page.screenshot(path=str(tmp_path / "alone.png"))
        finally:
            browser.close()
    assert blocked == [] and failed == [] and errors == []
