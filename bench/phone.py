"""`python -m bench.phone`: the officer's task page on a phone over Fast 3G.

The demo data of `make run` (300 companies a branch, today's morning sweep), the app served on
a local port, Debian's Chromium at 390×844 with the network throttled through the DevTools
protocol to Chrome's "Fast 3G" preset (562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s
up). It loads the officer's `/tasks/` cold (empty cache) and warm (the layout's CSS and
JavaScript cached from an earlier page, as all day on the phone), with compression on and off,
and prints the bytes sent and the times the browser measured, as JSON.

    python -m bench.phone                 # about two minutes
"""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import threading
from pathlib import Path
from typing import Any

import flask_migrate
from werkzeug.serving import make_server

from outreach import create_app
from outreach.core import clock
from outreach.extensions import db

#: Chrome DevTools' "Fast 3G" preset, as Network.emulateNetworkConditions takes it
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 1_474_560 / 8,
           "uploadThroughput": 675_000 / 8}
CHROMIUM = "/usr/bin/chromium"
RUNS = 5
PASSWORD = "demo12345"  # noqa: S105 - the demo's

TIMING = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {html_bytes: nav.transferSize, html_decoded: nav.decodedBodySize,
          response_end_ms: nav.responseEnd, dom_content_loaded_ms: nav.domContentLoadedEventEnd,
          load_ms: nav.loadEventEnd, first_contentful_paint_ms: paint ? paint.startTime : null,
          cards: document.querySelectorAll('li.task-card').length};
}"""


def _serve(compressed: bool, database: Path):
    overrides: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                                 "SECRET_KEY": "bench-only"}
    if not compressed:
        overrides["COMPRESS_MIMETYPES"] = []  # Flask-Compress then leaves every response
    server = make_server("127.0.0.1", 0, create_app(overrides), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _seed(database: Path) -> None:
    from outreach.maintenance import demo
    from outreach.scheduler import jobs

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "SECRET_KEY": "bench-only"})
    with app.app_context():
        flask_migrate.upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
        demo.seed(companies_per_branch=300, password=PASSWORD)
        db.session.commit()
        jobs.morning_sweep(clock.today())


def _measure(browser, base_url: str, warm: bool) -> dict[str, Any]:
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844},
                                  device_scale_factor=3, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto("/auth/login")
    page.fill("#email", "officer1.pkl@outreach-demo.id")
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/tasks/")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if not warm:
        cdp.send("Network.clearBrowserCache")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    page.goto("/tasks/", wait_until="load")
    result = page.evaluate(TIMING)
    context.close()
    return result


def main() -> None:
    """Measure and print the figures."""
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "phone.db"
        _seed(database)
        figures: dict[str, Any] = {"network": "Fast 3G (562.5 ms RTT, 1.44 Mbit/s down)",
                                   "runs": RUNS}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            for compressed in (True, False):
                server = _serve(compressed, database)
                base = f"http://127.0.0.1:{server.server_port}"
                for warm in (False, True):
                    runs = [_measure(browser, base, warm) for _ in range(RUNS)]
                    key = f"{'gzip' if compressed else 'plain'}_{'warm' if warm else 'cold'}"
                    figures[key] = {name: round(statistics.median(r[name] for r in runs))
                                    for name in runs[0] if runs[0][name] is not None}
                server.shutdown()
            browser.close()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
