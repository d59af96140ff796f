"""The profile page's Test connection button: an htmx fragment with FC's answer."""

import pytest

from tests.ui.conftest import make_profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_tests_a_profile_and_reads_fcs_answer(
    page, live_server, sign_in, admin, invoker, fclocal, screenshot
):
    profile = make_profile(
        "fclocal",
        secret=fclocal.access_key_secret,
        account_id=fclocal.account_id,
        access_key_id=fclocal.access_key_id,
        endpoint=fclocal.url,
        description="the local FC endpoint",
    )
    profile.allowed_users.add(invoker)
    sign_in(page, admin)
    page.goto(f"{live_server.url}/profiles/{profile.uuid}/")
    page.click("button:has-text('Test connection')")
    page.wait_for_selector("#connection .notice.ok")
    assert "listed 1 service(s): demo" in page.inner_text("#connection")
    assert fclocal.access_key_secret not in page.content()
    screenshot(page, "profile")
