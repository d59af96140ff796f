"""FC 3.0 in the browser: a target without a service, picked from FC's own lists, run by a real
worker against fclocal's 3.0 demo, followed live to its end, and found again in the history."""

import pytest

from tests.browser.test_console import invocation_of, submit, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def pick(page, field: str, datalist: str, value: str) -> None:
    """Focus `field` (the page then fetches its list through the profile) and take `value` from
    the list FC answered: it must be there."""
    page.click(field)
    option = page.wait_for_selector(f"{datalist} option[value='{value}']", state="attached")
    page.fill(field, option.get_attribute("value"))
    page.dispatch_event(field, "change")


def test_an_fc3_async_task_is_invoked_from_the_form_and_followed_to_succeeded(
    page, live_server, sign_in, invoker, fclocal_profile, beat, screenshot
):
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/invoke/")
    assert "FC 2.0 only" in page.inner_text("label[for=id_service]")
    page.select_option("#id_profile", str(fclocal_profile.uuid))
    # No service: the function list is the region's FC 3.0 functions.
    pick(page, "#id_function", "#functions-list", "async-job")
    assert page.locator("#functions-list option[value='http-echo']").count() == 1
    assert page.locator("#functions-list option[value='stateful-job']").count() == 0
    # The qualifiers are the function's own aliases and versions.
    page.click("#id_qualifier")
    page.wait_for_selector("#qualifiers-list option[value='prod']", state="attached")
    page.click("label[for=id_invocation_type_1]")  # Async
    page.fill("#id_event_text", '{"seconds": 2}')
    submit(page)

    assert page.inner_text("h1").startswith("async-job")
    assert "FC 3.0" in page.inner_text("h1")
    assert page.inner_text("#target").endswith("· async-job")
    wait_for(page, ".timeline .step.running")
    wait_for(page, ".timeline .step.succeeded")
    wait_for(page, "#live .status .badge.succeeded")
    assert page.evaluate("window.__sameDocument") is True
    assert page.inner_text(".timeline h2").startswith("Async task")
    steps = page.locator(".timeline .step .badge").all_inner_texts()
    assert steps[0] == "Enqueued" and steps[-1] == "Succeeded"
    assert steps.index("Running") < steps.index("Succeeded")
    invocation = invocation_of(page)
    assert (invocation.service, invocation.function, invocation.state) == ("", "async-job", "succeeded")
    screenshot(page, "invocation-fc3")

    page.goto(f"{live_server.url}/history/")
    row = page.locator(
        "table.history tbody tr", has=page.locator(f"a[href='/invocations/{invocation.uuid}/']")
    )
    assert row.locator("td.target").inner_text() == "async-job"
    assert row.locator(".badge.succeeded").count() == 1
    row.locator("td.target a").click()
    page.wait_for_url("**/functions/async-job/")
    assert "FC 3.0" in page.inner_text("h1")
    assert page.inner_text(".ratio .big") == "100%"


def test_an_fc3_async_task_can_be_stopped_from_its_page(
    page, live_server, sign_in, invoker, fclocal_profile, beat
):
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/invoke/")
    page.select_option("#id_profile", str(fclocal_profile.uuid))
    page.fill("#id_function", "async-job")
    page.click("label[for=id_invocation_type_1]")
    page.fill("#id_event_text", '{"seconds": 60}')
    submit(page)
    wait_for(page, ".timeline .step.running")
    page.once("dialog", lambda dialog: dialog.accept())  # Stop asks first
    page.click("button.danger:has-text('Stop')")
    page.wait_for_selector(".messages :text('Stop requested')")
    wait_for(page, "#live .status .badge.stopped")
    assert invocation_of(page).state == "stopped"


def test_an_fc3_http_function_is_called_through_its_trigger_from_the_form(
    page, live_server, sign_in, invoker, fclocal_profile, beat, screenshot
):
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/invoke/")
    page.select_option("#id_profile", str(fclocal_profile.uuid))
    pick(page, "#id_function", "#functions-list", "http-echo")
    page.wait_for_selector("#http-request:not([hidden])")
    assert page.is_checked("#id_as_http")
    page.select_option("#id_http_method", "POST")
    page.fill("#id_http_path", "/greet")
    page.fill("#id_http_query", "lang=en")
    page.click("label[for=id_event_kind_1]")  # Text
    page.fill("#id_event_text", "hi there")
    submit(page)
    wait_for(page, "#live .badge.succeeded")
    # What was sent, and what came back (the 3.0 event the function received, echoed).
    assert page.inner_text(".request-line") == "POST /greet?lang=en"
    page.reload()  # the request URL is written by the worker; the page shows it once known
    assert "/2023-03-30/proxy/http-echo/greet" in page.inner_text(".request-url")
    assert page.inner_text(".response-line") == "HTTP 200"
    assert "x-demo: http-echo" in page.inner_text(".result").lower()
    result = page.inner_text(".result pre")
    assert '"rawPath": "/greet"' in result and '"body": "hi there"' in result
    # The raw exchange: the request as sent, its signature masked, and FC's answer headers.
    page.click("#raw-exchange summary")
    exchange = page.inner_text("#raw-exchange pre")
    assert "> POST " in exchange and "< HTTP 200" in exchange
    assert "Signature=****" in exchange or "authorization" not in exchange.lower()  # anonymous trigger
    screenshot(page, "invocation-http")
