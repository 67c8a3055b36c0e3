"""A real browser for the page's tests: Debian's chromium, driven by Playwright for Python.

Playwright never downloads a browser here: it is pointed at the system's
``/usr/bin/chromium`` (the test set-up installs it) and started with the flags
that keep Chromium off the network (no background, component-update, sync or
QUIC traffic), in a fresh profile Playwright creates for each launch.

Every page a test opens records what it asks for (requests, dialogs, console
errors such as CSP refusals, page errors), so a test can assert that nothing
went to another host and nothing ran that should not have.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("TXDIAG_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tools" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "page-screenshots"  # test artefacts (build/ is not committed)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
)
TIMEOUT_MS = 15_000
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, headings, one main)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@dataclass
class Recorder:
    """What one browser context saw."""

    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign(self, base: str) -> list[str]:
        """Requests to anything but the server under test (scheme, host and port must all match)."""
        origin = urlsplit(base)
        return [u for u in self.requests if (urlsplit(u).scheme, urlsplit(u).netloc) != (origin.scheme, origin.netloc)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for all the browser tests (they live in one module); each test gets its own context.

    Module-scoped on purpose: Playwright's sync API holds an event loop on the
    main thread while it is open, which would stop every asyncio test that runs
    after it; closed at the end of the module, it leaves none behind.
    """
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: the test set-up (scripts/install-test-deps.sh) installs chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(FLAGS))
        try:
            yield instance
        finally:
            instance.close()


def open_context(browser: Any, *, width: int = 1280, height: int = 900, **options: Any) -> tuple[Any, Recorder]:
    """A fresh context (its own cookies and cache) that records every request, dialog and error."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    seen = Recorder()
    context.on("request", lambda r: seen.requests.append(r.url))

    def watch(page: Any) -> None:
        def on_dialog(d: Any) -> None:
            seen.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.page_errors.append(str(e)))

    context.on("page", watch)
    return context, seen


def axe_violations(page: Any, *, without: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Run axe-core (pinned in tools/) inside the page; its violations, shortened for a readable failure.

    It is evaluated through the DevTools protocol, which the page's CSP does
    not govern; the page itself still runs no inline script. ``without`` names
    rules not to run; a test that uses it must show why the rule's concern is met.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async ([tags, off]) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: Object.fromEntries(off.map(id => [id, {enabled: false}])), resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))",
        [AXE_TAGS, list(without)],
    )
    violations: list[dict[str, Any]] = json.loads(json.dumps(result))
    return violations


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """A PNG under build/page-screenshots/ (kept as a test artefact): the whole page, or what the first screen shows."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
