"""The FC 3.0 side of FCClient against fclocal over real HTTP (examples/fc3/s.yaml): the target
API end to end, and FC's refusals."""

from __future__ import annotations

import json

import pytest

from invocations.fc.client import FCClient
from invocations.fc.errors import FCError
from invocations.fc.protocols import ASYNC_RECORD_FIELDS
from invocations.fc.targets import Target
from tests.fc.conftest import new_task_id, wait_for

REGION = "cn-hangzhou"
HELLO = Target(REGION, "hello")
JOB = Target(REGION, "async-job")
TERMINAL = {"Succeeded", "Failed", "Stopped", "Expired", "Invalid"}


# -- invoke ------------------------------------------------------------------------------------


def test_a_sync_invoke_returns_the_body_and_the_log_tail(client):
    result = client.invoke(HELLO, b'{"name": "fc3"}')
    assert result.status == 200
    assert not result.function_failed
    assert result.body == b'{"name": "fc3"}'
    assert result.request_id
    assert result.request_id in result.log_tail


def test_a_sync_invoke_of_an_alias_runs_its_version(client):
    result = client.invoke(Target(REGION, "hello", qualifier="prod"), b"{}")
    assert result.status == 200
    assert result.resolved_qualifier == "1"


def test_a_function_that_raises_is_a_failed_result(client):
    result = client.invoke(Target(REGION, "fail"), b"{}")
    assert result.function_failed
    assert json.loads(result.body)["errorMessage"] == "this function always fails"


def test_an_unknown_function_is_not_found_and_not_retried(client):
    with pytest.raises(FCError) as err:
        client.invoke(Target(REGION, "nope"), b"{}")
    assert (err.value.status, err.value.code) == (404, "FunctionNotFound")
    assert err.value.request_id
    assert not err.value.retryable and not err.value.outcome_unknown


def test_a_wrong_secret_is_refused_with_fcs_signature_code(fclocal):
    with FCClient(fclocal.url, fclocal.access_key_id, "wrong-secret", account_id=fclocal.account_id) as bad:
        with pytest.raises(FCError) as err:
            bad.get_function(HELLO)
    assert (err.value.status, err.value.code) == (403, "SignatureNotMatch")


def test_one_client_serves_a_2_0_and_a_3_0_target_on_one_port(client):
    assert client.invoke(Target(REGION, "hello", "demo"), b'"v2"').body == b'"v2"'
    assert client.invoke(HELLO, b'"v3"').body == b'"v3"'


# -- async tasks -------------------------------------------------------------------------------


def test_an_async_task_runs_and_is_found_by_get_and_list(client):
    task_id = new_task_id("job")
    result = client.invoke(JOB, b'{"seconds": 0}', invocation_type="Async", async_id=task_id)
    assert (result.status, result.async_id) == (202, task_id)

    record = wait_for(
        lambda: (r := client.get_async(JOB, task_id))["status"] in TERMINAL and r, f"task {task_id} to finish"
    )
    assert tuple(record) == ASYNC_RECORD_FIELDS
    assert (record["id"], record["status"]) == (task_id, "Succeeded")
    assert record["returnPayload"] == '{"steps": 0}'
    assert record["payload"] == '{"seconds": 0}'
    assert record["events"]

    records, _ = client.async_page(JOB, id_prefix=task_id, status="Succeeded", include_payload=True, limit=10)
    assert [r["id"] for r in records] == [task_id]
    assert records[0]["payload"] == '{"seconds": 0}'


def test_an_async_invoke_without_an_id_gets_one_the_task_is_found_by(client):
    result = client.invoke(JOB, b'{"seconds": 0}', invocation_type="Async")
    assert result.async_id
    assert client.get_async(JOB, result.async_id)["id"] == result.async_id


def test_listing_async_tasks_pages_with_next_tokens(client):
    prefix = new_task_id("page")
    for n in range(3):
        client.invoke(JOB, b'{"seconds": 0}', invocation_type="Async", async_id=f"{prefix}-{n}")
    first, token = client.async_page(JOB, id_prefix=prefix, limit=2, sort_order_by_time="asc")
    assert len(first) == 2 and token
    rest, last = client.async_page(JOB, id_prefix=prefix, limit=2, sort_order_by_time="asc", next_token=token)
    assert last is None
    assert sorted(r["id"] for r in first + rest) == [f"{prefix}-{n}" for n in range(3)]
    assert sorted(r["id"] for r in client.async_records(JOB, id_prefix=prefix, limit=1)) == [
        f"{prefix}-{n}" for n in range(3)
    ]


def test_a_running_task_can_be_stopped(client):
    task_id = new_task_id("stop")
    client.invoke(JOB, b'{"seconds": 30}', invocation_type="Async", async_id=task_id)
    wait_for(lambda: client.get_async(JOB, task_id)["status"] == "Running", "the task to run")
    assert client.stop_async(JOB, task_id)
    wait_for(lambda: client.get_async(JOB, task_id)["status"] in {"Stopped", "Stopping"}, "the task to stop")


def test_a_task_id_already_used_is_refused(client):
    task_id = new_task_id("dup")
    client.invoke(JOB, b'{"seconds": 0}', invocation_type="Async", async_id=task_id)
    with pytest.raises(FCError) as err:
        client.invoke(JOB, b'{"seconds": 0}', invocation_type="Async", async_id=task_id)
    assert err.value.status == 409
    assert not err.value.retryable


def test_an_unknown_task_is_not_found(client):
    with pytest.raises(FCError) as err:
        client.get_async(JOB, "no-such-task")
    assert (err.value.status, err.value.code) == (404, "AsyncTaskNotFound")


# -- browsing ----------------------------------------------------------------------------------


def test_list_functions_filters_by_fc_version(client):
    v3 = {f["functionName"] for f in client.list_functions(fc_version="v3")}
    assert {"hello", "async-job", "http-echo", "noop"} <= v3
    v2 = {f["functionName"] for f in client.list_functions(fc_version="v2")}
    assert "demo$hello" in v2  # fclocal's (unconfirmed) name of a 2.0 function in the 3.0 API
    assert not v2 & v3
    assert {f["functionName"] for f in client.list_functions()} == v2 | v3


def test_list_functions_pages_through_the_whole_listing(client):
    assert [f["functionName"] for f in client.list_functions(fc_version="v3", limit=1)] == [
        f["functionName"] for f in client.list_functions(fc_version="v3")
    ]


def test_get_function_describes_the_qualified_function(client):
    function = client.get_function(HELLO)
    assert (function["functionName"], function["runtime"]) == ("hello", "python3.9")


def test_versions_aliases_and_triggers_of_a_function(client):
    assert [v["versionId"] for v in client.list_versions(HELLO)] == ["1"]
    assert [(a["aliasName"], a["versionId"]) for a in client.list_aliases(HELLO)] == [("prod", "1")]
    triggers = list(client.list_triggers(Target(REGION, "http-echo")))
    assert [(t["triggerName"], t["triggerType"]) for t in triggers] == [("http", "http")]


def test_an_http_function_is_invoked_through_its_anonymous_trigger(client):
    result = client.invoke_http(
        Target(REGION, "http-echo"), {"method": "POST", "path": "/a b", "queries": {"x": "1"}, "body": "hi"}
    )
    assert result.status == 200
    assert result.headers["X-Demo"] == "http-echo"
    event = json.loads(result.body)["event"]
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["path"].endswith("/a b")
    assert event["body"] == "hi"
    assert event["queryParameters"] == {"x": "1"}
