"""No page or fragment ever carries an AccessKey secret or STS token, not even after an error."""

import pytest
from django.utils import timezone

from invocations.models import AsyncStatusEvent
from tests.ui.conftest import DEMO_SECRET, DEMO_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(profile, fclocal_profile, invoker, make_invocation):
    done = make_invocation(
        invoker, profile, state="succeeded", response_body=b'{"ok": 1}', log_tail="log", duration_ms=3.0
    )
    failed = make_invocation(
        invoker, profile, state="error", error_code="SignatureNotMatch", error_message="bad"
    )
    job = make_invocation(
        invoker, profile, state="tracking", invocation_type="async", async_invocation_id="job-secret-test"
    )
    AsyncStatusEvent.objects.create(invocation=job, status="Running", at=timezone.now())
    urls = ["/", "/invoke/", "/history/", "/functions/demo/hello/", "/profiles/", "/profiles/new"]
    for p in (profile, fclocal_profile):
        urls += [
            f"/profiles/{p.uuid}/",
            f"/invoke/services?profile={p.uuid}",
            f"/invoke/functions?profile={p.uuid}&service=demo",
        ]
        urls += [f"/invoke/qualifiers?profile={p.uuid}&service=demo"]
        urls += [f"/invoke/trigger?profile={p.uuid}&service=demo&function=http-hello"]
    for inv in (done, failed, job):
        urls += [
            f"/invocations/{inv.uuid}/",
            f"/invocations/{inv.uuid}/live",
            f"/invocations/{inv.uuid}/s-invoke",
        ]
        urls += [f"/invoke/?from={inv.uuid}", f"/history/?request_id={inv.request_id}"]
    return urls


def assert_clean(html: str, *secrets: str):
    for secret in (DEMO_SECRET, DEMO_TOKEN, *secrets):
        assert secret not in html


def test_no_page_or_fragment_shows_a_secret(login, admin, profile, pages):
    client = login(admin)
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 286), url
        assert_clean(response.content.decode(), profile.access_key_secret_encrypted)
    assert_clean(client.post(f"/profiles/{profile.uuid}/test").content.decode())


def test_a_rejected_profile_form_does_not_echo_the_typed_secret(login, admin):
    data = {
        "name": "bad",
        "account_id": "not-digits",
        "default_region": "cn-hangzhou",
        "access_key_id": "LTAIsomething1",
        "access_key_secret": "typed-secret-value",
        "security_token": "typed-token-value",
    }
    html = login(admin).post("/profiles/new", data).content.decode()
    assert "digits only" in html
    assert_clean(html, "typed-secret-value", "typed-token-value")
