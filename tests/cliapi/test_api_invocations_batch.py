"""POST /api/v1/invocations/batch (issue 18): up to 1,000 invocations, each checked like a single
one, written together or not at all, answered with their ids in order.

Nothing here reaches FC (the rows stay queued); the batch run by a real worker against fclocal is
in test_api_invocations_batch_fclocal.py.
"""

import pytest

from audit.models import AuditEntry
from invocations.models import Invocation
from tests.cliapi.conftest import make_profile

pytestmark = pytest.mark.django_db

URL = "/api/v1/invocations/batch"


def fc2(**fields):
    return {"profile": "team", "region": "cn-hangzhou", "service": "demo", "function": "hello", **fields}


def fc3(**fields):
    return {"profile": "team", "region": "cn-hangzhou", "function": "hello3", **fields}


def post(client, items):
    return client.post(URL, {"items": items}, format="json")


def test_it_answers_the_ids_in_the_order_of_the_items(invoker, team_profile, api_for):
    response = post(
        api_for(invoker),
        [fc2(event='{"n": 1}'), fc3(invocation_type="async"), fc2(event="AAE=", event_encoding="base64")],
    )

    assert response.status_code == 201, response.json()
    ids = response.json()["ids"]
    rows = {str(row.uuid): row for row in Invocation.objects.all()}
    assert list(rows) and set(ids) == set(rows) and len(ids) == 3
    assert [(rows[i].service, rows[i].function, bytes(rows[i].event)) for i in ids] == [
        ("demo", "hello", b'{"n": 1}'),
        ("", "hello3", b""),
        ("demo", "hello", b"\x00\x01"),
    ]
    assert {row.source for row in rows.values()} == {"api"}
    assert AuditEntry.objects.filter(action="invocation.submitted", object_id__in=ids).count() == 3


def test_one_bad_item_refuses_the_batch_naming_it_and_nothing_is_written(invoker, team_profile, api_for):
    items = [fc2() for _ in range(5)]
    items[3] = fc2(function="bad.name")

    response = post(api_for(invoker), items)

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert data["fields"] == {
        "items": {
            "3": {
                "function": [
                    "A function name uses letters, digits, '_' and '-', and starts with a letter or '_'."
                ]
            }
        }
    }
    assert data["message"].startswith("items.3.function: A function name uses")
    assert not Invocation.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="invocation.").exists()


def test_an_item_the_request_shape_refuses_is_named_the_same_way(invoker, team_profile, api_for):
    response = post(api_for(invoker), [fc2(), {"profile": "team"}, fc2(profile="nope")])

    assert response.status_code == 400
    fields = response.json()["fields"]["items"]
    assert set(fields) == {"1", "2"}
    assert fields["1"] == {"function": ["This field is required."]}
    assert list(fields["2"]) == ["profile"]
    assert not Invocation.objects.exists()


def test_more_than_1000_items_are_refused(invoker, team_profile, api_for):
    response = post(api_for(invoker), [fc2()] * 1001)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "items": ["A batch carries at most 1,000 invocations; this one has 1,001."]
    }
    assert not Invocation.objects.exists()
    empty = post(api_for(invoker), [])
    assert (empty.status_code, empty.json()["fields"]) == (400, {"items": ["Send at least one invocation."]})


def test_a_protected_profile_item_without_the_function_name_is_refused(invoker, team_profile, api_for):
    guarded = make_profile("guarded", users=[invoker])
    guarded.protected = True
    guarded.save()

    response = post(api_for(invoker), [fc2(), fc2(profile="guarded", confirm_function="")])

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "items": {
            "1": {
                "confirm_function": [
                    "The profile guarded is protected: type the function name “hello” to confirm."
                ]
            }
        }
    }
    assert not Invocation.objects.exists()
    confirmed = post(api_for(invoker), [fc2(), fc2(profile="guarded", confirm_function="hello")])
    assert confirmed.status_code == 201


def test_an_item_with_a_profile_not_granted_is_forbidden_naming_it(
    invoker, team_profile, admin_profile, api_for
):
    response = post(api_for(invoker), [fc2(), fc2(profile=admin_profile.name)])

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": f"Item 1: You may not invoke with the profile {admin_profile.name}.",
    }
    assert not Invocation.objects.exists()


def test_a_viewer_and_a_stranger_cannot_batch(viewer, team_profile, api_for):
    assert post(api_for(viewer), [fc2()]).status_code == 403
    assert post(api_for(), [fc2()]).status_code == 401


def test_the_profiles_are_looked_up_once_for_the_whole_batch(invoker, team_profile, api_for):
    client = api_for(invoker)
    post(client, [fc2()])  # the token's first use
    few = len(_queries(client, 2))
    many = _queries(client, 40)

    # Per item: its row and its audit entry; nothing else grows with the batch.
    assert len(many) - few <= (40 - 2) * 2 + 2, many


def _queries(client, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert post(client, [fc2()] * n).status_code == 201
    return [q["sql"] for q in captured.captured_queries]
