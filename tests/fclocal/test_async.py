"""Async invocations and stateful async invocations (Get, List, Stop), fc-api.md 4."""

import pytest

from fclocal.errors import ALREADY_EXISTS_STATUS
from tests.fclocal.helpers import FAULTS, async_path, event, get_async, invoke, sdk, signed, wait_for_status
from tests.fixtures.waiting import next_millisecond, wait_until


def start_async(server, function, body=b"", invocation_id="", **kw):
    headers = {"X-Fc-Invocation-Type": "Async", "X-Fc-Stateful-Async-Invocation-Id": invocation_id}
    return invoke(server, function, body, headers=headers, **kw)


def test_it_accepts_an_async_invocation_with_202_and_a_request_id(fclocal):
    response = start_async(fclocal, "hello", b"later", "hello-async-1")

    assert response.status_code == 202
    assert response.content == b""
    assert response.headers["X-Fc-Request-Id"].startswith("1-")
    assert response.headers["X-Fc-Stateful-Async-Invocation-Id"] == "hello-async-1"


def test_the_official_sdk_starts_an_async_invocation_with_an_id(fclocal):
    headers = {"x-fc-invocation-type": "Async", "x-fc-stateful-async-invocation-id": "sdk-job-1"}

    response = sdk(fclocal).invoke_function("demo", "stateful-job", payload=event(seconds=1), headers=headers)

    assert response.headers["X-Fc-Stateful-Async-Invocation-Id"] == "sdk-job-1"
    record = wait_for_status(fclocal, "stateful-job", "sdk-job-1", ("Succeeded",))
    assert record["status"] == "Succeeded"
    assert record["returnPayload"] == '{"steps": 1}'
    assert record["invocationPayload"] == '{"seconds": 1}'
    assert record["requestId"] == response.headers["X-Fc-Request-Id"]
    assert record["instanceId"].startswith("c-")
    assert record["durationMs"] >= 1000
    assert record["endTime"] >= record["startedTime"]
    assert [e["status"] for e in record["events"]] == ["Enqueued", "Running", "Succeeded"]
    assert [e["eventId"] for e in record["events"]] == [1, 2, 3]


def test_it_generates_an_id_when_none_is_given(fclocal):
    response = start_async(fclocal, "hello", b"x")

    invocation_id = response.headers["X-Fc-Stateful-Async-Invocation-Id"]
    assert invocation_id == response.headers["X-Fc-Request-Id"]
    assert wait_for_status(fclocal, "hello", invocation_id, ("Succeeded",))["status"] == "Succeeded"


def test_it_refuses_a_reused_invocation_id(fclocal):
    assert start_async(fclocal, "hello", b"x", "reused-id").status_code == 202

    again = start_async(fclocal, "hello", b"x", "reused-id")

    assert again.status_code == ALREADY_EXISTS_STATUS == 409
    assert again.json()["ErrorCode"] == "StatefulAsyncInvocationAlreadyExists"


def test_it_refuses_an_invalid_invocation_id(fclocal):
    response = start_async(fclocal, "hello", b"x", "9-starts-with-a-digit")

    assert response.status_code == 400
    assert response.json()["ErrorCode"] == "InvalidArgument"


def test_it_retries_a_failing_task_then_fails_it(fclocal_factory):
    server = fclocal_factory(FAULTS, retry_delay=0.1)
    start_async(server, "retried", b"", "will-fail", service="faults")

    record = wait_for_status(server, "retried", "will-fail", ("Failed",), service="faults")

    assert record["status"] == "Failed"
    assert record["alreadyRetriedTimes"] == 2
    assert record["invocationErrorMessage"] == "UnhandledInvocationError"
    statuses = [e["status"] for e in record["events"]]
    assert statuses == ["Enqueued", "Running", "Retrying", "Running", "Retrying", "Running", "Failed"]
    assert record["events"][-1]["eventDetail"] == '{"Error": "UnhandledInvocationError"}'


def test_it_expires_a_task_older_than_its_max_event_age(fclocal_factory):
    server = fclocal_factory(FAULTS, async_workers=1)
    start_async(server, "sleepy", event(seconds=2), "blocker", service="faults")
    start_async(server, "stale", event(seconds=0), "too-old", service="faults")

    record = wait_for_status(server, "stale", "too-old", ("Expired", "Succeeded"), service="faults")

    assert record["status"] == "Expired"


