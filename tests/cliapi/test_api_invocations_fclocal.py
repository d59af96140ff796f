"""The API end to end: a real worker on Redis calls fclocal; `?wait` returns the finished row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fcconsole import statements
from invocations.models import Invocation
from invocations.tasks import track_async
from tests.cliapi.conftest import make_fclocal_profile
from tests.fixtures.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

URL = "/api/v1/invocations/"


@pytest.fixture
def demo(fclocal, invoker):
    return make_fclocal_profile("demo", fclocal, users=[invoker])


def body(function, **fields):
    return {"profile": "demo", "region": "cn-hangzhou", "service": "demo", "function": function, **fields}


def wait_for(client, invocation_id, predicate, seconds=30):
    """Poll the API; meanwhile ask the worker to track async tasks, as beat does in production."""
    seen = {}

    def reached():
        track_async.delay()
        seen["data"] = client.get(f"{URL}{invocation_id}/").json()
        return predicate(seen["data"]) and seen["data"]

    return wait_until(reached, seconds=seconds, interval=0.5, what=lambda: seen.get("data"))


def test_wait_returns_the_result_with_log_tail_and_metrics(celery_worker, demo, invoker, api_for):
    with CaptureQueriesContext(connection) as statements_run:
        response = api_for(invoker).post(
            f"{URL}?wait=30", body("hello", event='{"via": "api"}'), format="json"
        )

    assert response.status_code == 201
    # The worker's wake-up carried the row as it ended: the waiter did not read it again.
    # (The captured text has the row's id in place of the placeholder.)
    reread = statements._select_sql(Invocation, Invocation.OUTCOME_FIELDS)[0].removesuffix("%s")
    assert statements_run.captured_queries
    assert not [query for query in statements_run.captured_queries if query["sql"].startswith(reread)]
    data = response.json()
    assert data["state"] == "succeeded"
    assert data["response_body"] == '{"via": "api"}'
    assert f"FC Invoke End RequestId: {data['request_id']}" in data["log_tail"]
    assert data["memory_size_mb"] == 128 and data["duration_ms"] is not None
    assert data["sent_at"] is not None  # went through the queue


def test_fc_refusals_keep_fcs_error_code(celery_worker, demo, invoker, api_for):
    response = api_for(invoker).post(f"{URL}?wait=30", body("missing"), format="json")

    data = response.json()
    assert response.status_code == 201
    assert (data["state"], data["error_code"], data["http_status"]) == ("error", "FunctionNotFound", 404)


def test_an_async_task_is_tracked_then_stopped(celery_worker, demo, invoker, api_for):
    client = api_for(invoker)
    created = client.post(
        f"{URL}?wait=10",
        body("stateful-job", event='{"seconds": 60}', invocation_type="async"),
        format="json",
    ).json()
    assert created["state"] == "tracking"
    wait_for(client, created["id"], lambda d: any(e["status"] == "Running" for e in d["timeline"]))

    stopped = client.post(f"{URL}{created['id']}/stop/")

    assert stopped.status_code == 200
    assert stopped.json()["stopped_by"] == invoker.username
    final = wait_for(client, created["id"], lambda d: d["state"] == "stopped")
    assert [e["status"] for e in final["timeline"]][-1] == "Stopped"


def test_rerun_waits_for_the_new_result(celery_worker, demo, invoker, api_for):
    client = api_for(invoker)
    first = client.post(f"{URL}?wait=30", body("hello", event="again"), format="json").json()

    again = client.post(f"{URL}{first['id']}/rerun/?wait=30")

    assert again.status_code == 201
    data = again.json()
    assert (data["state"], data["response_body"], data["rerun_of"]) == ("succeeded", "again", first["id"])
