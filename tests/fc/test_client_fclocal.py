"""FCClient against fclocal over real HTTP: the calls the console makes, and FC's refusals."""

from __future__ import annotations

import json
import time
from urllib.parse import unquote, urlsplit

import psutil
import pytest
from fc2.auth import Auth

from invocations.fc.client import FCClient
from invocations.fc.errors import FCError

# Until branch fclocal is merged there is no server to test against.
pytest.importorskip("fclocal.server")

TERMINAL = {"Succeeded", "Failed", "Stopped", "Expired", "Invalid"}


@pytest.fixture
def client(fclocal):
    c = FCClient(
        fclocal.url,
        fclocal.access_key_id,
        fclocal.access_key_secret,
        account_id=fclocal.account_id,
        backoff=0.01,
    )
    yield c
    c.close()


def _wait_for(predicate, what, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def _task_id(prefix):
    return f"{prefix}_{time.time_ns()}"


# -- sync ---------------------------------------------------------------------------------------


def test_sync_invoke_returns_body_log_tail_and_figures(client):
    result = client.invoke("demo", "hello", b'{"name": "fcconsole"}')
    function = client.get_function("demo", "hello")

    assert result.status == 200
    assert not result.function_failed
    assert result.body
    assert result.request_id
    assert f"FC Invoke Start RequestId: {result.request_id}" in result.log_tail
    assert result.duration_ms is not None and result.duration_ms >= 0
    assert result.billed_duration_ms >= 1
    assert result.memory_size_mb == function["memorySize"]
    assert result.max_memory_used_mb > 0
    assert result.instance_id
    assert result.code_checksum == function["codeChecksum"]
    assert result.resolved_qualifier == "LATEST"
    assert result.request_url == f"{fclocal_url(client)}/2016-08-15/services/demo/functions/hello/invocations"


def fclocal_url(client):
    return client.endpoint


def test_without_log_tail_no_log_comes_back(client):
    result = client.invoke("demo", "hello", b"{}", log_tail=False)
    assert result.status == 200
    assert result.log_tail is None


def test_a_function_that_raises_is_a_failed_result_not_an_error(client):
    result = client.invoke("demo", "fail", b"{}")
    assert result.status == 200
    assert result.function_failed
    assert result.error_type == "UnhandledInvocationError"
    assert "errorMessage" in json.loads(result.body)


def test_an_unknown_function_is_function_not_found(client):
    with pytest.raises(FCError) as err:
        client.invoke("demo", "no-such-function", b"{}")
    assert (err.value.status, err.value.code) == (404, "FunctionNotFound")
    assert err.value.message == "function 'no-such-function' does not exist in service 'demo'"
    assert err.value.request_id
    assert not err.value.retryable and not err.value.outcome_unknown


def test_an_unknown_service_is_service_not_found(client):
    with pytest.raises(FCError) as err:
        client.invoke("nosuchservice", "hello", b"{}")
    assert (err.value.status, err.value.code) == (404, "ServiceNotFound")


def test_a_wrong_secret_is_signature_not_match_and_the_secret_is_not_told(fclocal):
    client = FCClient(fclocal.url, fclocal.access_key_id, "not-the-secret", account_id=fclocal.account_id)
    with pytest.raises(FCError) as err:
        client.invoke("demo", "hello", b"{}")
    assert (err.value.status, err.value.code) == (403, "SignatureNotMatch")
    assert "not-the-secret" not in str(err.value) and "not-the-secret" not in repr(err.value)


def test_an_unknown_key_id_is_invalid_access_key_id(fclocal):
    client = FCClient(fclocal.url, "LTAInobody", "whatever", account_id=fclocal.account_id)
    with pytest.raises(FCError) as err:
        list(client.list_services())
    assert (err.value.status, err.value.code) == (403, "InvalidAccessKeyID")


def test_what_we_send_is_signed_exactly_as_the_official_sdk_would_sign_it(client):
    """Independent of fclocal's verifier: re-sign the request as it left us with fc2.auth."""
    sent = []
    client._session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    client.invoke("demo", "hello", b"{}", qualifier="LATEST")
    request = sent[-1]
    headers = {k.lower(): v for k, v in request.headers.items()}
    path = unquote(urlsplit(request.url).path)
    expected = Auth(client.access_key_id, client._secret).sign_request(request.method, path, headers)
    assert request.headers["Authorization"] == expected
    assert headers["x-fc-invocation-type"] == "Sync"
    assert headers["x-fc-log-type"] == "Tail"
    assert headers["x-fc-account-id"] == client.account_id
    assert "x-fc-stateful-async-invocation-id" not in headers
    assert path == "/2016-08-15/services/demo.LATEST/functions/hello/invocations"


def test_many_calls_share_one_tcp_connection(client, fclocal):
    for _ in range(30):
        client.invoke("demo", "hello", b"{}")
    port = urlsplit(fclocal.url).port
    mine = [
        c
        for c in psutil.Process().net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    ]
    assert len(mine) == 1


# -- async tasks --------------------------------------------------------------------------------


def test_async_invoke_with_an_id_is_tracked_to_its_end(client):
    task = _task_id("job")
    accepted = client.invoke(
        "demo", "stateful-job", b'{"n": 1}', invocation_type="Async", async_invocation_id=task
    )
    assert 200 <= accepted.status < 300
    assert accepted.body == b""
    assert accepted.async_invocation_id == task
    assert accepted.request_id

    record = _wait_for(
        lambda: (
            (r := client.get_stateful_async_invocation("demo", "stateful-job", task))["status"] in TERMINAL
            and r
        ),
        "the task to finish",
    )
    assert record["invocationId"] == task
    assert record["status"] == "Succeeded"
    assert record["functionName"] == "stateful-job"
    assert isinstance(record["startedTime"], int)
    assert [e["status"] for e in record["events"]][0] == "Enqueued"

    listed = list(client.list_stateful_async_invocations("demo", "stateful-job", invocation_id_prefix=task))
    assert [r["invocationId"] for r in listed] == [task]


def test_reusing_a_task_id_is_already_exists(client):
    task = _task_id("dup")
    client.invoke("demo", "stateful-job", b"{}", invocation_type="Async", async_invocation_id=task)
    with pytest.raises(FCError) as err:
        client.invoke("demo", "stateful-job", b"{}", invocation_type="Async", async_invocation_id=task)
    assert err.value.code == "StatefulAsyncInvocationAlreadyExists"
    assert not err.value.retryable


def test_list_follows_next_token_and_filters(client):
    prefix = _task_id("page")
    ids = [f"{prefix}_{i}" for i in range(5)]
    for task in ids:
        client.invoke("demo", "stateful-job", b"{}", invocation_type="Async", async_invocation_id=task)
    listed = list(
        client.list_stateful_async_invocations(
            "demo",
            "stateful-job",
            invocation_id_prefix=prefix,
            limit=2,
            sort_order_by_time="asc",
            include_payload=True,
        )
    )
    assert sorted(r["invocationId"] for r in listed) == ids
    assert all(r["invocationPayload"] == "{}" for r in listed)


def test_stop_a_running_task(client):
    task = _task_id("stop")
    client.invoke("demo", "slow", b"{}", invocation_type="Async", async_invocation_id=task)
    _wait_for(
        lambda: client.get_stateful_async_invocation("demo", "slow", task)["status"] == "Running", "it to run"
    )
    assert client.stop_stateful_async_invocation("demo", "slow", task)
    record = _wait_for(
        lambda: (r := client.get_stateful_async_invocation("demo", "slow", task))["status"] in TERMINAL and r,
        "it to stop",
    )
    assert record["status"] == "Stopped"


def test_stopping_a_finished_task_is_already_completed(client):
    task = _task_id("done")
    client.invoke("demo", "stateful-job", b"{}", invocation_type="Async", async_invocation_id=task)
    _wait_for(
        lambda: client.get_stateful_async_invocation("demo", "stateful-job", task)["status"] in TERMINAL,
        "the end",
    )
    with pytest.raises(FCError) as err:
        client.stop_stateful_async_invocation("demo", "stateful-job", task)
    assert (err.value.status, err.value.code) == (412, "StatefulAsyncInvocationAlreadyCompleted")


# -- browsing -----------------------------------------------------------------------------------


def test_browsing_the_demo_project(client):
    assert "demo" in [s["serviceName"] for s in client.list_services()]
    names = {f["functionName"] for f in client.list_functions("demo")}
    assert {"hello", "slow", "fail", "http-hello", "stateful-job"} <= names
    assert {f["functionName"] for f in client.list_functions("demo", limit=2)} == names
    assert [f["functionName"] for f in client.list_functions("demo", prefix="sta")] == ["stateful-job"]
    hello = client.get_function("demo", "hello")
    assert hello["functionName"] == "hello" and hello["runtime"].startswith("python3")
    triggers = list(client.list_triggers("demo", "http-hello"))
    assert [t["triggerType"] for t in triggers] == ["http"]
    assert list(client.list_triggers("demo", "hello")) == []
    assert isinstance(list(client.list_aliases("demo")), list)
    assert isinstance(list(client.list_service_versions("demo")), list)


def test_get_function_of_an_unknown_function_is_function_not_found(client):
    with pytest.raises(FCError) as err:
        client.get_function("demo", "nope")
    assert err.value.code == "FunctionNotFound"


# -- HTTP trigger -------------------------------------------------------------------------------


def test_http_trigger_request_reaches_the_function(client):
    result = client.invoke_http(
        "demo",
        "http-hello",
        {
            "method": "POST",
            "path": "/echo",
            "headers": {"Content-Type": "application/json"},
            "queries": {"a": "1", "with space": ["x y", "z"]},
            "body": {"k": "v"},
        },
    )
    assert result.status == 200
    assert result.request_id
    assert result.request_url.startswith(f"{client.endpoint}/2016-08-15/proxy/demo/http-hello/echo?")
    assert result.body


def test_an_unsigned_request_to_a_function_auth_trigger_is_refused(client):
    with pytest.raises(FCError) as err:
        client.invoke_http("demo", "http-hello", {"path": "/"}, signed=False)
    assert err.value.status == 403


# -- failures -----------------------------------------------------------------------------------


def test_a_stopped_endpoint_is_connection_refused(fclocal_factory):
    server = fclocal_factory()
    client = FCClient(server.url, server.access_key_id, server.access_key_secret, backoff=0.01)
    server.stop()
    with pytest.raises(FCError) as err:
        client.invoke("demo", "hello", b"{}")
    assert err.value.code == "ConnectionRefused" and err.value.retryable