def test_get_of_an_unknown_invocation_is_not_found(fclocal):
    response = signed(fclocal, "GET", async_path("hello", "no-such-task"))

    assert response.status_code == 404
    assert response.json()["ErrorCode"] == "StatefulAsyncInvocationNotFound"


def test_get_on_an_unknown_function_is_function_not_found(fclocal):
    response = signed(fclocal, "GET", async_path("nope", "x"))

    assert response.status_code == 404
    assert response.json()["ErrorCode"] == "FunctionNotFound"


def test_stop_ends_a_running_task_stopping_then_stopped(fclocal):
    start_async(fclocal, "stateful-job", event(seconds=30), "stop-me")
    running = wait_for_status(fclocal, "stateful-job", "stop-me", ("Running",))
    running = wait_until(
        lambda: (record := get_async(fclocal, "stateful-job", "stop-me")).get("instanceId") and record,
        seconds=15,
    )
    assert running["status"] == "Running"
    assert running["instanceId"].startswith("c-")  # an instance has taken it: the handler runs

    stopped = signed(fclocal, "PUT", async_path("stateful-job", "stop-me"))

    assert stopped.status_code == 200
    record = wait_for_status(fclocal, "stateful-job", "stop-me", ("Stopped",))
    assert record["status"] == "Stopped"
    statuses = [e["status"] for e in record["events"]]
    assert statuses[-2:] == ["Stopping", "Stopped"]
    assert record["endTime"] - record["startedTime"] < 20_000


def test_stop_of_a_finished_task_is_already_completed(fclocal):
    start_async(fclocal, "hello", b"x", "done-already")
    wait_for_status(fclocal, "hello", "done-already", ("Succeeded",))

    response = signed(fclocal, "PUT", async_path("hello", "done-already"))

    assert response.status_code == 412
    assert response.json()["ErrorCode"] == "StatefulAsyncInvocationAlreadyCompleted"


def test_stop_of_a_queued_task_stops_it_before_it_runs(fclocal_factory):
    server = fclocal_factory(FAULTS, async_workers=1)
    start_async(server, "sleepy", event(seconds=2), "first", service="faults")
    start_async(server, "sleepy", event(seconds=0), "queued", service="faults")

    assert signed(server, "PUT", async_path("sleepy", "queued", service="faults")).status_code == 200

    record = signed(server, "GET", async_path("sleepy", "queued", service="faults")).json()
    assert [e["status"] for e in record["events"]] == ["Enqueued", "Stopping", "Stopped"]
    assert "instanceId" not in record or record["instanceId"] == ""


@pytest.fixture(scope="module")
def listed(fclocal):
    """Five finished tasks of `hello` with a common prefix, started in order."""
    ids = [f"list-{n}" for n in range(5)]
    for invocation_id in ids:
        start_async(fclocal, "hello", invocation_id.encode(), invocation_id)
        next_millisecond()  # distinct start times: time order is id order
    for invocation_id in ids:
        wait_for_status(fclocal, "hello", invocation_id, ("Succeeded",))
    return ids


def list_async(server, function="hello", **query):
    response = signed(server, "GET", async_path(function), query=query)
    assert response.status_code == 200, response.text
    return response.json()


def test_list_filters_by_prefix_and_pages_with_next_token(fclocal, listed):
    first = list_async(fclocal, invocationIdPrefix="list-", limit=2, sortOrderByTime="asc")
    second = list_async(
        fclocal, invocationIdPrefix="list-", limit=2, sortOrderByTime="asc", nextToken=first["nextToken"]
    )
    third = list_async(
        fclocal, invocationIdPrefix="list-", limit=2, sortOrderByTime="asc", nextToken=second["nextToken"]
    )

    pages = [[r["invocationId"] for r in page["invocations"]] for page in (first, second, third)]
    assert pages == [listed[:2], listed[2:4], listed[4:]]
    assert "nextToken" not in third


def test_list_sorts_newest_first_when_asked(fclocal, listed):
    page = list_async(fclocal, invocationIdPrefix="list-", sortOrderByTime="desc")

    assert [r["invocationId"] for r in page["invocations"]] == listed[::-1]


