"""Browser journeys: the app served by a real server on 127.0.0.1, driven by Debian's Chromium.

The server has its own SQLite database, built by the migrations and loaded with the demo school.
Without Chromium the journeys skip with one line; with SCHOOLPEERS_E2E_REQUIRED=1 (CI) they fail.
"""
from __future__ import annotations

import logging
import secrets
import shutil
import threading
from pathlib import Path

import pytest
from flask import got_request_exception
from werkzeug.serving import make_server

from tests.e2e.availability import CHROMIUM, REQUIRED, missing_browser
from tests.e2e.journey import DESKTOP, PHONE, Journey
from tests.e2e.timings import TIMINGS

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "e2e-screenshots"


@pytest.fixture(scope="session", autouse=True)
def _browser_required():
    """Without a browser the journeys module skips itself; where they are required, that fails."""
    reason = missing_browser()
    if reason and REQUIRED:
        pytest.fail(f"browser journeys are required here: {reason}", pytrace=False)


class LiveServer:
    def __init__(self, app, base_url: str):
        self.app = app
        self.base_url = base_url
        self.errors: list[str] = []


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from schoolpeers import create_app
    from schoolpeers.demo import build_demo_school
    from schoolpeers.extensions import db
    from schoolpeers.schema import upgrade

    database = tmp_path_factory.mktemp("e2e") / "e2e.sqlite"
    # Production-like: CSRF on, the development error pages; jobs run inline (no consumer here). The
    # limiter stays off because its settings are shared with the test suite's own app in this process.
    app = create_app("development", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_ENABLED": False, "MAIL_SERVER": None, "JOBS_RUN_INLINE": True,
    })
    with app.app_context():
        upgrade()
        build_demo_school()
        db.session.commit()
    server = LiveServer(app, "")
    got_request_exception.connect(lambda sender, exception, **extra: server.errors.append(repr(exception)),
                                  app, weak=False)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    server.base_url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_journey(browser, live_server):
    """open_journey(name, phone=False): a fresh browser profile at desktop (or phone) size."""
    contexts = []

    def _open(name: str, *, phone: bool = False) -> Journey:
        viewport = PHONE if phone else DESKTOP
        context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone,
                                      accept_downloads=True, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        folder = SCREENSHOTS / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return Journey(name=name, page=context.new_page(), base_url=live_server.base_url, screenshots=folder,
                       viewport=viewport, timings=TIMINGS, server_errors=live_server.errors)

    yield _open
    for context in contexts:
        context.close()

