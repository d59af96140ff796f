"""FCClient against fclocal over real HTTP: the calls the console makes, and FC's refusals."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psutil
import pytest
from fc2.auth import Auth

from invocations.fc.client import FCClient
from invocations.fc.errors import FCError
from tests.fc.conftest import new_task_id, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
TERMINAL = {"Succeeded", "Failed", "Stopped", "Expired", "Invalid"}


# -- sync ---------------------------------------------------------------------------------------


def test_sync_invoke_returns_body_log_tail_and_figures(client):
    result = client.invoke("demo", "hello", b'{"name": "fcconsole"}')
    function = client.get_function("demo", "hello")

    assert result.status == 200
    assert not result.function_failed
    assert result.body == b'{"name": "fcconsole"}'  # hello echoes its event
    assert result.request_id
    assert f"FC Invoke Start RequestId: {result.request_id}" in result.log_tail
    assert result.duration_ms is not None and result.duration_ms >= 0
    assert result.billed_duration_ms >= 1
    assert result.memory_size_mb == function["memorySize"]
    assert result.max_memory_used_mb > 0
    assert result.instance_id
    assert result.code_checksum == function["codeChecksum"]
    assert result.resolved_qualifier == "LATEST"
    assert result.request_url == f"{client.endpoint}/2016-08-15/services/demo/functions/hello/invocations"


def test_a_qualified_invoke_reports_the_version_that_ran(client):
    result = client.invoke("demo", "hello", b"{}", qualifier="prod")
    assert result.status == 200
    assert result.resolved_qualifier == "1"
    assert result.request_url.endswith("/2016-08-15/services/demo.prod/functions/hello/invocations")


def test_an_unknown_alias_is_alias_not_found(client):
    with pytest.raises(FCError) as err:
        client.invoke("demo", "hello", b"{}", qualifier="nosuchalias")
    assert (err.value.status, err.value.code) == (404, "AliasNotFound")


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


def _local_ports_to(port):
    return {
        c.laddr.port
        for c in psutil.Process().net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    }


def test_an_sts_token_is_sent_and_signed(fclocal):
    client = FCClient(
        fclocal.url, fclocal.access_key_id, fclocal.access_key_secret, "CAIS-test-token==", account_id="1"
    )
    sent = []
    client._session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    assert "demo" in [s["serviceName"] for s in client.list_services()]
    headers = {k.lower(): v for k, v in sent[-1].headers.items()}
    assert headers["x-fc-security-token"] == "CAIS-test-token=="
    expected = Auth(client.access_key_id, client._secret, "CAIS-test-token==").sign_request(
        "GET", "/2016-08-15/services", headers
    )
    assert sent[-1].headers["Authorization"] == expected


def test_many_calls_share_one_tcp_connection(client, fclocal):
    port = urlsplit(fclocal.url).port
    before = _local_ports_to(port)
    for _ in range(30):
        client.invoke("demo", "hello", b"{}")
    # Counted twice: by the client's own pool (what it opened), and by the sockets this process
    # holds to fclocal (other code in the process may hold some too, hence "at most one new").
    pools = client._session.get_adapter(fclocal.url).poolmanager.pools
    assert sum(pool.num_connections for pool in pools._container.values()) == 1
    assert len(_local_ports_to(port) - before) <= 1


# -- async tasks --------------------------------------------------------------------------------


def test_async_invoke_with_an_id_is_tracked_to_its_end(client):
    task = new_task_id("job")
    accepted = client.invoke(
        "demo", "stateful-job", b'{"seconds": 0}', invocation_type="Async", async_invocation_id=task
    )
    assert 200 <= accepted.status < 300
    assert accepted.body == b""
    assert accepted.async_invocation_id == task
    assert accepted.request_id

    record = wait_for(
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


def test_async_invoke_without_an_id_gets_one_from_fc(client):
    accepted = client.invoke("demo", "stateful-job", b'{"seconds": 0}', invocation_type="Async")
    assert accepted.async_invocation_id
    record = client.get_stateful_async_invocation("demo", "stateful-job", accepted.async_invocation_id)
    assert record["invocationId"] == accepted.async_invocation_id


def test_an_async_function_error_ends_failed(client):
    task = new_task_id("fail")
    client.invoke("demo", "fail", b"{}", invocation_type="Async", async_invocation_id=task)
    record = wait_for(
        lambda: (r := client.get_stateful_async_invocation("demo", "fail", task))["status"] in TERMINAL and r,
        "the task to fail",
        seconds=60,
    )
    assert record["status"] == "Failed"


def test_reusing_a_task_id_is_already_exists(client):
    task = new_task_id("dup")
    event = b'{"seconds": 0}'
    client.invoke("demo", "stateful-job", event, invocation_type="Async", async_invocation_id=task)
    with pytest.raises(FCError) as err:
        client.invoke("demo", "stateful-job", event, invocation_type="Async", async_invocation_id=task)
    assert err.value.code == "StatefulAsyncInvocationAlreadyExists"
    assert not err.value.retryable


def test_list_follows_next_token_and_filters(client):
    prefix = new_task_id("page")
    ids = [f"{prefix}_{i}" for i in range(5)]
    for task in ids:
        client.invoke(
            "demo", "stateful-job", b'{"seconds": 0}', invocation_type="Async", async_invocation_id=task
        )
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
    assert all(r["invocationPayload"] == '{"seconds": 0}' for r in listed)


def test_stop_a_running_task(client):
    task = new_task_id("stop")
    client.invoke(
        "demo", "stateful-job", b'{"seconds": 60}', invocation_type="Async", async_invocation_id=task
    )
    wait_for(
        lambda: client.get_stateful_async_invocation("demo", "stateful-job", task)["status"] == "Running",
        "it to run",
    )
    assert client.stop_stateful_async_invocation("demo", "stateful-job", task)
    record = wait_for(
        lambda: (
            (r := client.get_stateful_async_invocation("demo", "stateful-job", task))["status"] in TERMINAL
            and r
        ),
        "it to stop",
    )
    assert record["status"] == "Stopped"


def test_stopping_a_finished_task_is_already_completed(client):
    task = new_task_id("done")
    client.invoke(
        "demo", "stateful-job", b'{"seconds": 0}', invocation_type="Async", async_invocation_id=task
    )
    wait_for(
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


def test_a_signed_http_trigger_request_reaches_the_function(client):
    result = client.invoke_http(
        "demo",
        "http-secure",
        {
            "method": "POST",
            "path": "/echo/with space",
            "headers": {"Content-Type": "application/json", "X-Custom": "1"},
            "queries": {"a": "1", "with space": ["x y", "z"]},
            "body": {"k": "v"},
        },
        qualifier="LATEST",
    )
    assert result.status == 200
    assert result.headers["X-Demo"] == "http-hello"
    assert result.request_url == (
        f"{client.endpoint}/2016-08-15/proxy/demo.LATEST/http-secure/echo/with%20space"
        "?a=1&with%20space=x%20y&with%20space=z"
    )
    echoed = json.loads(result.body)
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/echo/with space"
    assert echoed["body"] == '{"k":"v"}'
    assert echoed["requestId"] == result.request_id
    assert f"FC Invoke Start RequestId: {result.request_id}" in result.log_tail


def test_caller_headers_that_clash_with_ours_in_another_case_still_sign(client):
    request = {"path": "/", "headers": {"x-fc-log-type": "None", "date": "yesterday", "x-fc-trace-id": "t-1"}}
    result = client.invoke_http("demo", "http-secure", request)
    assert result.status == 200
    assert result.log_tail  # ours won: the sync call asked for the log tail


def test_an_anonymous_trigger_needs_no_signature(client):
    result = client.invoke_http("demo", "http-hello", {"path": "/"}, signed=False)
    assert result.status == 200
    assert json.loads(result.body)["method"] == "GET"


def test_an_unsigned_request_to_a_function_auth_trigger_is_refused(client):
    with pytest.raises(FCError) as err:
        client.invoke_http("demo", "http-secure", {"path": "/"}, signed=False)
    # FC's HTTP-trigger troubleshooting page: no Date/Authorization at all is a 400.
    assert (err.value.status, err.value.code) == (400, "MissingRequiredHeader")


# -- failures -----------------------------------------------------------------------------------


SLEEPY_PROJECT = """
edition: 1.0.0
name: throttling
services:
  sleepy:
    component: fc
    props:
      region: cn-hangzhou
      service: {{name: t}}
      function:
        name: sleepy
        runtime: python3.10
        codeUri: {code}
        handler: index.handler
        memorySize: 128
        timeout: 60
        instanceConcurrency: 1
