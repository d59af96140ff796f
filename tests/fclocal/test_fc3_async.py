"""FC 3.0 async invocations and async tasks (fc3-api.md 5): statuses, events, payloads, retries,
stop, a duplicate id, every ListAsyncTasks filter with paging, persistence across a restart."""

import json

import pytest

from fclocal.errors import ALREADY_COMPLETED_STATUS, ALREADY_EXISTS_STATUS, ASYNC_TASK_EXISTS_CODE
from tests.fclocal.helpers import poll
from tests.fclocal.helpers3 import (
    TeaException,
    get_task,
    invoke3,
    list_tasks,
    models,
    sdk3,
    wait_for_task,
)
from tests.fixtures.fclocal import DEMO3_CONFIG
from tests.fixtures.waiting import next_millisecond


def start(server, function, event=b"", task_id=None, **kw):
    return invoke3(server, function, event, kind="Async", task_id=task_id, log="None", **kw)


def stop(server, function, task_id):
    return sdk3(server).stop_async_task(function, task_id, models.StopAsyncTaskRequest())


def error_of(call) -> TeaException:
    with pytest.raises(TeaException) as raised:
        call()
    return raised.value


def test_an_async_invocation_is_accepted_with_202_and_its_task_id(fclocal):
    response = start(fclocal, "async-job", b'{"seconds": 0}', "accepted-1")

    assert response.status_code == 202
    assert response.headers["x-fc-async-task-id"] == "accepted-1"


def test_a_task_runs_to_succeeded_with_its_payloads_and_events(fclocal):
    response = start(fclocal, "async-job", b'{"seconds": 1}', "job-succeeds")

    task = wait_for_task(fclocal, "async-job", "job-succeeds", ("Succeeded",))

    assert task["status"] == "Succeeded"
    assert task["taskId"] == "job-succeeds"
    assert task["taskPayload"] == '{"seconds": 1}'
    assert task["returnPayload"] == '{"steps": 1}'
    assert task["requestId"] == response.headers["x-fc-request-id"]
    assert task["functionArn"] == "acs:fc:cn-hangzhou:1234567890123456:functions/async-job"
    assert task["qualifier"] == "LATEST"
    assert task["instanceId"].startswith("c-")
    assert task["durationMs"] >= 1000
    assert task["endTime"] >= task["startedTime"]
    assert task["destinationStatus"] == "Succeeded"
    assert [e["status"] for e in task["events"]] == ["Enqueued", "Running", "Succeeded"]
    assert [e["eventId"] for e in task["events"]] == [1, 2, 3]


def test_a_task_id_is_generated_when_none_is_given(fclocal):
    response = start(fclocal, "async-job", b'{"seconds": 0}')

    task_id = response.headers["x-fc-async-task-id"]
    assert task_id == response.headers["x-fc-request-id"]
    assert wait_for_task(fclocal, "async-job", task_id, ("Succeeded",))["status"] == "Succeeded"


def test_a_duplicate_task_id_is_refused(fclocal):
    start(fclocal, "async-job", b'{"seconds": 0}', "dup-1")

    error = error_of(lambda: start(fclocal, "async-job", b'{"seconds": 0}', "dup-1"))

    assert (error.code, error.data["statusCode"]) == (ASYNC_TASK_EXISTS_CODE, ALREADY_EXISTS_STATUS)


def test_an_invalid_task_id_is_an_invalid_argument(fclocal):
    assert error_of(lambda: start(fclocal, "async-job", b"", "9-digit-first")).code == "InvalidArgument"


def test_an_unknown_task_is_not_found(fclocal):
    error = error_of(lambda: get_task(fclocal, "async-job", "no-such-task"))

    assert (error.code, error.data["statusCode"]) == ("AsyncTaskNotFound", 404)


def test_without_the_async_task_switch_an_async_call_runs_but_is_no_task(fclocal):
    response = start(fclocal, "hello", b"not a task", "ignored-id")

    assert response.status_code == 202
    assert "x-fc-async-task-id" not in response.headers
    assert error_of(lambda: get_task(fclocal, "hello", "ignored-id")).code == "AsyncTaskNotFound"
    assert list_tasks(fclocal, "hello") == {"tasks": []}


def test_a_failing_task_is_retried_then_failed(fclocal_factory):
    server = fclocal_factory(DEMO3_CONFIG, retry_delay=0.1)
    start(server, "fail", b"{}", "fails-twice")

    task = wait_for_task(server, "fail", "fails-twice", ("Failed",))

    assert task["status"] == "Failed"
    assert task["alreadyRetriedTimes"] == 1
    assert task["taskErrorMessage"] == "UnhandledInvocationError"
    assert "this function always fails" in task["returnPayload"]
    statuses = [e["status"] for e in task["events"]]
    assert statuses == ["Enqueued", "Running", "Retrying", "Running", "Failed"]


