"""Saved events and event templates through the API, with the web pages' permissions."""

import json

import pytest

from savedevents.models import SavedEvent

URL = "/api/v1/events/"


@pytest.fixture
def make_event():
    def make(owner, name="upload", body='{"k": "v"}', **fields) -> SavedEvent:
        return SavedEvent(owner=owner, name=name, body=body, **fields).save_new(owner)

    return make


@pytest.mark.django_db
def test_the_list_shows_own_and_team_events_never_others_private_ones(
    invoker, other_invoker, viewer, make_event, api_for
):
    make_event(invoker, "mine")
    make_event(other_invoker, "theirs-team", visibility="team")
    make_event(other_invoker, "theirs-private")

    names = [e["name"] for e in api_for(invoker).get(URL).json()]

    assert names == ["mine", "theirs-team"]
    assert [e["name"] for e in api_for(viewer).get(URL).json()] == ["theirs-team"]


@pytest.mark.django_db
def test_an_invoker_saves_an_event(invoker, api_for):
    response = api_for(invoker).post(
        URL,
        {
            "name": "order",
            "body": '{"id": 1}',
            "tags": ["b", "A"],
            "target_service": "demo",
            "target_function": "hello",
            "visibility": "team",
        },
        format="json",
    )

    assert response.status_code == 201
    data = response.json()
    assert (data["owner"], data["version"], data["tags"], data["kind"]) == (
        invoker.username,
        1,
        ["a", "b"],
        "json",
    )
    assert SavedEvent.objects.get(uuid=data["id"]).versions.count() == 1


@pytest.mark.django_db
def test_a_viewer_cannot_save_events(viewer, api_for):
    response = api_for(viewer).post(URL, {"name": "x", "body": "{}"}, format="json")

    assert response.status_code == 403
    assert not SavedEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "bad/name", "body": "{}"}, "name"),
        ({"name": "x", "body": "{not json"}, "body"),
        ({"name": "x", "body": "!!", "kind": "binary"}, "body"),
        ({"name": "x", "body": "{}", "target_service": "demo"}, "target_function"),
        ({"name": "x", "body": "{}", "visibility": "public"}, "visibility"),
    ],
)
def test_invalid_events_are_refused_by_field(invoker, api_for, fields, field):
    response = api_for(invoker).post(URL, fields, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_a_taken_name_is_refused(invoker, make_event, api_for):
    make_event(invoker, "dup")

    response = api_for(invoker).post(URL, {"name": "dup", "body": "{}"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["name"] == ["You already have an event named 'dup'."]


@pytest.mark.django_db
def test_changing_the_body_makes_a_new_version(invoker, make_event, api_for):
    event = make_event(invoker)
    client = api_for(invoker)

    renamed = client.patch(f"{URL}{event.uuid}/", {"description": "same body"}, format="json").json()
    changed = client.patch(f"{URL}{event.uuid}/", {"body": '{"k": 2}'}, format="json").json()

    assert renamed["version"] == 1
    assert changed["version"] == 2 and changed["description"] == "same body"
    assert [v.body for v in event.versions.all()] == ['{"k": 2}', '{"k": "v"}']


@pytest.mark.django_db
def test_put_replaces_the_event(invoker, make_event, api_for):
    event = make_event(invoker, tags="x")

    response = api_for(invoker).put(
        f"{URL}{event.uuid}/", {"name": "renamed", "body": "text", "kind": "text"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["tags"], response.json()["version"]) == (
        "renamed",
        [],
        2,
    )


@pytest.mark.django_db
def test_only_the_owner_or_an_admin_edits_or_deletes_a_team_event(
    invoker, other_invoker, admin, make_event, api_for
):
    event = make_event(invoker, visibility="team")

    assert (
        api_for(other_invoker).patch(f"{URL}{event.uuid}/", {"body": "{}"}, format="json").status_code == 403
    )
    assert api_for(other_invoker).delete(f"{URL}{event.uuid}/").status_code == 403
    assert (
        api_for(admin).patch(f"{URL}{event.uuid}/", {"description": "ok"}, format="json").status_code == 200
    )
    assert api_for(invoker).delete(f"{URL}{event.uuid}/").status_code == 204
    event.refresh_from_db()
    assert event.is_deleted


@pytest.mark.django_db
def test_a_private_event_of_someone_else_does_not_exist_even_for_admins(invoker, admin, make_event, api_for):
    event = make_event(invoker)

    assert api_for(admin).get(f"{URL}{event.uuid}/").status_code == 404
    assert api_for(admin).delete(f"{URL}{event.uuid}/").status_code == 404


@pytest.mark.django_db
def test_the_templates_list_their_parameters(viewer, api_for):
    data = api_for(viewer).get("/api/v1/event-templates/").json()

    oss = next(t for t in data if t["name"] == "oss")
    assert {"bucket", "key"} <= {p["name"] for p in oss["params"]}


@pytest.mark.django_db
def test_a_template_renders_with_parameters(viewer, api_for):
    response = api_for(viewer).post(
        "/api/v1/event-templates/oss/render/",
        {"params": {"bucket": "photos", "key": "a/b.png"}},
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    record = json.loads(data["body"])["events"][0]
    assert record["oss"]["bucket"]["name"] == "photos" and record["oss"]["object"]["key"] == "a/b.png"
    assert data["filename"].endswith(".json")


@pytest.mark.django_db
def test_template_errors_name_the_parameter(viewer, api_for):
    client = api_for(viewer)

    unknown = client.post("/api/v1/event-templates/oss/render/", {"params": {"nope": "1"}}, format="json")
    missing = client.post("/api/v1/event-templates/nope/render/", {}, format="json")

    assert unknown.status_code == 400 and "params.nope" in unknown.json()["fields"]
    assert missing.status_code == 404
