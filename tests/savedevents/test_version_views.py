"""Version list, diff between any two versions, restore."""

import pytest
from django.urls import reverse

from savedevents.models import Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(invoker, admin, make_event):
    event = make_event(invoker, body='{\n  "bucket": "a"\n}', visibility=Visibility.TEAM)
    event.body = '{\n  "bucket": "b"\n}'
    event.save_edit(admin)
    event.body = '{\n  "bucket": "<c>"\n}'
    event.save_edit(invoker)
    return event


def test_the_detail_page_lists_versions_with_who(edited, viewer, client_for):
    html = client_for(viewer).get(reverse("savedevents:detail", args=[edited.uuid])).content.decode()
    assert "v3" in html and "v2" in html and "v1" in html
    assert "alice-admin" in html and "ivan-invoker" in html


def test_diff_between_any_two_versions(edited, viewer, client_for):
    response = client_for(viewer).get(reverse("savedevents:diff", args=[edited.uuid]), {"a": 3, "b": 1})
    html = response.content.decode()
    assert '<span class="del">-  &quot;bucket&quot;: &quot;a&quot;</span>' in html
    # version bodies are escaped, never markup
    assert '<span class="add">+  &quot;bucket&quot;: &quot;&lt;c&gt;&quot;</span>' in html


def test_diff_of_a_missing_version_is_404(edited, invoker, client_for):
    url = reverse("savedevents:diff", args=[edited.uuid])
    assert client_for(invoker).get(url, {"a": 1, "b": 9}).status_code == 404
    assert client_for(invoker).get(url, {"a": "x"}).status_code == 404


def test_restore_makes_a_new_version(edited, invoker, client_for):
    client_for(invoker).post(reverse("savedevents:restore", args=[edited.uuid, 1]))
    edited.refresh_from_db()
    assert edited.version == 4
    assert edited.body == '{\n  "bucket": "a"\n}'
    assert edited.versions.get(number=4).note == "restored version 1"


def test_a_teammate_cannot_restore(edited, other_invoker, client_for):
    response = client_for(other_invoker).post(reverse("savedevents:restore", args=[edited.uuid, 1]))
    assert response.status_code == 403
    edited.refresh_from_db()
    assert edited.version == 3
