"""Event pages: who sees, creates, edits, duplicates, deletes and undeletes what."""

import base64

import pytest
from django.urls import reverse

from savedevents.models import SavedEvent, Visibility

pytestmark = pytest.mark.django_db


def detail(event):
    return reverse("savedevents:detail", args=[event.uuid])


def form_data(**overrides):
    data = {
        "name": "upload",
        "kind": "json",
        "body": '{"bucket": "b"}',
        "description": "",
        "visibility": "private",
        "target_service": "",
        "target_function": "",
        "invocation_type": "sync",
        "tags": "",
    }
    return data | overrides


# --- list and detail: private events do not exist for others ------------------------------------


def test_list_shows_own_and_team_events_not_others_private(invoker, other_invoker, client_for, make_event):
    make_event(invoker, name="mine-private")
    make_event(other_invoker, name="theirs-private")
    make_event(other_invoker, name="theirs-team", visibility=Visibility.TEAM)
    html = client_for(invoker).get(reverse("savedevents:list")).content.decode()
    assert "mine-private" in html
    assert "theirs-team" in html
    assert "theirs-private" not in html


def test_list_search_filters_by_name_and_tags(invoker, client_for, make_event):
    make_event(invoker, name="alpha", tags="oss")
    make_event(invoker, name="beta")
    html = client_for(invoker).get(reverse("savedevents:list"), {"q": "oss"}).content.decode()
    assert "alpha" in html and "beta" not in html


def test_list_does_not_query_per_event(invoker, client_for, make_event, django_assert_max_num_queries):
    for i in range(20):
        make_event(invoker, name=f"e{i}", visibility=Visibility.TEAM)
    client = client_for(invoker)
    with django_assert_max_num_queries(8):
        client.get(reverse("savedevents:list"))


@pytest.mark.parametrize("persona", ["other_invoker", "admin", "viewer"])
def test_a_private_event_is_404_for_everyone_but_its_owner(persona, request, invoker, client_for, make_event):
    event = make_event(invoker)
    client = client_for(request.getfixturevalue(persona))
    for name in ("detail", "edit", "download", "choose", "duplicate", "delete"):
        response = client.post(reverse(f"savedevents:{name}", args=[event.uuid]))
        assert response.status_code == 404, name
    assert client.get(reverse("savedevents:diff", args=[event.uuid]), {"a": 1, "b": 1}).status_code == 404


def test_the_owner_reads_their_private_event(invoker, client_for, make_event):
    event = make_event(invoker, body='{"bucket": "photos"}')
    response = client_for(invoker).get(detail(event))
    assert response.status_code == 200
    assert "photos" in response.content.decode()


def test_users_without_a_role_get_403(outsider, client_for):
    assert client_for(outsider).get(reverse("savedevents:list")).status_code == 403


def test_anonymous_users_are_sent_to_login(client, invoker, make_event):
    response = client.get(detail(make_event(invoker)))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- viewers read team events but create nothing ------------------------------------------------


def test_viewers_read_team_events(viewer, invoker, client_for, make_event):
    event = make_event(invoker, visibility=Visibility.TEAM)
    response = client_for(viewer).get(detail(event))
    assert response.status_code == 200
    assert "Edit" not in response.content.decode()
    assert "Duplicate" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["savedevents:create", "savedevents:new", "savedevents:import"],
    ids=["blank", "templates", "import"],
)
def test_viewers_cannot_create_events(viewer, client_for, url):
    assert client_for(viewer).get(reverse(url)).status_code == 403
    assert client_for(viewer).post(reverse(url), form_data()).status_code == 403
    assert not SavedEvent.objects.exists()


def test_viewers_cannot_duplicate(viewer, invoker, client_for, make_event):
    event = make_event(invoker, visibility=Visibility.TEAM)
    assert client_for(viewer).post(reverse("savedevents:duplicate", args=[event.uuid])).status_code == 403


# --- create -------------------------------------------------------------------------------------


def test_invoker_creates_a_json_event(invoker, client_for):
    response = client_for(invoker).post(
        reverse("savedevents:create"), form_data(target_service="demo", target_function="hello", tags="B, a")
    )
    event = SavedEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(event)
    assert (event.owner, event.body, event.target, event.tags) == (
        invoker,
        '{"bucket": "b"}',
        "demo/hello",
        "a,b",
    )


def test_it_rejects_malformed_json_and_keeps_what_was_typed(invoker, client_for):
    response = client_for(invoker).post(reverse("savedevents:create"), form_data(body='{"bucket": '))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not valid JSON" in html
    assert "{&quot;bucket&quot;: </textarea>" in html
    assert not SavedEvent.objects.exists()


def test_it_rejects_an_oversized_body_for_async(invoker, client_for):
    body = '"' + "x" * 140_000 + '"'
    response = client_for(invoker).post(
        reverse("savedevents:create"), form_data(body=body, invocation_type="async")
    )
    assert "FC takes at most 128" in response.content.decode()
    assert not SavedEvent.objects.exists()


def test_it_rejects_a_duplicate_name(invoker, client_for, make_event):
    make_event(invoker, name="upload")
    response = client_for(invoker).post(reverse("savedevents:create"), form_data(name="upload"))
    assert "You already have an event named" in response.content.decode()
    assert SavedEvent.objects.count() == 1


def test_it_rejects_a_team_name_taken_by_a_teammate(invoker, other_invoker, client_for, make_event):
    make_event(other_invoker, name="upload", visibility=Visibility.TEAM)
    response = client_for(invoker).post(reverse("savedevents:create"), form_data(visibility="team"))
    assert "The team already has an event named" in response.content.decode()


