"""In a real browser, the enforced policy blocks nothing our pages need (htmx's style included)."""

import pytest
from django.conf import settings as django_settings

from tests.fixtures.chromium import launch as launch_chromium


@pytest.fixture(scope="module")
def page_factory():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures
    # between browser steps are still plain synchronous code.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = launch_chromium(playwright)
        yield browser.new_page
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_load_under_the_enforced_policy_without_violations(settings, live_server, page_factory, admin):
    from tests.fixtures.personas import PASSWORD

    settings.CONTENT_SECURITY_POLICY = django_settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    page = page_factory()
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "alice-admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/team/users/")
    assert page.locator("h1").inner_text() == "Users and roles"
    assert page.evaluate("typeof htmx") == "object", "htmx loaded from our static files"
    assert page.evaluate("document.querySelectorAll('style').length") == 0, "htmx injected no inline style"
    assert violations == []
