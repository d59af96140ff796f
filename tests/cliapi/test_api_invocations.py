"""Invocations through the REST API: the same rules as the web form, the team's history.

Nothing here reaches FC: without a worker the rows stay queued (their task is only sent on
commit). The calls that do reach FC are in test_api_invocations_fclocal.py.
"""

import base64
import json

import pytest

from audit.models import AuditEntry
from invocations.models import Invocation
from tests.cliapi.conftest import SECRET, TOKEN

URL = "/api/v1/invocations/"


def body(**fields):
    return {"profile": "team", "region": "cn-hangzhou", "service": "demo", "function": "hello", **fields}


def submit(user, profile, **fields):
    values = {"region": "cn-hangzhou", "service": "demo", "function": "hello", **fields}
    return Invocation.objects.submit(user=user, profile=profile, **values)


@pytest.mark.django_db
def test_an_invoker_invokes_and_the_history_records_it_as_an_api_call(invoker, team_profile, api_for):
    response = api_for(invoker).post(URL, body(event='{"name": "api"}', qualifier="prod"), format="json")

    assert response.status_code == 201
    data = response.json()
    row = Invocation.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/invocations/{row.uuid}/"
    assert (data["id"], data["state"], data["source"], data["user"]) == (
        str(row.uuid),
        "queued",
        "api",
        invoker.username,
    )
    assert (row.profile, row.qualifier, bytes(row.event)) == (team_profile, "prod", b'{"name": "api"}')
    assert data["timeline"] == []


@pytest.mark.django_db
def test_a_binary_event_is_sent_as_base64(invoker, team_profile, api_for):
    event = bytes(range(256))

    response = api_for(invoker).post(
        URL, body(event=base64.b64encode(event).decode(), event_encoding="base64"), format="json"
    )

    assert response.status_code == 201
    assert bytes(Invocation.objects.get().event) == event
    assert response.json()["event_encoding"] == "base64"


@pytest.mark.django_db
def test_an_async_invocation_gets_a_task_id(invoker, team_profile, api_for):
    response = api_for(invoker).post(URL, body(invocation_type="async"), format="json")

    assert response.json()["async_invocation_id"].startswith("fcconsole-")


@pytest.mark.django_db
def test_a_viewer_may_not_invoke(viewer, team_profile, api_for):
    response = api_for(viewer).post(URL, body(), format="json")

    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": "This needs the invoker role."}
    assert not Invocation.objects.exists()


@pytest.mark.django_db
def test_an_invoker_may_not_use_a_profile_not_granted_to_them(invoker, admin_profile, api_for):
    response = api_for(invoker).post(URL, body(profile=admin_profile.name), format="json")

    assert response.status_code == 403
    assert response.json()["message"] == f"You may not invoke with the profile {admin_profile.name}."
    assert not Invocation.objects.exists()


@pytest.mark.django_db
def test_an_admin_may_use_any_profile(admin, admin_profile, api_for):
    response = api_for(admin).post(URL, body(profile=admin_profile.name), format="json")

    assert response.status_code == 201


@pytest.mark.django_db
def test_invalid_requests_get_every_problem_by_field(invoker, team_profile, api_for):
    response = api_for(invoker).post(
        URL,
        body(service="1-bad", function="", invocation_type="async", event="x" * (128 * 1024 + 1)),
        format="json",
    )

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert set(data["fields"]) == {"function"}  # the serializer stops at a blank required field

    response = api_for(invoker).post(
        URL, body(service="1-bad", invocation_type="async", event="x" * (128 * 1024 + 1)), format="json"
    )
    data = response.json()
    assert set(data["fields"]) == {"service", "event"}
    assert "128.0 KB" in data["fields"]["event"][0]
    assert data["message"].startswith("service: ")
    assert not Invocation.objects.exists()


@pytest.mark.django_db
def test_a_request_without_a_service_is_an_fc3_invocation(invoker, team_profile, api_for):
    fc3 = {k: v for k, v in body(function="hello").items() if k != "service"}

    omitted = api_for(invoker).post(URL, fc3, format="json")
    empty = api_for(invoker).post(URL, {**fc3, "service": ""}, format="json")

    assert (omitted.status_code, empty.status_code) == (201, 201)
    for response in (omitted, empty):
        data = response.json()
        assert (data["service"], data["function"], data["state"]) == ("", "hello", "queued")
        assert Invocation.objects.get(uuid=data["id"]).is_fc3