def test_a_binary_upload_is_kept_byte_for_byte(invoker, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = b"\x89PNG\r\n\x1a\n\x00\xff"
    client_for(invoker).post(
        reverse("savedevents:create"),
        form_data(kind="binary", body="", upload=SimpleUploadedFile("img.png", raw)),
    )
    event = SavedEvent.objects.get()
    assert event.payload() == raw
    assert event.body == base64.b64encode(raw).decode()


def test_a_non_utf8_upload_for_a_text_event_is_rejected(invoker, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(invoker).post(
        reverse("savedevents:create"),
        form_data(kind="text", upload=SimpleUploadedFile("latin1.txt", "café".encode("latin-1"))),
    )
    assert "not UTF-8" in response.content.decode()
    assert not SavedEvent.objects.exists()


def test_download_sends_the_payload(invoker, client_for, make_event):
    raw = b"\x00\x01binary"
    event = make_event(invoker, name="blob", kind="binary", body=base64.b64encode(raw).decode())
    response = client_for(invoker).get(reverse("savedevents:download", args=[event.uuid]))
    assert response.content == raw
    assert response["Content-Type"] == "application/octet-stream"
    assert 'filename="blob.bin"' in response["Content-Disposition"]


# --- edit: owner or admin -----------------------------------------------------------------------


def test_the_owner_edits_and_a_version_is_kept(invoker, client_for, make_event):
    event = make_event(invoker, body='{"v": 1}')
    client_for(invoker).post(reverse("savedevents:edit", args=[event.uuid]), form_data(body='{"v": 2}'))
    event.refresh_from_db()
    assert event.body == '{"v": 2}'
    assert list(event.versions.values_list("number", "body")) == [(2, '{"v": 2}'), (1, '{"v": 1}')]


def test_a_teammate_cannot_edit_or_delete_a_team_event(invoker, other_invoker, client_for, make_event):
    event = make_event(invoker, visibility=Visibility.TEAM)
    client = client_for(other_invoker)
    assert client.get(reverse("savedevents:edit", args=[event.uuid])).status_code == 403
    assert (
        client.post(reverse("savedevents:edit", args=[event.uuid]), form_data(body="{}")).status_code == 403
    )
    assert client.post(reverse("savedevents:delete", args=[event.uuid])).status_code == 403
    event.refresh_from_db()
    assert (event.body, event.is_deleted) == ('{"k": "v"}', False)


def test_an_admin_edits_a_team_event_of_someone_else(invoker, admin, client_for, make_event):
    event = make_event(invoker, name="upload", visibility=Visibility.TEAM)
    client_for(admin).post(
        reverse("savedevents:edit", args=[event.uuid]), form_data(body='{"fixed": true}', visibility="team")
    )
    event.refresh_from_db()
    assert event.body == '{"fixed": true}'
    assert event.owner == invoker
    assert event.versions.get(number=2).created_by == admin


def test_a_teammate_duplicates_a_team_event_into_their_own(invoker, other_invoker, client_for, make_event):
    event = make_event(invoker, name="upload", visibility=Visibility.TEAM)
    response = client_for(other_invoker).post(reverse("savedevents:duplicate", args=[event.uuid]))
    copy = SavedEvent.objects.get(owner=other_invoker)
    assert response["Location"] == detail(copy)
    assert (copy.name, copy.visibility) == ("upload copy", Visibility.PRIVATE)


def test_detail_shows_the_owner_the_edit_and_delete_buttons(invoker, client_for, make_event):
    html = client_for(invoker).get(detail(make_event(invoker))).content.decode()
    assert reverse("savedevents:edit", args=[SavedEvent.objects.get().uuid]) in html
    assert "Delete" in html


# --- soft delete and undo -----------------------------------------------------------------------


def test_delete_is_soft_and_an_admin_can_undo_it(invoker, admin, client_for, make_event):
    event = make_event(invoker, visibility=Visibility.TEAM)
    client_for(invoker).post(reverse("savedevents:delete", args=[event.uuid]))
    assert client_for(invoker).get(detail(event)).status_code == 404
    trash = client_for(admin).get(reverse("savedevents:trash")).content.decode()
    assert event.name in trash
    response = client_for(admin).post(reverse("savedevents:undelete", args=[event.uuid]))
    assert response["Location"] == detail(event)
    event.refresh_from_db()
    assert not event.is_deleted
    assert event.versions.count() == 1


def test_a_teammate_cannot_undelete_a_team_event(invoker, other_invoker, client_for, make_event):
    event = make_event(invoker, visibility=Visibility.TEAM)
    event.soft_delete(invoker)
    assert (
        client_for(other_invoker).post(reverse("savedevents:undelete", args=[event.uuid])).status_code == 404
    )
    assert SavedEvent.objects.get(pk=event.pk).is_deleted


def test_admins_cannot_see_or_undelete_someone_elses_private_deleted_event(
    invoker, admin, client_for, make_event
):
    event = make_event(invoker)
    event.soft_delete(invoker)
    assert event.name not in client_for(admin).get(reverse("savedevents:trash")).content.decode()
    assert client_for(admin).post(reverse("savedevents:undelete", args=[event.uuid])).status_code == 404


def test_undelete_explains_a_name_conflict(invoker, admin, client_for, make_event):
    event = make_event(invoker, name="upload", visibility=Visibility.TEAM)
    event.soft_delete(invoker)
    make_event(admin, name="upload", visibility=Visibility.TEAM)
    response = client_for(admin).post(reverse("savedevents:undelete", args=[event.uuid]), follow=True)
    assert "Cannot undelete" in response.content.decode()
    assert SavedEvent.objects.get(pk=event.pk).is_deleted
