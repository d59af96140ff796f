"""The live invocation page: what only JavaScript and htmx do, in a real browser."""

import pytest

from invocations.models import Invocation, InvocationState
from tests.fixtures.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def fill_invoke_form(page, live_server, profile, function, event, *, invocation_type="sync"):
    page.goto(f"{live_server.url}/invoke/")
    page.select_option("#id_profile", str(profile.uuid))
    page.fill("#id_service", "demo")
    page.fill("#id_function", function)
    if invocation_type == "async":
        page.click("label[for=id_invocation_type_1]")
    page.fill("#id_event_text", event)


def submit(page):
    page.click("#invoke-button")
    page.wait_for_url("**/invocations/*/")
    # Set a marker in this document: if the page reloaded, the marker would be gone.
    page.evaluate("window.__sameDocument = true")


def invocation_of(page) -> Invocation:
    return Invocation.objects.get(uuid=page.url.rstrip("/").rsplit("/", 1)[1])


def wait_for(page, selector: str, timeout: float = 30_000) -> None:
    """Wait for `selector`; on timeout, say what the row is doing (the likeliest question)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(selector, timeout=timeout)
    except PlaywrightTimeout:
        row = invocation_of(page)
        raise AssertionError(
            f"{selector} did not appear; the row is {row.state} ({row.state_reason or 'no reason'}), "
            f"async status {row.async_status or '-'}; page shows: {page.inner_text('#live')[:500]}"
        ) from None


def test_invoking_hello_shows_its_result_and_log_without_a_reload(
    page, live_server, sign_in, invoker, fclocal_profile, beat, screenshot
):
    sign_in(page, invoker)
    fill_invoke_form(page, live_server, fclocal_profile, "hello", '{"name":"browser","n":1}')
    page.click("[data-pretty-print]")
    assert page.input_value("#id_event_text") == '{\n  "name": "browser",\n  "n": 1\n}'
    screenshot(page, "invoke-form")
    submit(page)
    wait_for(page, "#live .badge.succeeded")
    assert page.evaluate("window.__sameDocument") is True
    assert '"name": "browser"' in page.inner_text(".result pre")
    assert "received" in page.inner_text("#log-tail")
    assert page.inner_text(".metrics").count("MB") >= 2
    assert invocation_of(page).state == "succeeded"


def test_a_function_with_an_http_trigger_is_called_with_an_http_request(
    page, live_server, sign_in, invoker, fclocal_profile, beat
):
    sign_in(page, invoker)
    fill_invoke_form(page, live_server, fclocal_profile, "hello", "")
    assert page.is_hidden("#http-request")
    page.fill("#id_function", "http-hello")
    page.dispatch_event("#id_function", "change")
    page.wait_for_selector("#http-request:not([hidden])")
    assert page.is_checked("#id_as_http")
    assert page.is_disabled("#id_http_method option[value=PATCH]")
    page.select_option("#id_http_method", "POST")
    page.fill("#id_http_path", "/greet")
    page.fill("#id_http_query", "lang=en")
    # FC is asked again (the same function re-chosen): what was typed stays.
    with page.expect_response("**/invoke/trigger?*"):
        page.dispatch_event("#id_function", "change")
    assert page.input_value("#id_http_path") == "/greet"
    page.click("label[for=id_event_kind_1]")  # Text
    page.fill("#id_event_text", "hi there")
    submit(page)
    wait_for(page, "#live .badge.succeeded")
    result = page.inner_text(".result pre")
    assert '"method": "POST"' in result and '"path": "/greet"' in result
    assert '"query": "lang=en"' in result and '"body": "hi there"' in result
    # Back to an event function: the HTTP fields go away and an event is sent.
    page.goto(f"{live_server.url}/invoke/?from={invocation_of(page).uuid}")
    assert page.is_visible("#http-request")
    page.fill("#id_function", "hello")
    page.dispatch_event("#id_function", "change")
    page.wait_for_selector("#http-request[hidden]", state="attached")
    assert not page.is_checked("#id_as_http")


def test_a_running_invocation_shows_elapsed_time_then_its_result(
    page, live_server, sign_in, invoker, fclocal_profile, beat, screenshot
):
    sign_in(page, invoker)
    fill_invoke_form(page, live_server, fclocal_profile, "slow", '{"seconds": 5}')
    submit(page)
    wait_for(page, "#live[data-state=running] .elapsed:has-text('running for')")
    wait_for(page, "#live .badge.succeeded")
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator(".elapsed").count() == 0
    screenshot(page, "invocation")


def test_a_hidden_tab_does_not_poll_and_catches_up_when_shown(
    page, live_server, sign_in, invoker, fclocal_profile, beat
):
    sign_in(page, invoker)
    fill_invoke_form(page, live_server, fclocal_profile, "slow", '{"seconds": 5}')
    submit(page)
    wait_for(page, "#live[data-state=running]")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if request.url.endswith("/live") else None)
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {get: () => true, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.wait_for_timeout(3000)  # three poll intervals of a running invocation
    assert polls == []
    with page.expect_request("**/live"):
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {get: () => false, configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
    wait_for(page, "#live .badge.succeeded")


def test_history_and_function_pages_show_finished_invocations(
    page, live_server, sign_in, invoker, fclocal_profile, beat, screenshot
):
    # A few real invocations through the worker, so the pages have something to show.
    for function, event in [
        ("hello", b'{"n": 1}'),
        ("hello", b'{"n": 2, "pad": "' + b"x" * 4000 + b'"}'),
        ("fail", b"{}"),
        ("hello", b'{"n": 3}'),
        ("no-such-function", b"{}"),
        ("hello", b'{"n": 4}'),
    ]:
        Invocation.objects.submit(
            user=invoker, profile=fclocal_profile, region="", service="demo", function=function, event=event
        )
    wait_until(
        lambda: not Invocation.objects.exclude(state__in=InvocationState.terminal()).exists(),
        seconds=30,
        what="the worker finishing the invocations",
    )
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/history/")
    assert page.locator("table.history tbody tr").count() == 6
    assert page.locator("table.history .badge.failed").count() == 1
    assert page.locator("table.history :text('FunctionNotFound')").count() == 1
    screenshot(page, "history")
    page.goto(f"{live_server.url}/functions/demo/hello/")
    assert page.locator("svg.chart circle.dot.duration").count() == 4
    assert page.inner_text(".ratio .big") == "100%"
    screenshot(page, "function")


def test_history_pages_go_older_and_back_newer(page, live_server, sign_in, invoker, fclocal_profile):
    from invocations.forms.history import PAGE_SIZE

    Invocation.objects.bulk_create(
        Invocation(
            user=invoker,
            profile=fclocal_profile,
            region="cn-hangzhou",
            service="demo",
            function=f"page-{i:03d}",
            state=InvocationState.SUCCEEDED,
        )
        for i in range(PAGE_SIZE + 3)
    )
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/history/")
    newest = page.locator("table.history tbody tr").all_inner_texts()
    assert len(newest) == PAGE_SIZE
    assert page.locator("nav.pager :text('Newer')").count() == 0
    page.click("nav.pager :text('Older')")
    assert page.locator("table.history tbody tr").count() == 3
    page.click("nav.pager :text('Newer')")
    assert page.locator("table.history tbody tr").all_inner_texts() == newest
    assert page.locator("nav.pager :text('Newer')").count() == 0


def test_an_async_stateful_job_is_followed_to_succeeded(
    page, live_server, sign_in, invoker, fclocal_profile, beat, screenshot
):
    sign_in(page, invoker)
    fill_invoke_form(
        page, live_server, fclocal_profile, "stateful-job", '{"seconds": 2}', invocation_type="async"
    )
    submit(page)
    wait_for(page, ".timeline .step.running")
    wait_for(page, ".timeline .step.succeeded")
    wait_for(page, "#live .status .badge.succeeded")
    assert page.evaluate("window.__sameDocument") is True
    steps = page.locator(".timeline .step .badge").all_inner_texts()
    assert steps[-1] == "Succeeded"
    assert steps.index("Running") < steps.index("Succeeded")
    screenshot(page, "async-timeline")


def test_an_async_job_can_be_stopped(page, live_server, sign_in, invoker, fclocal_profile, beat):
    sign_in(page, invoker)
    fill_invoke_form(
        page, live_server, fclocal_profile, "stateful-job", '{"seconds": 60}', invocation_type="async"
    )
    submit(page)
    wait_for(page, ".timeline .step.running")
    page.once("dialog", lambda dialog: dialog.accept())  # Stop asks first
    page.click("button.danger:has-text('Stop')")
    page.wait_for_selector(".messages :text('Stop requested')")
    wait_for(page, "#live .status .badge.stopped")
    assert invocation_of(page).state == "stopped"
