"""In a real browser: an OSS event made from the template by one user, shared with the team, and
used by a teammate to invoke `oss-thumbnail` on fclocal through a real worker; the function's log
names the bucket and key. The live preview and the picker are what only JavaScript does here.
"""

import os
from pathlib import Path

import pytest

from invocations.models import CredentialProfile
from tests.fixtures.chromium import launch as launch_chromium
from tests.fixtures.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    """Requested last: Playwright's sync API runs an event loop in this thread, under which the
    ORM would refuse to run, so every row a test needs is made before it starts."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture
def fclocal_for_everyone(fclocal):
    profile = CredentialProfile(
        name="local",
        account_id=fclocal.account_id,
        access_key_id=fclocal.access_key_id,
        endpoint=fclocal.url,
        all_invokers=True,
    )
    profile.set_secret(fclocal.access_key_secret)
    profile.save()
    return profile


def shot(page, name: str) -> None:
    """`make screenshots` (SCREENSHOTS=dir) keeps pictures of the pages for the docs."""
    if os.environ.get("SCREENSHOTS"):
        Path(os.environ["SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(os.environ["SCREENSHOTS"]) / f"{name}.png"), full_page=True)


def sign_in(browser, live_server, user):
    page = browser.new_context().new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def aim_invoke_form(page, live_server, profile, function: str) -> None:
    """Open the invoke form at demo/`function`; leaving the field makes the pickers load."""
    page.goto(f"{live_server.url}/invoke/")
    page.select_option("#id_profile", str(profile.uuid))
    page.fill("#id_service", "demo")
    page.fill("#id_function", function)
    page.locator("#id_function").blur()


def test_a_teammate_invokes_oss_thumbnail_with_a_shared_template_event(
    live_server, celery_worker, fclocal_for_everyone, invoker, other_invoker, browser
):
    author = sign_in(browser, live_server, invoker)
    author.goto(f"{live_server.url}/events/new/oss/")
    author.fill("#id_p-bucket", "team-photos")
    author.fill("#id_p-key", "uploads/2024/cat.png")
    # The preview follows the parameters as they are typed (htmx fragment).
    author.wait_for_function(
        "document.querySelector('#preview-body').textContent.includes('uploads/2024/cat.png')"
    )
    assert "acs:oss:cn-hangzhou:1234567890123456:team-photos" in author.text_content("#preview-body")
    shot(author, "events-from-template")
    author.fill("#id_name", "thumb-cat")
    author.check("input[name=visibility][value=team]")
    author.fill("#id_target_service", "demo")
    author.fill("#id_target_function", "oss-thumbnail")
    author.click("text=Save event")
    author.wait_for_url("**/events/*-*/")
    assert author.is_visible("h1 .badge.team")
    assert "uploads/2024/cat.png" in author.text_content("#event-body")
    shot(author, "event-detail")

    # A draft can be tried without saving it: the invoke form opens with the previewed event.
    author.goto(f"{live_server.url}/events/new/oss/")
    author.fill("#id_p-key", "drafts/dog.png")
    author.wait_for_function("document.querySelector('#preview-body').textContent.includes('drafts/dog.png')")
    author.click("text=Invoke without saving")
    author.wait_for_function("document.querySelector('#id_event_text').value.includes('drafts/dog.png')")

    teammate = sign_in(browser, live_server, other_invoker)
    aim_invoke_form(teammate, live_server, fclocal_for_everyone, "oss-thumbnail")
    # The event aimed at this function heads the picker; choosing it fills the editor.
    teammate.click(".ev-picker-list .ev-pick >> text=thumb-cat")
    teammate.wait_for_function(
        "document.querySelector('#id_event_text').value.includes('uploads/2024/cat.png')"
    )
    shot(teammate, "invoke-with-saved-event")
    teammate.click("#invoke-button")
    teammate.wait_for_url("**/invocations/*-*/")
    teammate.wait_for_selector("#log-tail")
    log = teammate.text_content("#log-tail")
    assert "thumbnail for oss://team-photos/uploads/2024/cat.png" in log


@pytest.fixture
def http_event(invoker):
    from invocations.fc import events as templates
    from savedevents.models import SavedEvent

    body = templates.render("http", method="PUT", path="/items/7", queries="name=fc", body='{"size": 3}')
    return SavedEvent(
        owner=invoker, name="put-item", body=body, target_service="demo", target_function="http-hello"
    ).save_new(invoker)


def test_an_http_request_event_fills_the_invoke_forms_http_fields(
    live_server, celery_worker, fclocal_for_everyone, invoker, http_event, browser
):
    page = sign_in(browser, live_server, invoker)
    aim_invoke_form(page, live_server, fclocal_for_everyone, "http-hello")
    # The form finds the HTTP trigger first (it redraws its HTTP fields), then the event is chosen.
    page.wait_for_selector("#http-request:not([hidden])")
    page.click(".ev-picker-list .ev-pick >> text=put-item")
    page.wait_for_function("document.querySelector('#id_http_path').value === '/items/7'")
    assert page.input_value("#id_http_method") == "PUT"
    assert page.input_value("#id_http_query") == "name=fc"
    assert page.input_value("#id_event_text") == '{\n  "size": 3\n}'
    page.click("#invoke-button")
    page.wait_for_url("**/invocations/*-*/")
    page.wait_for_selector(".result")
    result = page.text_content(".result")
    assert "/items/7" in result and "name=fc" in result and "PUT" in result