def test_list_filters_by_status_and_time(fclocal, listed):
    records = list_async(fclocal, invocationIdPrefix="list-", sortOrderByTime="asc")["invocations"]
    begin, end = records[1]["startedTime"], records[3]["startedTime"]

    in_window = list_async(
        fclocal, invocationIdPrefix="list-", startedTimeBegin=begin, startedTimeEnd=end, sortOrderByTime="asc"
    )
    assert [r["invocationId"] for r in in_window["invocations"]] == listed[1:4]
    assert list_async(fclocal, invocationIdPrefix="list-", status="Failed")["invocations"] == []
    assert len(list_async(fclocal, invocationIdPrefix="list-", status="Succeeded")["invocations"]) == 5


def test_list_carries_payloads_only_when_asked(fclocal, listed):
    without = list_async(fclocal, invocationIdPrefix="list-0")["invocations"][0]
    with_payload = list_async(fclocal, invocationIdPrefix="list-0", includePayload="true")["invocations"][0]

    assert "invocationPayload" not in without
    assert with_payload["invocationPayload"] == "list-0"


def test_list_rejects_a_bad_limit_status_or_token(fclocal):
    for query in ({"limit": "0"}, {"limit": "101"}, {"status": "Sleeping"}, {"nextToken": "garbage!"}):
        response = signed(fclocal, "GET", async_path("hello"), query=query)
        assert response.status_code == 400, query
        assert response.json()["ErrorCode"] == "InvalidArgument"


def test_get_returns_the_record_of_a_task(fclocal, listed):
    record = get_async(fclocal, "hello", "list-3")

    assert record["serviceName"] == "demo"
    assert record["functionName"] == "hello"
    assert record["qualifier"] == "LATEST"
    assert record["invocationId"] == "list-3"
    assert record["returnPayload"] == "list-3"
    assert record["destinationStatus"] == "Succeeded"
    assert record["alreadyRetriedTimes"] == 0


@pytest.mark.parametrize("kill", [False, True], ids=["terminated", "killed"])
def test_after_a_restart_queued_tasks_run_and_running_ones_fail_with_a_reason(fclocal_factory, kill):
    server = fclocal_factory(FAULTS, async_workers=1)
    start_async(server, "sleepy", event(seconds=30), "was-running", service="faults")
    start_async(server, "sleepy", event(seconds=0, marker="later"), "was-queued", service="faults")
    wait_for_status(server, "sleepy", "was-running", ("Running",), service="faults")

    server.restart(kill=kill)

    running = get_async(server, "sleepy", "was-running", service="faults")
    assert running["status"] == "Failed"
    assert running["invocationErrorMessage"] == "fclocal restarted while the invocation was running"
    queued = wait_for_status(server, "sleepy", "was-queued", ("Succeeded",), service="faults")
    assert queued["status"] == "Succeeded"
    assert queued["returnPayload"] == "later"


def test_a_task_stopped_while_it_waits_for_an_instance_never_starts(fclocal_factory):
    server = fclocal_factory(FAULTS, max_instances=1)
    start_async(server, "single", event(seconds=2, marker="first"), "holds-the-instance", service="faults")
    wait_for_status(server, "single", "holds-the-instance", ("Running",), service="faults")
    start_async(server, "single", event(seconds=0, marker="second"), "waits", service="faults")
    wait_for_status(server, "single", "waits", ("Running",), service="faults")  # running, but no instance yet

    assert signed(server, "PUT", async_path("single", "waits", service="faults")).status_code == 200

    waited = wait_for_status(server, "single", "waits", ("Stopped",), service="faults")
    first = wait_for_status(server, "single", "holds-the-instance", ("Succeeded",), service="faults")
    assert waited["status"] == "Stopped"
    assert not waited.get("instanceId")
    assert first["status"] == "Succeeded"  # its instance was not killed for the other task
    assert first["returnPayload"] == "first"


def test_a_task_keeps_the_qualifier_it_was_called_with(fclocal):
    start_async(fclocal, "hello", b"aliased", "via-prod", qualifier="prod")
    record = wait_for_status(fclocal, "hello", "via-prod", ("Succeeded",))

    through_alias = signed(
        fclocal, "GET", async_path("hello", service="demo.prod"), query={"invocationIdPrefix": "via-"}
    )
    through_latest = signed(
        fclocal, "GET", async_path("hello", service="demo.LATEST"), query={"invocationIdPrefix": "via-"}
    )

    assert record["qualifier"] == "prod"
    assert [r["invocationId"] for r in through_alias.json()["invocations"]] == ["via-prod"]
    assert through_latest.json()["invocations"] == []
