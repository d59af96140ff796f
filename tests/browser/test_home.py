"""The home page in a real browser: its live part follows invocations a real worker runs against
fclocal, and its failure groups lead to the history filtered on them."""

import pytest

from invocations.models import Invocation, InvocationState
from tests.fixtures.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def submit(invoker, profile, function, event=b"{}"):
    return Invocation.objects.submit(
        user=invoker, profile=profile, region="", service="demo", function=function, event=event
    )


def all_finished():
    return not Invocation.objects.exclude(state__in=InvocationState.terminal()).exists()


def test_a_running_invocation_on_the_home_becomes_finished_without_a_reload(
    page, live_server, sign_in, invoker, fclocal_profile, beat
):
    sign_in(page, invoker)
    slow = submit(invoker, fclocal_profile, "slow", b'{"seconds": 3}')
    page.goto(f"{live_server.url}/")
    page.wait_for_selector(f'#running tr[data-uuid="{slow.uuid}"]')
    # Set a marker in this document: if the page reloaded, the marker would be gone.
    page.evaluate("window.__sameDocument = true")
    page.wait_for_selector(f'#running tr[data-uuid="{slow.uuid}"] .elapsed:has-text("running for")')
    page.wait_for_selector(f'#mine tr[data-uuid="{slow.uuid}"] .badge.succeeded')
    assert page.locator(f'#running tr[data-uuid="{slow.uuid}"]').count() == 0
    assert "Nothing is running or waiting for a worker right now." in page.inner_text("#running")
    assert page.evaluate("window.__sameDocument") is True
    assert page.get_attribute("#home-live", "data-active") == "false"


def test_a_failure_group_links_to_the_history_filtered_on_it_and_the_home_fits_a_phone(
    page, live_server, sign_in, invoker, fclocal_profile, beat, screenshot
):
    failed = submit(invoker, fclocal_profile, "fail")
    submit(invoker, fclocal_profile, "hello", b'{"name": "home"}')
    submit(invoker, fclocal_profile, "no-such-function")
    wait_until(all_finished, seconds=30, what="the worker to finish the invocations")
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/")
    rows = page.locator("#failures tbody tr")
    assert rows.count() == 2
    group = page.locator("#failures tbody tr", has_text="UnhandledInvocationError")
    assert "demo/fail" in group.inner_text()
    assert "demo/hello" in page.inner_text("#most-used")
    screenshot(page, "home")

    # At 390 px wide nothing sticks out sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    sideways = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => (e.closest('[id]') || {}).id + ' ' + e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert sideways == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    group.locator("a").first.click()
    page.wait_for_url("**/history/?*")
    assert page.locator("table.history tbody tr").count() == 1
    assert page.locator(f'table.history a[href="/invocations/{failed.uuid}/"]').count() == 1
    assert page.input_value("#id_function") == "fail"