@pytest.mark.django_db
def test_an_fc3_function_name_over_64_characters_is_refused_by_field(invoker, team_profile, api_for):
    long_name = "f" * 65

    response = api_for(invoker).post(URL, body(service="", function=long_name), format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid" and set(data["fields"]) == {"function"}
    assert "at most 64 characters" in data["fields"]["function"][0]
    assert not Invocation.objects.exists()
    # The same name in an FC 2.0 service is FC's to judge (its limit is 128).
    assert api_for(invoker).post(URL, body(function=long_name), format="json").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"profile": "nope"}, "profile"),
        ({"event": "%%%", "event_encoding": "base64"}, "event"),
        ({"invocation_type": "Sync"}, "invocation_type"),
        ({"http_request": {"method": "GET", "path": "/\u0000"}}, "http_request"),
        ({"http_request": {"verb": "GET"}}, "http_request"),
        ({"async_invocation_id": "task-1"}, "async_invocation_id"),
    ],
)
def test_it_names_the_field_that_is_wrong(invoker, team_profile, api_for, fields, field):
    response = api_for(invoker).post(URL, body(**fields), format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_parse_error(invoker, api_for):
    response = api_for(invoker).post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_wait_is_bounded(invoker, team_profile, api_for):
    response = api_for(invoker).post(f"{URL}?wait=600", body(), format="json")

    assert response.status_code == 400
    assert "wait" in response.json()["fields"]
    assert not Invocation.objects.exists()


@pytest.mark.django_db
def test_the_history_pages_newest_first_with_a_cursor(viewer, invoker, team_profile, api_for):
    rows = [submit(invoker, team_profile, function=f"f{i}") for i in range(5)]
    client = api_for(viewer)

    first = client.get(f"{URL}?page_size=2").json()
    second = client.get(first["next"]).json()

    assert [r["function"] for r in first["results"]] == ["f4", "f3"]
    assert [r["function"] for r in second["results"]] == ["f2", "f1"]
    assert first["previous"] is None and second["previous"]
    assert "timeline" not in first["results"][0]
    assert len(rows) == 5


@pytest.mark.django_db
def test_the_history_filters(viewer, invoker, other_invoker, team_profile, api_for):
    mine = submit(invoker, team_profile, function="a", qualifier="prod")
    theirs = submit(other_invoker, team_profile, function="b", invocation_type="async")
    Invocation.objects.filter(pk=theirs.pk).update(state="failed")
    client = api_for(viewer)

    def ids(query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids(f"user={invoker.username}") == [str(mine.uuid)]
    assert ids("state=failed") == [str(theirs.uuid)]
    assert ids("invocation_type=async&function=b") == [str(theirs.uuid)]
    assert ids("qualifier=prod&profile=team&service=demo") == [str(mine.uuid)]
    assert ids(f"profile={team_profile.uuid}&function=a") == [str(mine.uuid)]
    assert ids("source=cli") == []
    assert ids(f"since=2000-01-01T00:00:00Z&until={mine.created_at.isoformat().replace('+', '%2B')}") == [
        str(mine.uuid)
    ]
    assert ids("until=2000-01-01T00:00:00Z") == []
    assert ids(f"async_invocation_id={theirs.async_invocation_id}") == [str(theirs.uuid)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["state=bogus", "since=yesterday", "since=2030-01-02T00:00Z&until=2030-01-01T00:00Z"]
)
def test_a_bad_filter_is_400(viewer, api_for, query):
    response = api_for(viewer).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_a_viewer_reads_one_invocation_with_its_timeline(viewer, invoker, team_profile, api_for):
    row = submit(invoker, team_profile, event=b"\xff\x00binary")

    response = api_for(viewer).get(f"{URL}{row.uuid}/")

    assert response.status_code == 200
    data = response.json()
    assert data["event"] == base64.b64encode(b"\xff\x00binary").decode()
    assert data["event_encoding"] == "base64"
    assert data["timeline"] == []


@pytest.mark.django_db
def test_someone_without_a_role_reads_nothing(outsider, invoker, team_profile, api_for):
    row = submit(invoker, team_profile)
    client = api_for(outsider)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{row.uuid}/").status_code == 403


@pytest.mark.django_db
def test_an_unknown_invocation_is_404(viewer, api_for):
    response = api_for(viewer).get(f"{URL}00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_sync_invocation_cannot_be_stopped(invoker, team_profile, api_for):
    row = submit(invoker, team_profile)
    Invocation.objects.filter(pk=row.pk).update(state="succeeded")

    response = api_for(invoker).post(f"{URL}{row.uuid}/stop/")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


@pytest.mark.django_db
def test_a_viewer_cannot_stop(viewer, invoker, team_profile, api_for):
    row = submit(invoker, team_profile, invocation_type="async")

    assert api_for(viewer).post(f"{URL}{row.uuid}/stop/").status_code == 403


@pytest.mark.django_db
def test_an_async_invocation_not_yet_sent_is_stopped_at_once(invoker, team_profile, api_for):
    row = submit(invoker, team_profile, invocation_type="async")

    response = api_for(invoker).post(f"{URL}{row.uuid}/stop/")

    assert response.status_code == 200
    assert response.json()["state"] == "stopped"
    assert response.json()["stopped_by"] == invoker.username
    assert AuditEntry.objects.get(action="invocation.stopped").actor == invoker


@pytest.mark.django_db
def test_another_invoker_cannot_stop_my_invocation(invoker, other_invoker, team_profile, api_for):
    row = submit(invoker, team_profile, invocation_type="async")

    response = api_for(other_invoker).post(f"{URL}{row.uuid}/stop/")

    assert response.status_code == 403
    row.refresh_from_db()
    assert row.state == "queued"


@pytest.mark.django_db
def test_rerun_sends_the_same_request_as_a_new_invocation(invoker, other_invoker, team_profile, api_for):
    original = submit(invoker, team_profile, event=b'{"again": true}', qualifier="prod")

    response = api_for(other_invoker).post(f"{URL}{original.uuid}/rerun/")

    assert response.status_code == 201
    data = response.json()
    assert data["rerun_of"] == str(original.uuid)
    assert (data["user"], data["source"], data["event"], data["qualifier"]) == (
        other_invoker.username,
        "api",
        '{"again": true}',
        "prod",
    )


@pytest.mark.django_db
def test_a_viewer_cannot_rerun(viewer, invoker, team_profile, api_for):
    original = submit(invoker, team_profile)

    assert api_for(viewer).post(f"{URL}{original.uuid}/rerun/").status_code == 403
    assert Invocation.objects.count() == 1


@pytest.mark.django_db
def test_no_response_carries_a_secret(admin, invoker, team_profile, api_for):
    row = submit(invoker, team_profile, invocation_type="async")
    client = api_for(admin)
    responses = [
        client.get(URL),
        client.get(f"{URL}{row.uuid}/"),
        client.post(f"{URL}{row.uuid}/rerun/"),
        client.post(URL, body(), format="json"),
        client.get("/api/v1/profiles/"),
        client.get(f"/api/v1/profiles/{team_profile.uuid}/"),
    ]

    for response in responses:
        text = json.dumps(response.json())
        assert SECRET not in text and TOKEN not in text
        assert team_profile.access_key_secret_encrypted not in text


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"{URL}not-a-uuid/", "/api/v1/profiles/42/", "/api/v1/nothing-here/"])
def test_malformed_ids_and_unknown_endpoints_get_the_api_404(viewer, api_for, path):
    response = api_for(viewer).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_a_413_that_says_the_limits(invoker, team_profile, api_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    data = json.dumps(body(event="x" * (1024 * 1024 + 1)))

    response = api_for(invoker).post(URL, data, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "code": "payload_too_large",
        "message": "The request body is larger than the console accepts (1.0 MB). FC accepts an event of at "
        "most 32.0 MB for a sync invocation and 128.0 KB for an async one.",
    }
    assert not Invocation.objects.exists()


@pytest.mark.django_db
def test_an_event_just_over_the_limit_says_so_in_bytes(invoker, team_profile, api_for):
    data = json.dumps(body(event="x" * (32 * 1024 * 1024 + 10)))

    response = api_for(invoker).post(URL, data, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["fields"]["event"] == [
        "The event is 33,554,442 bytes; FC accepts at most 33,554,432 bytes (32.0 MB) for a sync invocation."
    ]


@pytest.mark.django_db
def test_a_protected_profile_needs_confirm_function_like_the_form(invoker, team_profile, api_for):
    team_profile.protected = True
    team_profile.save()
    api = api_for(invoker)

    missing = api.post(URL, body(), format="json")
    wrong = api.post(URL, body(confirm_function="hell"), format="json")
    assert Invocation.objects.count() == 0
    confirmed = api.post(URL, body(confirm_function="hello"), format="json")

    message = "The profile team is protected: type the function name “hello” to confirm."
    for refused in (missing, wrong):
        assert refused.status_code == 400
        assert refused.json() == {
            "code": "invalid",
            "message": f"confirm_function: {message}",
            "fields": {"confirm_function": [message]},
        }
    assert confirmed.status_code == 201


@pytest.mark.django_db
def test_rerun_of_a_protected_profile_needs_confirm_function(invoker, team_profile, api_for):
    original = submit(invoker, team_profile)
    team_profile.protected = True
    team_profile.save()
    api = api_for(invoker)

    refused = api.post(f"{URL}{original.uuid}/rerun/")
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["confirm_function"]
    assert Invocation.objects.count() == 1
    confirmed = api.post(f"{URL}{original.uuid}/rerun/", {"confirm_function": "hello"}, format="json")
    assert confirmed.status_code == 201


@pytest.mark.django_db
def test_the_schema_documents_confirm_function(viewer, api_for):
    schema = api_for(viewer).get("/api/schema/?format=json").json()
    request = schema["components"]["schemas"]["InvocationRequestRequest"]["properties"]
    assert "protected" in request["confirm_function"]["description"]


def test_a_profile_name_with_a_nul_byte_is_a_400_not_a_500(api_for, invoker):
    response = api_for(invoker).post(
        "/api/v1/invocations/", {"profile": "de\x00mo", "function": "hello"}, format="json"
    )
    assert response.status_code == 400
    assert "profile" in response.json()["fields"]
