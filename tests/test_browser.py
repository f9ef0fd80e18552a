"""A real browser on the running app: Debian's chromium, headless, driven by Playwright.

The browser is installed through the project's own ``scripts/install-browser`` (apt-get, as
root) when missing; if it cannot be installed the test fails and says how to fix it.
Screenshots go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.config import Config
from bot.request import ReportRequest
from bot.store.cache import cached_build
from tests.fakes.slack import FakeSlack
from tests.support import ROOT, running_server

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> <!channel>'


def _chromium() -> str:
    """The system chromium, installed by scripts/install-browser when it is missing."""
    found = shutil.which("chromium")
    if found:
        return found
    done = subprocess.run(
        [str(ROOT / "scripts" / "install-browser")], capture_output=True, text=True, timeout=900
    )
    found = shutil.which("chromium")
    if done.returncode != 0 or not found:
        pytest.fail(
            "chromium is needed for the browser test and could not be installed by "
            f"scripts/install-browser (exit {done.returncode}): {done.stderr.strip()[-800:]}\n"
            "Install it with: sudo scripts/install-browser",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _long_file(n: int, changed: set[int]) -> str:
    return "".join(
        (f"changed line {i} {HOSTILE}\n" if i in changed else f"line {i}\n") for i in range(1, n)
    )


@pytest.fixture
def report_page(config: Config, make_repo) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """The running app (uvicorn on 127.0.0.1) serving a real report built through the cache."""
    first = {f"src/module_{i}.py": _long_file(80, set()) for i in range(8)}
    second = {f"src/module_{i}.py": _long_file(80, {10 + i, 40, 41}) for i in range(8)}
    second["docs/notes.md"] = f"# Notes {HOSTILE}\n\nA new page.\n"
    root, _ = make_repo([first, second])
    request = ReportRequest(source="HEAD~1...HEAD", git_path=str(root), summarizer="heuristic")
    outcome = cached_build(request, config)
    with FakeSlack() as slack:  # the app's Bolt half checks its token at start-up
        served = replace(
            config,
            slack_api_url=slack.api_url,
            slack_bot_token=slack.token,
            slack_signing_secret="browser-test",
        )
        with running_server(served) as base:
            yield f"{base}/reports/{outcome.report_id}", outcome.report


def _in_viewport(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                 return r.top >= 0 && r.top < window.innerHeight; }""",
            selector,
        )
    )


def test_report_page_in_a_real_browser(browser: Browser, report_page) -> None:  # type: ignore[no-untyped-def]
    url, report = report_page
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(5000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        response = page.goto(url)
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text(report.title)
        expect(page.locator("#highlights")).to_be_visible()
        assert page.evaluate("window.__pwned") is None, "repository text ran as script"
        page.screenshot(path=str(ARTIFACTS / "browser-report-top.png"))

        # Every diff starts collapsed; opening one shows coloured, numbered lines.
        first = next(f for f in report.files if f.additions and f.deletions)
        section = page.locator(f"#{first.anchor}")
        added = section.locator("tr.add").first
        expect(added).to_be_hidden()
        section.locator("details > summary").click()
        expect(added).to_be_visible()
        old_no, new_no, code = added.locator("td").all_inner_texts()
        assert old_no == "" and new_no.isdigit() and code.startswith("+")
        add_bg = added.locator("td").nth(2).evaluate("e => getComputedStyle(e).backgroundColor")
        del_bg = section.locator("tr.del td:nth-child(3)").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        assert add_bg != del_bg and add_bg not in ("rgba(0, 0, 0, 0)", "transparent")
        expect(section.locator("tr.add td").nth(2)).to_contain_text("<script>")
        page.screenshot(path=str(ARTIFACTS / "browser-report-diff.png"))

        # A summary-table link scrolls to the file's section.
        last = report.files[-1]
        page.locator(f'#summary-table a[href="#{last.anchor}"]').click()
        page.wait_for_function(f"location.hash === '#{last.anchor}'")
        assert _in_viewport(page, f"#{last.anchor}")
        expect(page.locator(f"#{last.anchor} h3")).to_have_text(last.filename)
        expect(page.locator(f"#{last.anchor} h4").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "browser-report-link.png"))

        # Works offline: the page asked for nothing but itself (no fonts, scripts, images).
        origin = url.split("/reports/", 1)[0]
        assert requested and all(r.startswith(url) or r == origin for r in requested), requested
    finally:
        page.close()


def test_report_page_fits_a_phone(browser: Browser, report_page) -> None:  # type: ignore[no-untyped-def]
    url, report = report_page
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.set_default_timeout(5000)
    try:
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / "browser-report-phone-top.png"))
        page.locator(f"#{report.files[0].anchor} details > summary").click()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, "the page scrolls sideways on a phone; only the diff box may"
        expect(page.locator("#summary-table table")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "browser-report-phone.png"))
    finally:
        page.close()


def test_unknown_report_in_a_browser(browser: Browser, report_page) -> None:  # type: ignore[no-untyped-def]
    url, _ = report_page
    page = browser.new_page()
    page.set_default_timeout(5000)
    try:
        response = page.goto(url.rsplit("/", 1)[0] + "/0123456789abcdef0123456789abcdef")
        assert response is not None and response.status == 404
        expect(page.locator("h1")).to_have_text("Report not found")
    finally:
        page.close()
