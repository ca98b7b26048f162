"""Browser fixtures: the real app served on a local port, Debian's Chromium driven by Playwright.

One server and one browser for all the browser tests (stopped when they are done, before
the rest of the suite runs); each test gets a fresh browser context (its own cookies), so
tests never share a sign-in. The server runs against the suite's test database
(the session `app` fixture): a test sets its data up through the services and commits before
it drives the browser, and the usual cleanup empties the tables afterwards.

Missing Chromium or a missing `playwright` package fails these tests (CI must prove them);
never run `playwright install` here, it downloads a browser of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.e2e.scenario import new_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

#: Debian's Chromium, installed by `make install` (the Makefile's `system` target)
CHROMIUM = Path("/usr/bin/chromium")
#: screenshots of each journey's last page, kept by CI as artifacts (git-ignored)
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="package")
def live_server(app: Flask) -> Iterator[str]:
    """The app served by werkzeug on 127.0.0.1 and a free port; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for all the browser tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None:
        pytest.fail("the browser tests need the `playwright` package: run `make install` "
                    "(it is pinned in requirements-dev.txt)", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: run `make install` "
                    "(it installs Debian's chromium package)", pytrace=False)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    except Exception as error:
        playwright.stop()
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A desktop browser context of its own for one test."""
    desktop = new_context(browser, live_server, viewport={"width": 1280, "height": 900})
    yield desktop
    desktop.close()


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A phone-sized, touch browser context (390×844, as an iPhone 12–14)."""
    handset = new_context(browser, live_server, viewport={"width": 390, "height": 844},
                          device_scale_factor=3, is_mobile=True, has_touch=True)
    yield handset
    handset.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder journeys save their last page to."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
