"""Browser Back from an invocation to the invoke form: what was typed is still there."""

import pytest

from tests.browser.test_console import fill_invoke_form, submit
from tests.fixtures.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_back_after_invoke_shows_the_form_as_it_was_sent(
    page, live_server, sign_in, invoker, fclocal_profile
):
    sign_in(page, invoker)
    fill_invoke_form(page, live_server, fclocal_profile, "hello", '{"name":"bkx"}')  # 14 bytes
    assert page.inner_text("#event-size") == "14 B"
    submit(page)

    page.go_back()
    page.wait_for_url("**/invoke/")

    assert page.input_value("#id_service") == "demo"
    assert page.input_value("#id_function") == "hello"
    assert page.input_value("#id_event_text") == '{"name":"bkx"}'
    wait_until(lambda: page.inner_text("#event-size") == "14 B", what=lambda: page.inner_text("#event-size"))
