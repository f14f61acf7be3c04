"""Browser tests: the local stack in a subprocess, Debian's Chromium driven by Playwright, axe-core
injected into every page checked, screenshots at phone and desktop widths.

axe-core comes from the npm registry, pinned in tests/browser/package.json; the ``axe`` fixture
installs it (``npm ci --prefix tests/browser``) when it is not there yet, so the step is idempotent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.stack_process import local_stack

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = ("serious", "critical")
STRAY_TEXT = re.compile(r"\b(?:null|undefined|false|true|NaN)\b|\[object \w+\]")


@pytest.fixture(scope="session")
def web_url() -> Iterator[str]:
    """``python -m infra.local --port 0 --demo`` as ``make dev`` runs it; its ``READY <url>`` line."""
    # A notice window of a few seconds: the journeys count coalesced notices without waiting long.
    with local_stack("browser-stack.log", env_extra={"NOTIFY_COALESCE_SECONDS": "3"}) as url:
        yield url


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("axe-core is missing and npm is not installed: run `npm ci --prefix tests/browser`")
        subprocess.run(
            [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """One browser page plus the helpers every test uses."""

    page: Any
    url: str
    axe: str
    errors: list[str]

    def go(self, hash_route: str) -> None:
        self.page.goto(f"{self.url}/{hash_route}")
        self.wait_ready()

    def wait_ready(self) -> None:
        """The page of the current address is drawn: a hash change fires after goto returns, so
        the previous page (idle, with its h1) must not count as the new one."""
        self.page.wait_for_function(
            """() => {
              const main = document.querySelector('main');
              return main && main.getAttribute('aria-busy') === 'false'
                && main.dataset.route === location.hash && main.querySelector('h1') !== null;
            }"""
        )

    def heading(self) -> str:
        return str(self.page.locator("main h1").first.inner_text())

    def shot(self, name: str) -> None:
        """Full-page screenshots at 360 px and 1280 px, then back to the desktop width."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        for label, size in (("360", PHONE), ("1280", DESKTOP)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)

    def check_a11y(self, name: str) -> None:
        """axe-core on the page as it is now: no serious or critical violation (WCAG 2.1 A/AA + best practice)."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through DevTools, not as a <script>: the page's CSP (script-src 'self') stays on.
            self.page.evaluate("() => {\n" + self.axe + "\n}")
        result = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations'],
                  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{name}: accessibility violations: {blocking}"

    def check_text(self, name: str) -> None:
        """No value leaked into the page as text (a null or false rendered as a word)."""
        text = str(self.page.locator("main").inner_text())
        leaked = STRAY_TEXT.findall(text)
        assert not leaked, f"{name}: stray values in the page text: {leaked}"

    def step(self, name: str) -> None:
        """A step of a journey: screenshots at both widths, the accessibility and text checks."""
        self.shot(name)
        self.check_a11y(name)
        self.check_text(name)


@pytest.fixture
def tab(browser: Any, web_url: str, axe_source: str) -> Iterator[Tab]:
    yield from _tab(browser, web_url, axe_source)


def _tab(browser: Any, url: str, axe: str) -> Iterator[Tab]:
    context = browser.new_context(viewport=DESKTOP, locale="es-CL")
    context.set_default_timeout(20_000)  # a loaded 2-core machine is slow, not broken
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # 4xx answers are expected (absent help routes, validation, wrong password); JS errors and 5xx are not.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    yield Tab(page, url, axe, errors)
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
def new_tab(browser: Any, web_url: str, axe_source: str) -> Iterator[Any]:
    """Open more independent tabs (e.g. the citizen while the agent works), each with its own storage."""
    opened: list[Iterator[Tab]] = []

    def open_tab() -> Tab:
        gen = _tab(browser, web_url, axe_source)
        opened.append(gen)
        return next(gen)

    yield open_tab
    for gen in opened:
        next(gen, None)