"""


@pytest.fixture
def one_slot_server(fclocal_factory, tmp_path):
    """fclocal with a single one-request instance that does not queue: the second caller gets 429."""
    config = tmp_path / "s.yaml"
    config.write_text(SLEEPY_PROJECT.format(code=ROOT / "examples" / "functions" / "slow"))
    # (instance_wait=0 would be dropped by the fixture, which skips falsy options)
    return fclocal_factory(config=config, max_instances=1, instance_wait=0.01)


def _hold_the_only_slot(server, seconds):
    busy = FCClient(server.url, server.access_key_id, server.access_key_secret)
    holder = threading.Thread(
        target=busy.invoke, args=("t", "sleepy", json.dumps({"seconds": seconds}).encode())
    )
    holder.start()
    return holder


def test_throttling_is_a_retryable_429_once_retries_run_out(one_slot_server):
    server = one_slot_server
    client = FCClient(server.url, server.access_key_id, server.access_key_secret, max_retries=0)
    client.invoke("t", "sleepy", b'{"seconds": 0}')  # the instance is warm from here on
    holder = _hold_the_only_slot(server, 3)

    def throttled():
        try:
            client.invoke("t", "sleepy", b'{"seconds": 0}')
        except FCError as exc:
            return exc
        return None

    error = wait_for(throttled, "a 429 while the slot is held")
    holder.join()
    assert (error.status, error.code) == (429, "ResourceExhausted")
    assert error.retryable and not error.outcome_unknown


def test_a_throttled_invoke_is_retried_with_backoff_until_it_gets_through(one_slot_server):
    server = one_slot_server
    client = FCClient(server.url, server.access_key_id, server.access_key_secret, max_retries=8, backoff=0.2)
    client.invoke("t", "sleepy", b'{"seconds": 0}')
    probe = FCClient(server.url, server.access_key_id, server.access_key_secret, max_retries=0)
    holder = _hold_the_only_slot(server, 1)
    # make sure the holder has the slot before the call under test starts
    wait_for(lambda: _throttled(probe), "the slot to be held")
    result = client.invoke("t", "sleepy", b'{"seconds": 0}')
    holder.join()
    assert result.status == 200 and not result.function_failed


def _throttled(client):
    try:
        client.invoke("t", "sleepy", b'{"seconds": 0}')
    except FCError as exc:
        return exc.status == 429
    return False


def test_a_stopped_endpoint_is_connection_refused(fclocal_factory):
    server = fclocal_factory()
    client = FCClient(server.url, server.access_key_id, server.access_key_secret, backoff=0.01)
    server.stop()
    with pytest.raises(FCError) as err:
        client.invoke("demo", "hello", b"{}")
    assert err.value.code == "ConnectionRefused" and err.value.retryable
