"""Browser tests: Debian's Chromium through Playwright's sync API, against a live server with a
real Celery worker and a real fclocal. The browser starts once per module.

Set SCREENSHOTS=<dir> (`make screenshots`) to save PNGs of the pages as the tests pass them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fixtures.chromium import launch as launch_chromium
from tests.fixtures.personas import PASSWORD
from tests.ui.conftest import fclocal_profile  # noqa: F401 - the page tests' fclocal profile, shared


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code. Only while the browser is up: the
    # variable must not leak into other tests' subprocesses (`check --deploy` refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh page; at the end, no Content Security Policy violation may have been reported
    (CSP is report-only outside production, so a violation would otherwise go unnoticed)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert violations == []


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")` saves docs/screenshots/name.png when SCREENSHOTS is set."""
    target = os.environ.get("SCREENSHOTS")

    def save(page, name: str) -> None:
        if not target:
            return
        directory = Path(target) if Path(target).is_absolute() else ROOT / target
        directory.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(directory / f"{name}.png"), full_page=True)

    return save


@pytest.fixture
def sign_in(live_server):
    def sign(page, user) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("header .who")

    return sign


@pytest.fixture
def beat(celery_worker):
    """What `celery beat` does in production: ask the worker to track async tasks every interval,
    and to sweep (re-send a row whose task the queue did not take at submit)."""
    from django.conf import settings

    from invocations.tasks import sweep_rows, track_async

    stop = threading.Event()

    def run() -> None:
        ticks = 0
        while not stop.wait(settings.FC_TRACK_INTERVAL):
            track_async.delay()
            ticks += 1
            if ticks % 3 == 0:
                sweep_rows.delay()

    thread = threading.Thread(target=run, name="test-beat", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(5)
