"""In a real browser: a suite built from a saved event runs and passes through a real worker; an
expectation changed, it runs again and fails, and the page says which expectation, in plain words."""

import pytest

from tests.suites.conftest import check  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_build_run_pass_then_change_an_expectation_and_fail(
    live_server, celery_worker, local, invoker, hello_event, page, sign_in
):
    sign_in(page, invoker)
    page.goto(f"{live_server.url}/suites/new/")
    page.fill("#id_name", "browser-smoke")
    page.click("form.card button[type=submit]")
    page.click("#add-check")
    page.select_option("#id_check-profile", "local")
    page.fill("#id_check-region", "cn-hangzhou")
    page.fill("#id_check-service", "demo")
    page.fill("#id_check-function", "hello")
    page.select_option("#id_check-saved_event", "hello-event")
    page.fill("#id_check-json_path", "$.greeting")
    page.fill("#id_check-equals", '"hi"')
    page.click("#check-form button[type=submit]")
    page.wait_for_selector('text=the result at $.greeting equals "hi"')
    page.click("#run-suite")
    page.wait_for_selector("#verdict:text('passed')", timeout=60_000)  # the htmx fragment, polled

    page.click("text=browser-smoke")
    page.click(".edit-check")
    page.fill("#id_check-equals", '"bye"')
    page.click("#check-form button[type=submit]")
    page.click("#run-suite")
    page.wait_for_selector("#verdict:text('failed')", timeout=60_000)
    assert 'the result at $.greeting equals "bye": it was "hi"' in page.inner_text(".judgements .unmet")