def test_stop_ends_a_running_task_stopping_then_stopped(fclocal):
    start(fclocal, "async-job", b'{"seconds": 30}', "stop-me")
    poll(lambda: get_task(fclocal, "async-job", "stop-me"), lambda t: t.get("instanceId"))

    assert stop(fclocal, "async-job", "stop-me").status_code == 200

    task = wait_for_task(fclocal, "async-job", "stop-me", ("Stopped",))
    assert task["status"] == "Stopped"
    assert [e["status"] for e in task["events"]][-2:] == ["Stopping", "Stopped"]
    assert task["endTime"] - task["startedTime"] < 20_000


def test_stop_of_a_finished_task_is_refused(fclocal):
    start(fclocal, "async-job", b'{"seconds": 0}', "done-already")
    wait_for_task(fclocal, "async-job", "done-already", ("Succeeded",))

    error = error_of(lambda: stop(fclocal, "async-job", "done-already"))

    assert (error.code, error.data["statusCode"]) == ("AsyncTaskAlreadyCompleted", ALREADY_COMPLETED_STATUS)


def test_stop_of_an_unknown_task_is_not_found(fclocal):
    assert error_of(lambda: stop(fclocal, "async-job", "never-started")).code == "AsyncTaskNotFound"


@pytest.fixture(scope="module")
def listed(fclocal):
    """Five finished tasks with a common prefix, started in order (the last through the alias)."""
    ids = [f"page-{n}" for n in range(5)]
    for n, task_id in enumerate(ids):
        start(fclocal, "async-job", b'{"seconds": 0}', task_id, qualifier="prod" if n == 4 else None)
        next_millisecond()  # distinct start times: time order is id order
    for task_id in ids:
        wait_for_task(fclocal, "async-job", task_id, ("Succeeded",))
    return ids


def ids_of(page: dict) -> list[str]:
    return [t["taskId"] for t in page["tasks"]]


def test_list_pages_with_next_token_in_ascending_order(fclocal, listed):
    pages, token = [], None
    while True:
        page = list_tasks(
            fclocal, "async-job", prefix="page-", limit=2, sort_order_by_time="asc", next_token=token
        )
        pages.append(ids_of(page))
        token = page.get("nextToken")
        if not token:
            break

    assert pages == [listed[:2], listed[2:4], listed[4:]]


def test_list_sorts_newest_first_when_asked(fclocal, listed):
    assert ids_of(list_tasks(fclocal, "async-job", prefix="page-", sort_order_by_time="desc")) == listed[::-1]


def test_list_filters_by_status(fclocal, listed):
    assert list_tasks(fclocal, "async-job", prefix="page-", status="Failed")["tasks"] == []
    assert len(list_tasks(fclocal, "async-job", prefix="page-", status="Succeeded")["tasks"]) == 5


def test_list_filters_by_a_started_time_window_with_both_edges_included(fclocal, listed):
    tasks = list_tasks(fclocal, "async-job", prefix="page-", sort_order_by_time="asc")["tasks"]
    begin, end = tasks[1]["startedTime"], tasks[3]["startedTime"]

    window = list_tasks(
        fclocal,
        "async-job",
        prefix="page-",
        started_time_begin=begin,
        started_time_end=end,
        sort_order_by_time="asc",
    )

    assert ids_of(window) == listed[1:4]


def test_list_filters_by_qualifier(fclocal, listed):
    assert ids_of(list_tasks(fclocal, "async-job", prefix="page-", qualifier="prod")) == [listed[4]]


def test_list_carries_task_payloads_only_when_asked(fclocal, listed):
    without = list_tasks(fclocal, "async-job", prefix="page-0")["tasks"][0]
    with_payload = list_tasks(fclocal, "async-job", prefix="page-0", include_payload=True)["tasks"][0]

    assert "taskPayload" not in without
    assert with_payload["taskPayload"] == '{"seconds": 0}'


def test_list_refuses_a_bad_limit_status_order_or_token(fclocal):
    for params in (
        {"limit": 101},
        {"status": "Sleeping"},
        {"sort_order_by_time": "up"},
        {"next_token": "x!"},
    ):
        assert error_of(lambda p=params: list_tasks(fclocal, "async-job", **p)).code == "InvalidArgument", (
            params
        )


@pytest.mark.parametrize("kill", [False, True], ids=["terminated", "killed"])
def test_tasks_survive_a_restart_queued_ones_run_and_running_ones_fail(fclocal_factory, kill):
    server = fclocal_factory(DEMO3_CONFIG, async_workers=1)
    start(server, "async-job", b'{"seconds": 30}', "was-running")
    start(server, "async-job", b'{"seconds": 1}', "was-queued")
    wait_for_task(server, "async-job", "was-running", ("Running",))

    server.restart(kill=kill)

    running = get_task(server, "async-job", "was-running")
    assert running["status"] == "Failed"
    assert running["taskErrorMessage"] == "fclocal restarted while the invocation was running"
    queued = wait_for_task(server, "async-job", "was-queued", ("Succeeded",))
    assert queued["status"] == "Succeeded"
    assert json.loads(queued["returnPayload"]) == {"steps": 1}
    assert error_of(lambda: start(server, "async-job", b"", "was-queued")).code == ASYNC_TASK_EXISTS_CODE
