"""The profile page's Test connection button: an htmx fragment with FC's answer."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_tests_a_profile_and_reads_fcs_answer(
    page, live_server, sign_in, admin, fclocal, fclocal_profile, screenshot
):
    sign_in(page, admin)
    page.goto(f"{live_server.url}/profiles/{fclocal_profile.uuid}/")
    page.click("button:has-text('Test connection')")
    page.wait_for_selector("#connection .notice.ok")
    assert "listed 1 service(s): demo" in page.inner_text("#connection")
    assert fclocal.access_key_secret not in page.content()
    screenshot(page, "profile")
