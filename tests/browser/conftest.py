"""Fixtures for the browser tests: serve ``_build/html`` on 127.0.0.1 and drive Debian's Chromium.

The site must work without internet, so every request a page makes is watched: a request to
any host other than the local server is recorded and aborted (the test then fails), and so are
failed requests, HTTP errors, uncaught page errors and every console error (Jupyter Book 1's
duplicated ``THEBE_JS_URL`` declaration is removed by ``tools/sphinx_site_fixes.py``).

Environment variables (optional): ``GMM_SITE_DIR`` (default ``_build/html``), ``CHROMIUM``
(default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE_DIR = Path(os.environ.get("GMM_SITE_DIR", ROOT / "_build" / "html"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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
LOCAL_HOST = "127.0.0.1"
# Console errors tolerated on every page: none. (sphinx-thebe's config script used to be included
# twice, "THEBE_JS_URL has already been declared"; tools/sphinx_site_fixes.py keeps it once.)
KNOWN_CONSOLE_ERRORS: tuple[str, ...] = ()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(f"{SITE_DIR}/index.html is missing: build the site first with `make book`")
    return SITE_DIR


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium); "
            "or set CHROMIUM to a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright hides scrollbars in headless mode by default; a reader's browser shows them,
        # and test_reading.py checks that wide equations have a visible one.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=["--hide-scrollbars"]
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageProblems:
    """Everything a page did that a working offline site must not do."""

    outside_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def all(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.__dict__.items() if v}

    def assert_clean(self) -> None:
        problems = self.all()
        assert not problems, f"the page misbehaved: {problems}"


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == LOCAL_HOST


@pytest.fixture
def watched_page(browser):
    """A fresh page whose outside requests are aborted and whose problems are recorded.

    Yields ``(page, problems)``; the test decides when to ``problems.assert_clean()``.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems = PageProblems()

    def route(route):
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            problems.outside_requests.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()

    def on_failed(request):
        if _is_local(request.url):  # outside requests are already recorded above
            problems.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(response):
        if response.status >= 400:
            problems.http_errors.append(f"{response.status} {response.url}")

    def on_console(message):
        if message.type == "error" and not any(k in message.text for k in KNOWN_CONSOLE_ERRORS):
            problems.console_errors.append(message.text)

    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("console", on_console)

    def on_page_error(error):
        if not any(k in str(error) for k in KNOWN_CONSOLE_ERRORS):
            problems.page_errors.append(str(error))

    page.on("pageerror", on_page_error)
    try:
        yield page, problems
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
