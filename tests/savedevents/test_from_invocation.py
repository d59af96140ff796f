"""'Save as event' from an invocation: its payload becomes an independent saved event."""

import json

import pytest
from django.urls import reverse

from invocations.models import Invocation
from savedevents.models import SavedEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def invocation(admin, local_profile):
    def make(**fields):
        values = {
            "user": admin,
            "profile": local_profile,
            "region": "cn-hangzhou",
            "service": "demo",
            "function": "oss-thumbnail",
            "event": b'{"bucket": "photos"}',
        }
        return Invocation.objects.create(**(values | fields))

    return make


def meta(**overrides):
    return {
        "name": "from-history",
        "description": "",
        "visibility": "private",
        "target_service": "demo",
        "target_function": "oss-thumbnail",
        "invocation_type": "sync",
        "tags": "",
    } | overrides


def test_the_form_is_prefilled_from_the_invocation(invoker, invocation, client_for):
    inv = invocation(invocation_type="async")
    response = client_for(invoker).get(reverse("savedevents:from_invocation", args=[inv.uuid]))
    html = response.content.decode()
    assert "photos" in html
    assert 'value="demo"' in html and 'value="oss-thumbnail"' in html
    assert response.context["form"]["invocation_type"].value() == "async"


def test_saving_copies_the_payload(invoker, invocation, client_for):
    inv = invocation()
    response = client_for(invoker).post(reverse("savedevents:from_invocation", args=[inv.uuid]), meta())
    event = SavedEvent.objects.get()
    assert response["Location"] == reverse("savedevents:detail", args=[event.uuid])
    assert (event.owner, event.kind, event.body, event.target) == (
        invoker,
        "json",
        '{"bucket": "photos"}',
        "demo/oss-thumbnail",
    )


def test_editing_the_event_later_leaves_the_invocation_alone(invoker, invocation, client_for):
    inv = invocation()
    client_for(invoker).post(reverse("savedevents:from_invocation", args=[inv.uuid]), meta())
    event = SavedEvent.objects.get()
    event.body = '{"bucket": "changed"}'
    event.save_edit(invoker)
    inv.refresh_from_db()
    assert bytes(inv.event) == b'{"bucket": "photos"}'


def test_a_binary_payload_becomes_a_binary_event(invoker, invocation, client_for):
    inv = invocation(event=b"\xff\x00\xfe")
    client_for(invoker).post(reverse("savedevents:from_invocation", args=[inv.uuid]), meta())
    assert SavedEvent.objects.get().payload() == b"\xff\x00\xfe"


def test_an_http_invocation_saves_its_request_description(invoker, invocation, client_for):
    request = {"method": "GET", "path": "/", "headers": {}, "queries": {}, "body": ""}
    inv = invocation(function="http-hello", event=b"", http_request=request)
    client_for(invoker).post(
        reverse("savedevents:from_invocation", args=[inv.uuid]), meta(target_function="http-hello")
    )
    assert json.loads(SavedEvent.objects.get().body) == request


def test_a_payload_too_large_for_async_is_refused_when_saving_it_for_async(invoker, invocation, client_for):
    inv = invocation(event=b'"' + b"x" * 140_000 + b'"')
    response = client_for(invoker).post(
        reverse("savedevents:from_invocation", args=[inv.uuid]), meta(invocation_type="async")
    )
    assert "FC takes at most 128" in response.content.decode()
    assert not SavedEvent.objects.exists()


def test_viewers_cannot_save_events(viewer, invocation, client_for):
    inv = invocation()
    assert client_for(viewer).get(reverse("savedevents:from_invocation", args=[inv.uuid])).status_code == 403


def test_an_unknown_invocation_is_404(invoker, client_for):
    url = reverse("savedevents:from_invocation", args=["00000000-0000-0000-0000-000000000000"])
    assert client_for(invoker).get(url).status_code == 404


def test_the_invocation_page_offers_save_as_event_to_invokers_not_viewers(client, invoker, viewer):
    from invocations.models import CredentialProfile

    profile = CredentialProfile(name="p-save", account_id="1234567890123456", access_key_id="LTAIexample0001")
    profile.set_secret("s3cret-not-shown")
    profile.save()
    invocation = Invocation.objects.create(
        user=invoker, profile=profile, region="cn-hangzhou", service="demo", function="hello", event=b"{}"
    )
    link = f"/events/from-invocation/{invocation.uuid}/"
    client.force_login(invoker)
    assert link in client.get(f"/invocations/{invocation.uuid}/").content.decode()
    client.force_login(viewer)
    assert link not in client.get(f"/invocations/{invocation.uuid}/").content.decode()


def test_an_fc3_invocation_saves_an_event_aimed_at_its_function_without_a_service(
    invoker, invocation, client_for
):
    inv = invocation(service="", function="hello", qualifier="prod")
    client = client_for(invoker)
    html = client.get(reverse("savedevents:from_invocation", args=[inv.uuid])).content.decode()
    assert '<span class="mono">hello:prod</span>' in html and "Service (FC 2.0 only)" in html
    client.post(
        reverse("savedevents:from_invocation", args=[inv.uuid]),
        meta(target_service="", target_function="hello"),
    )
    event = SavedEvent.objects.get()
    assert (event.target_service, event.target_function, event.target) == ("", "hello", "hello")
    listing = client.get(reverse("savedevents:list")).content.decode()
    assert '<td class="mono">hello</td>' in listing
    detail = client.get(reverse("savedevents:detail", args=[event.uuid])).content.decode()
    assert '<dd class="mono">hello</dd>' in detail
