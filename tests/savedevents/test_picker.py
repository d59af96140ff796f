"""The invoke form's picker: ordering, search, and private events never offered to others."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from savedevents.models import Visibility

pytestmark = pytest.mark.django_db


def names_in(html: str, *names: str) -> list[str]:
    found = sorted((html.index(f">{n}<"), n) for n in names if f">{n}<" in html)
    return [n for _, n in found]


def test_the_picker_lists_target_then_team_then_own(invoker, other_invoker, client_for, make_event):
    make_event(invoker, name="mine")
    make_event(other_invoker, name="ours", visibility=Visibility.TEAM)
    make_event(invoker, name="aimed", target_service="demo", target_function="oss-thumbnail")
    html = (
        client_for(invoker)
        .get(reverse("savedevents:picker"), {"service": "demo", "function": "oss-thumbnail"})
        .content.decode()
    )
    assert names_in(html, "mine", "ours", "aimed") == ["aimed", "ours", "mine"]
    assert "this function" in html


def test_the_picker_never_offers_someone_elses_private_event(
    invoker, other_invoker, admin, client_for, make_event
):
    make_event(invoker, name="secret-one", target_service="demo", target_function="hello")
    for user in (other_invoker, admin):
        html = client_for(user).get(reverse("savedevents:picker"), {"service": "demo", "function": "hello"})
        assert "secret-one" not in html.content.decode()


def test_the_picker_searches(invoker, client_for, make_event):
    make_event(invoker, name="thumb-cat", tags="oss")
    make_event(invoker, name="nightly")
    html = client_for(invoker).get(reverse("savedevents:picker"), {"q": "oss"}).content.decode()
    assert "thumb-cat" in html and "nightly" not in html


def test_choosing_returns_the_body_for_the_editor(invoker, client_for, make_event):
    event = make_event(invoker, body='{"bucket": "b"}', invocation_type="async")
    data = client_for(invoker).get(reverse("savedevents:choose", args=[event.uuid])).json()
    assert data["body"] == '{"bucket": "b"}'
    assert (data["kind"], data["invocation_type"], data["name"]) == ("json", "async", "upload")


def test_choosing_someone_elses_private_event_is_404(invoker, other_invoker, client_for, make_event):
    event = make_event(invoker)
    assert client_for(other_invoker).get(reverse("savedevents:choose", args=[event.uuid])).status_code == 404


def test_the_partial_reads_the_invoke_forms_fields_and_loads_the_list():
    html = render_to_string("savedevents/_picker.html")
    assert reverse("savedevents:picker") in html
    assert 'hx-include="#id_service, #id_function"' in html
    assert "js/savedevents.js" in html


def test_the_save_from_invocation_include_links_to_the_view():
    class Invocation:
        uuid = "7a1b9d9e-4a7c-4f61-9f64-07a4a0a1f001"

    html = render_to_string("savedevents/_save_from_invocation.html", {"invocation": Invocation()})
    assert reverse("savedevents:from_invocation", args=[Invocation.uuid]) in html


def test_the_invoke_page_carries_the_picker(invoker, client_for, local_profile):
    html = client_for(invoker).get(reverse("invoke")).content.decode()
    assert reverse("savedevents:picker") in html
    assert "js/savedevents.js" in html


def test_an_event_page_links_to_the_invoke_form_with_the_event(invoker, viewer, client_for, make_event):
    event = make_event(invoker, visibility=Visibility.TEAM)
    link = f"{reverse('invoke')}?saved_event={event.uuid}"
    assert link in client_for(invoker).get(reverse("savedevents:detail", args=[event.uuid])).content.decode()
    assert (
        link not in client_for(viewer).get(reverse("savedevents:detail", args=[event.uuid])).content.decode()
    )


def test_the_picker_offers_events_aimed_at_an_fc3_function_for_that_function(invoker, client_for, make_event):
    make_event(invoker, name="for-fc3", target_function="hello")
    make_event(invoker, name="for-fc2", target_service="demo", target_function="hello")
    client = client_for(invoker)
    fc3 = client.get(reverse("savedevents:picker"), {"service": "", "function": "hello"}).content.decode()
    assert names_in(fc3, "for-fc3", "for-fc2") == ["for-fc3", "for-fc2"]
    assert fc3.count("this function") == 1
    fc2 = client.get(reverse("savedevents:picker"), {"service": "demo", "function": "hello"}).content.decode()
    assert names_in(fc2, "for-fc3", "for-fc2") == ["for-fc2", "for-fc3"]
    assert fc2.count("this function") == 1


def test_choosing_an_fc3_event_gives_its_function_and_no_service(invoker, client_for, make_event):
    event = make_event(invoker, target_function="async-job")
    data = client_for(invoker).get(reverse("savedevents:choose", args=[event.uuid])).json()
    assert (data["target_service"], data["target_function"]) == ("", "async-job")
