"""FC 3.0 through the API end to end: a request without a service, a real worker on Redis, and
fclocal's 3.0 demo (examples/fc3/s.yaml) on the session's one port. The twins of
test_api_invocations_fclocal.py's FC 2.0 cases."""

import pytest

from invocations.tasks import track_async
from tests.cliapi.conftest import make_fclocal_profile
from tests.fixtures.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

URL = "/api/v1/invocations/"


@pytest.fixture
def demo(fclocal, invoker):
    return make_fclocal_profile("demo", fclocal, users=[invoker])


def fc3(function, **fields):
    """An FC 3.0 request: no service."""
    return {"profile": "demo", "region": "cn-hangzhou", "function": function, **fields}


def wait_for(client, invocation_id, predicate, seconds=30):
    """Read the invocation through the API until `predicate` holds; meanwhile ask the worker to
    track async tasks, as the beat schedule does in production."""
    last = {}

    def reached():
        track_async.delay()
        last.update(client.get(f"{URL}{invocation_id}/").json())
        return predicate(last) and dict(last)

    return wait_until(
        reached, seconds=seconds, interval=0.2, what=lambda: f"still {last.get('state')}: {last}"
    )


def test_a_sync_fc3_call_waits_for_the_result_and_names_the_function_alone(
    celery_worker, demo, invoker, api_for
):
    response = api_for(invoker).post(
        f"{URL}?wait=30", fc3("hello", event='{"via": "api3"}', qualifier="prod"), format="json"
    )

    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "succeeded", data["state_reason"]
    assert (data["service"], data["function"], data["qualifier"]) == ("", "hello", "prod")
    assert data["response_body"] == '{"via": "api3"}'
    assert "/2023-03-30/functions/hello/invocations?qualifier=prod" in data["request_url"]
    assert f"FC Invoke End RequestId: {data['request_id']}" in data["log_tail"]
    assert data["memory_size_mb"] == 128 and data["duration_ms"] is not None
    assert data["async_invocation_id"] == "" and data["timeline"] == []


def test_an_unknown_fc3_function_is_recorded_with_fcs_error_code(celery_worker, demo, invoker, api_for):
    response = api_for(invoker).post(f"{URL}?wait=30", fc3("no-such-function"), format="json")

    assert response.status_code == 201
    data = response.json()
    assert (data["state"], data["error_code"], data["http_status"]) == ("error", "FunctionNotFound", 404)
    assert (data["service"], data["function"]) == ("", "no-such-function")


def test_an_fc3_async_task_is_tracked_to_its_end_under_the_id_given(celery_worker, demo, invoker, api_for):
    client = api_for(invoker)
    created = client.post(
        f"{URL}?wait=10",
        fc3("async-job", event='{"seconds": 1}', invocation_type="async", async_invocation_id="api-task-1"),
        format="json",
    ).json()
    assert created["state"] == "tracking", created["state_reason"]
    assert created["async_invocation_id"] == "api-task-1" and created["http_status"] == 202

    final = wait_for(client, created["id"], lambda d: d["state"] not in ("queued", "running", "tracking"))

    assert (final["state"], final["async_status"]) == ("succeeded", "Succeeded")
    statuses = [e["status"] for e in final["timeline"]]
    assert statuses[0] == "Enqueued" and "Running" in statuses and statuses[-1] == "Succeeded"
    listed = client.get(URL, {"async_invocation_id": "api-task-1"}).json()["results"]
    assert [row["id"] for row in listed] == [created["id"]]


def test_an_fc3_async_task_is_stopped_through_the_api(celery_worker, demo, invoker, api_for):
    client = api_for(invoker)
    created = client.post(
        f"{URL}?wait=10", fc3("async-job", event='{"seconds": 60}', invocation_type="async"), format="json"
    ).json()
    assert created["state"] == "tracking", created["state_reason"]
    wait_for(client, created["id"], lambda d: any(e["status"] == "Running" for e in d["timeline"]))

    stopped = client.post(f"{URL}{created['id']}/stop/")

    assert stopped.status_code == 200
    assert stopped.json()["stopped_by"] == invoker.username
    final = wait_for(client, created["id"], lambda d: d["state"] == "stopped")
    assert [e["status"] for e in final["timeline"]][-1] == "Stopped"
    assert client.post(f"{URL}{created['id']}/stop/").status_code == 409  # it has ended


def test_an_fc3_rerun_is_a_new_fc3_invocation_with_the_new_result(celery_worker, demo, invoker, api_for):
    client = api_for(invoker)
    first = client.post(f"{URL}?wait=30", fc3("hello", event="again"), format="json").json()

    again = client.post(f"{URL}{first['id']}/rerun/?wait=30")

    assert again.status_code == 201
    data = again.json()
    assert (data["state"], data["response_body"], data["rerun_of"]) == ("succeeded", "again", first["id"])
    assert (data["service"], data["function"]) == ("", "hello")
    assert data["id"] != first["id"] and data["request_id"] != first["request_id"]
