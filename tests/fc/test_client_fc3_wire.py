"""What the FC 3.0 client sends and how it reads answers, byte for byte, against a recording server.

Every signed request is checked with `acs3.verify`, the verifier fclocal uses.
"""

from __future__ import annotations

import base64
import json
import re
import time

import pytest

from invocations.fc import acs3
from invocations.fc.client import FCClient
from invocations.fc.errors import FCError
from invocations.fc.protocols import ASYNC_RECORD_FIELDS
from invocations.fc.targets import Target

from .edge_server import EdgeServer
from .wire_server import Answer, WireServer

AK = "LTAI5tTestAccessKeyId"
SECRET = "TestAccessKeySecret0123456789abc"
HELLO = Target("cn-hangzhou", "hello")
PROD = Target("cn-hangzhou", "hello", qualifier="prod")
JSON = (("Content-Type", "application/json"),)


def ok(body=b"", status=200, headers=()):
    return lambda n, got: Answer(status, body, tuple(headers))


@pytest.fixture
def serve():
    servers = []

    def start(answer, **client_options):
        server = WireServer(answer).__enter__()
        servers.append(server)
        options = {"backoff": 0.001, **client_options}
        return server, FCClient(server.url, AK, SECRET, **options)

    yield start
    for server in servers:
        server.__exit__()


def verified(got, secrets=None):
    """The key id acs3.verify (fclocal's check) finds in a recorded request."""
    return acs3.verify(
        got.method,
        got.raw_path,
        got.headers,
        got.query_pairs,
        secrets or {AK: SECRET},
        time.time(),
        body=got.body,
    )


# -- InvokeFunction --------------------------------------------------------------------------


def test_a_sync_invoke_posts_the_event_to_the_3_0_path_with_the_qualifier_as_query(serve):
    server, client = serve(ok(b"hi"))
    client.invoke(PROD, b'{"key":"value"}')
    got = server.last
    assert (got.method, got.raw_path, got.raw_query) == (
        "POST",
        "/2023-03-30/functions/hello/invocations",
        "qualifier=prod",
    )
    assert got.body == b'{"key":"value"}'
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-fc-invocation-type"] == "Sync"
    assert got.headers["x-fc-log-type"] == "Tail"
    assert got.headers["x-acs-action"] == "InvokeFunction"
    assert got.headers["x-acs-version"] == "2023-03-30"
    assert got.headers["x-acs-content-sha256"] == acs3.content_sha256(b'{"key":"value"}')
    assert got.headers["x-acs-credentials-provider"] == "static_ak"
    assert re.fullmatch(r"[0-9a-f]{32}", got.headers["x-acs-signature-nonce"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", got.headers["x-acs-date"])
    assert "date" not in got.headers and "x-fc-account-id" not in got.headers


def test_it_signs_every_request_so_that_fclocals_verifier_accepts_it_host_and_port_included(serve):
    server, client = serve(ok(b"{}"))
    client.invoke(HELLO, "événement")
    assert server.last.headers["host"] == server.host
    assert "host" in server.last.headers["authorization"]
    assert verified(server.last) == AK


def test_without_a_qualifier_it_sends_no_query_and_fc_uses_latest(serve):
    server, client = serve(ok())
    client.invoke(HELLO)
    assert server.last.raw_query == ""
    assert server.last.body == b""
    assert verified(server.last) == AK


def test_it_percent_encodes_each_path_segment_like_the_python_sdk(serve):
    server, client = serve(ok(b"{}"))
    client.get_function(Target("cn-hangzhou", "函数 a*b*(c)~"))
    assert server.last.raw_path == "/2023-03-30/functions/%E5%87%BD%E6%95%B0%20a%2Ab%2A%28c%29~"
    assert verified(server.last) == AK


def test_it_reads_result_log_tail_and_figures_of_a_sync_invoke(serve):
    log = "START RequestId: r1\nhello\nEND RequestId: r1\nDuration: 3.87 ms, Billed Duration: 4 ms, Memory Size: 128 MB, Max Memory Used: 100.26 MB"
    headers = [
        ("x-fc-request-id", "1-64e70cf1-5cbef92ea8fc8c42899cf5d1"),
        ("x-fc-log-result", base64.b64encode(log.encode()).decode()),
        ("x-fc-instance-id", "c-1"),
        ("x-fc-code-checksum", "123"),
        ("x-fc-invocation-service-version", "3"),
    ]
    server, client = serve(ok(b'"result"', headers=headers))
    result = client.invoke(PROD, b"{}")
    assert result.body == b'"result"'
    assert result.request_id == "1-64e70cf1-5cbef92ea8fc8c42899cf5d1"
    assert result.log_tail == log
    assert (result.duration_ms, result.billed_duration_ms, result.max_memory_used_mb) == (3.87, 4, 100.26)
    assert (result.instance_id, result.code_checksum, result.resolved_qualifier) == ("c-1", "123", "3")
    assert not result.function_failed


def test_a_function_error_is_a_result_not_an_exception_and_is_not_resent(serve):
    body = b'{"errorMessage":"boom","errorType":"Exception","stackTrace":[]}'
    server, client = serve(ok(body, headers=[("x-fc-error-type", "UnhandledInvocationError")]))
    result = client.invoke(HELLO, b"{}")
    assert result.function_failed
    assert result.error_type == "UnhandledInvocationError"
    assert result.body == body
    assert len(server.received) == 1


def test_an_async_invoke_always_carries_a_task_id_and_sends_no_log_tail(serve):
    server, client = serve(ok(status=202, headers=[("x-fc-request-id", "r-async")]))
    result = client.invoke(HELLO, b"{}", invocation_type="Async")
    sent = server.last.headers["x-fc-async-task-id"]
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,127}", sent)
    assert server.last.headers["x-fc-invocation-type"] == "Async"
    assert server.last.headers["x-fc-log-type"] == "None"
    assert (result.status, result.async_id, result.request_id) == (202, sent, "r-async")
    assert verified(server.last) == AK


def test_an_async_invoke_sends_the_callers_task_id_and_reads_fcs_back(serve):
    server, client = serve(ok(status=202, headers=[("x-fc-async-task-id", "job-0001")]))
    result = client.invoke(PROD, b"{}", invocation_type="Async", async_id="job-0001")
    assert server.last.headers["x-fc-async-task-id"] == "job-0001"
    assert result.async_id == "job-0001"


def test_each_async_invoke_gets_a_new_task_id(serve):
    server, client = serve(ok(status=202))
    client.invoke(HELLO, b"", invocation_type="Async")
    client.invoke(HELLO, b"", invocation_type="Async")
    ids = {got.headers["x-fc-async-task-id"] for got in server.received}
    assert len(ids) == 2


def test_an_sts_token_travels_signed_with_the_sts_key_id(serve):
    server, _ = serve(ok(b"{}"))
    client = FCClient(server.url, "STS.NTempKey", SECRET, "CAIS-token==")
    client.get_function(HELLO)
    got = server.last
    assert got.headers["x-acs-security-token"] == "CAIS-token=="
    assert got.headers["x-acs-accesskey-id"] == "STS.NTempKey"
    assert got.headers["x-acs-credentials-provider"] == "static_sts"
    assert "x-acs-security-token" in got.headers["authorization"]
    assert verified(got, {"STS.NTempKey": SECRET}) == "STS.NTempKey"


def test_a_fresh_date_and_nonce_are_signed_for_each_attempt(serve):
    server, client = serve(lambda n, got: Answer(429 if n == 0 else 200, b"{}" if n else b""))
    client.get_function(HELLO)
    first, second = server.received
    assert first.headers["x-acs-signature-nonce"] != second.headers["x-acs-signature-nonce"]
    assert verified(second) == AK


# -- errors ----------------------------------------------------------------------------------


def test_it_reads_code_message_and_request_id_from_a_3_0_error_body(serve):
    body = b'{"Code":"FunctionNotFound","Message":"function not found","RequestId":"1-body-id"}'
    server, client = serve(ok(body, 404, [*JSON, ("x-fc-request-id", "1-header-id")]))
    with pytest.raises(FCError) as err:
        client.invoke(HELLO, b"{}")
    assert (err.value.code, err.value.message, err.value.status) == (
        "FunctionNotFound",
        "function not found",
        404,
    )
    assert err.value.request_id == "1-body-id"


def test_a_not_found_is_neither_retried_nor_of_unknown_outcome(serve):
    body = b'{"Code":"FunctionNotFound","Message":"function not found","RequestId":"r"}'
    server, client = serve(ok(body, 404, JSON))
    with pytest.raises(FCError) as err:
        client.get_function(HELLO)
    assert len(server.received) == 1
    assert (err.value.retryable, err.value.outcome_unknown) == (False, False)


def test_without_a_body_the_request_id_comes_from_the_header(serve):
    server, client = serve(ok(b"", 403, [("x-fc-request-id", "1-header-id")]))
    with pytest.raises(FCError) as err:
        client.get_function(HELLO)
    assert (err.value.code, err.value.status, err.value.request_id) == ("HTTP403", 403, "1-header-id")


def test_a_body_without_request_id_falls_back_to_the_header(serve):
    server, client = serve(ok(b'{"Code":"AccessDenied","Message":"no"}', 403, [("x-fc-request-id", "1-h")]))
    with pytest.raises(FCError) as err:
        client.get_function(HELLO)
    assert (err.value.code, err.value.request_id) == ("AccessDenied", "1-h")


def test_a_throttled_invoke_is_retried_until_fc_takes_it(serve):
    throttled = b'{"Code":"ResourceExhausted","Message":"too many","RequestId":"r"}'
    server, client = serve(lambda n, got: Answer(429, throttled, JSON) if n < 2 else Answer(200, b'"done"'))
    assert client.invoke(HELLO, b"{}").body == b'"done"'
    assert len(server.received) == 3


def test_a_throttling_code_is_retried_whatever_its_status(serve):
    throttled = (
        b'{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"r"}'
    )
    server, client = serve(lambda n, got: Answer(400, throttled, JSON) if n == 0 else Answer(200, b"{}"))
    assert client.get_function(HELLO) == {}
    assert len(server.received) == 2


def test_throttling_gives_up_after_max_retries_with_a_retryable_error(serve):
    server, client = serve(ok(b'{"Code":"ResourceExhausted","Message":"m"}', 429, JSON), max_retries=2)
    with pytest.raises(FCError) as err:
        client.invoke(HELLO, b"{}")
    assert len(server.received) == 3
    assert err.value.retryable


def test_a_read_timeout_is_of_unknown_outcome_and_an_invoke_is_not_resent():
    with EdgeServer(lambda n: "hang") as edge:
        client = FCClient(edge.url, AK, SECRET, backoff=0.001)
        with pytest.raises(FCError) as err:
            client.invoke(HELLO, b"{}", timeout=0.3)
        assert err.value.outcome_unknown and not err.value.retryable
        assert len(edge.requests) == 1
        assert edge.requests[0].startswith(b"POST /2023-03-30/functions/hello/invocations ")


def test_a_connection_refused_is_retryable():
    from .edge_server import free_port

    client = FCClient(f"http://127.0.0.1:{free_port()}", AK, SECRET, backoff=0.001, max_retries=1)
    with pytest.raises(FCError) as err:
        client.invoke(HELLO, b"{}")
    assert err.value.retryable


def test_an_async_task_id_fc_already_has_is_an_error_not_retried(serve):
    body = b'{"Code":"AsyncTaskAlreadyExists","Message":"exists","RequestId":"r"}'
    server, client = serve(ok(body, 409, JSON))
    with pytest.raises(FCError) as err:
        client.invoke(HELLO, b"{}", invocation_type="Async", async_id="job-1")
    assert (err.value.code, err.value.status) == ("AsyncTaskAlreadyExists", 409)
    assert len(server.received) == 1


# -- async tasks -----------------------------------------------------------------------------

TASK = {
    "taskId": "job-0001",
    "status": "Succeeded",
    "functionArn": "acs:fc:cn-hangzhou:1234/functions/hello",
    "qualifier": "prod",
    "startedTime": 1692281291000,
    "endTime": 1692281292500,
    "durationMs": 1500,
    "requestId": "1-req",
    "instanceId": "c-1",
    "taskPayload": '{"a":1}',
    "returnPayload": '"ok"',
    "taskErrorMessage": "",
    "destinationStatus": "Succeeded",
    "alreadyRetriedTimes": 0,
    "events": [{"eventId": 1, "status": "Enqueued", "timestamp": 1692281290000, "eventDetail": "{}"}],
}
NORMALISED = {
    "id": "job-0001",
    "status": "Succeeded",
    "qualifier": "prod",
    "startedTime": 1692281291000,
    "endTime": 1692281292500,
    "durationMs": 1500,
    "requestId": "1-req",
    "instanceId": "c-1",
    "events": TASK["events"],
    "returnPayload": '"ok"',
    "errorMessage": "",
    "payload": '{"a":1}',
    "destinationStatus": "Succeeded",
    "alreadyRetriedTimes": 0,
}


def test_get_async_reads_a_task_at_its_3_0_path_and_normalises_it(serve):
    server, client = serve(ok(json.dumps(TASK).encode(), headers=JSON))
    record = client.get_async(PROD, "job 1")
    got = server.last
    assert (got.method, got.raw_path, got.raw_query) == (
        "GET",
        "/2023-03-30/functions/hello/async-tasks/job%201",
        "qualifier=prod",
    )
    assert got.headers["x-acs-action"] == "GetAsyncTask"
    assert verified(got) == AK
    assert record == NORMALISED
    assert tuple(record) == ASYNC_RECORD_FIELDS


def test_stop_async_puts_to_the_stop_path_with_an_empty_body(serve):
    server, client = serve(ok(b"{}", headers=[*JSON, ("x-fc-request-id", "r-stop")]))
    assert client.stop_async(PROD, "job-0001") == "r-stop"
    got = server.last
    assert (got.method, got.raw_path, got.raw_query) == (
        "PUT",
        "/2023-03-30/functions/hello/async-tasks/job-0001/stop",
        "qualifier=prod",
    )
    assert got.body == b""
    assert got.headers["x-acs-action"] == "StopAsyncTask"
    assert verified(got) == AK


def test_a_stop_is_not_resent_after_a_reset():
    with EdgeServer(lambda n: "reset") as edge:
        client = FCClient(edge.url, AK, SECRET, backoff=0.001)
        with pytest.raises(FCError) as err:
            client.stop_async(HELLO, "job-1")
        assert err.value.outcome_unknown
        assert len(edge.requests) == 1


def test_async_page_sends_every_filter_of_list_async_tasks(serve):
    server, client = serve(ok(json.dumps({"tasks": [TASK], "nextToken": "t2"}).encode(), headers=JSON))
    records, token = client.async_page(
        PROD,
        status="Running",
        started_time_begin=1000,
        started_time_end=2000,
        sort_order_by_time="desc",
        id_prefix="job-",
        include_payload=True,
        limit=50,
        next_token="t1",
    )
    got = server.last
    assert got.raw_path == "/2023-03-30/functions/hello/async-tasks"
    assert got.query == {
        "qualifier": "prod",
        "status": "Running",
        "startedTimeBegin": "1000",
        "startedTimeEnd": "2000",
        "sortOrderByTime": "desc",
        "prefix": "job-",
        "includePayload": "true",
        "limit": "50",
        "nextToken": "t1",
    }
    assert got.headers["x-acs-action"] == "ListAsyncTasks"
    assert verified(got) == AK
    assert (records, token) == ([NORMALISED], "t2")


def test_async_page_without_filters_sends_none(serve):
    server, client = serve(ok(b'{"tasks": []}', headers=JSON))
    assert client.async_page(HELLO) == ([], None)
    assert server.last.raw_query == ""


def test_async_records_follows_next_tokens_lazily(serve):
    pages = [{"tasks": [{**TASK, "taskId": "a"}], "nextToken": "n1"}, {"tasks": [{**TASK, "taskId": "b"}]}]
    server, client = serve(lambda n, got: Answer(200, json.dumps(pages[n]).encode(), JSON))
    records = client.async_records(HELLO, limit=1)
    assert next(records)["id"] == "a"
    assert len(server.received) == 1
    assert [r["id"] for r in records] == ["b"]
    assert server.received[1].query == {"limit": "1", "nextToken": "n1"}


def test_a_2_0_record_normalises_to_the_same_shape(serve):
    record = {
        "invocationId": "job-0001",
        "invocationErrorMessage": "",
        "invocationPayload": '{"a":1}',
        **{k: v for k, v in TASK.items() if not k.startswith("task") and k != "functionArn"},
        "serviceName": "demo",
        "functionName": "hello",
    }
    server, client = serve(ok(json.dumps(record).encode(), headers=JSON))
    assert client.get_async(Target("cn-hangzhou", "hello", "demo", "prod"), "job-0001") == NORMALISED
    assert (
        server.last.raw_path
        == "/2016-08-15/services/demo.prod/functions/hello/stateful-async-invocations/job-0001"
    )


# -- browsing --------------------------------------------------------------------------------


def test_list_functions_without_a_service_is_3_0_with_every_filter(serve):
    server, client = serve(ok(b'{"functions": [{"functionName": "hello"}]}', headers=JSON))
    functions = list(
        client.list_functions(
            prefix="he",
            limit=10,
            fc_version="v3",
            description="d",
            function_name="hello",
            gpu_type="fc.gpu.tesla.1",
            resource_group_id="rg-1",
            runtime="python3.10",
            tags={"env": "prod"},
        )
    )
    got = server.last
    assert functions == [{"functionName": "hello"}]
    assert got.raw_path == "/2023-03-30/functions"
    assert got.query == {
        "prefix": "he",
        "limit": "10",
        "fcVersion": "v3",
        "description": "d",
        "functionName": "hello",
        "gpuType": "fc.gpu.tesla.1",
        "resourceGroupId": "rg-1",
        "runtime": "python3.10",
        "tags": '[{"key": "env", "value": "prod"}]',
    }
    assert got.headers["x-acs-action"] == "ListFunctions"
    assert verified(got) == AK


def test_list_functions_with_a_service_is_still_2_0(serve):
    server, client = serve(ok(b'{"functions": []}', headers=JSON))
    assert list(client.list_functions("demo", prefix="he")) == []
    assert server.last.raw_path == "/2016-08-15/services/demo/functions"
    assert server.last.headers["authorization"].startswith("FC ")


def test_get_function_sends_the_qualifier_as_query(serve):
    server, client = serve(ok(b'{"functionName": "hello", "runtime": "python3.10"}', headers=JSON))
    assert client.get_function(PROD)["runtime"] == "python3.10"
    assert (server.last.raw_path, server.last.raw_query) == ("/2023-03-30/functions/hello", "qualifier=prod")
    assert server.last.headers["x-acs-action"] == "GetFunction"


@pytest.mark.parametrize(
    ("method", "kwargs", "path", "action", "key", "query"),
    [
        (
            "list_triggers",
            {"prefix": "h", "limit": 5},
            "triggers",
            "ListTriggers",
            "triggers",
            {"prefix": "h", "limit": "5"},
        ),
        (
            "list_aliases",
            {"prefix": "p", "limit": 5},
            "aliases",
            "ListAliases",
            "aliases",
            {"prefix": "p", "limit": "5"},
        ),
        (
            "list_versions",
            {"direction": "BACKWARD", "limit": 5},
            "versions",
            "ListFunctionVersions",
            "versions",
            {"direction": "BACKWARD", "limit": "5"},
        ),
    ],
)
def test_each_function_listing_pages_through_its_3_0_path(serve, method, kwargs, path, action, key, query):
    pages = [{key: [{"n": 1}], "nextToken": "t"}, {key: [{"n": 2}], "nextToken": ""}]
    server, client = serve(lambda n, got: Answer(200, json.dumps(pages[n]).encode(), JSON))
    assert list(getattr(client, method)(PROD, **kwargs)) == [{"n": 1}, {"n": 2}]
    first, second = server.received
    assert first.raw_path == f"/2023-03-30/functions/hello/{path}"
    assert first.headers["x-acs-action"] == action
    assert first.query == query
    assert second.query == {**query, "nextToken": "t"}
    assert verified(second) == AK


def test_a_repeated_next_token_stops_the_listing(serve):
    server, client = serve(ok(b'{"aliases": [], "nextToken": "same"}', headers=JSON))
    with pytest.raises(FCError) as err:
        list(client.list_aliases(HELLO))
    assert err.value.code == "InvalidResponse"


# -- endpoints -------------------------------------------------------------------------------


def test_a_real_endpoint_is_re_aimed_at_the_targets_region_and_an_override_is_not():
    client = FCClient(FCClient.endpoint_for("1234", "cn-hangzhou", internal=True), AK, SECRET)
    assert client.endpoint_for_region("cn-shanghai") == "https://1234.cn-shanghai-internal.fc.aliyuncs.com"
    assert client.endpoint_for_region("cn-hangzhou") == "https://1234.cn-hangzhou-internal.fc.aliyuncs.com"
    assert client.endpoint_for_region("") == "https://1234.cn-hangzhou-internal.fc.aliyuncs.com"
    local = FCClient("http://127.0.0.1:9000", AK, SECRET)
    assert local.endpoint_for_region("cn-shanghai") == "http://127.0.0.1:9000"


def test_a_2_0_and_a_3_0_target_share_one_endpoint_override(serve):
    server, client = serve(ok(status=202))
    client.invoke(Target("cn-hangzhou", "hello", "demo"), b"", invocation_type="Async")
    client.invoke(HELLO, b"", invocation_type="Async")
    fc2, fc3 = server.received
    assert fc2.raw_path == "/2016-08-15/services/demo/functions/hello/invocations"
    assert fc2.headers["authorization"].startswith("FC ")
    assert fc2.headers["x-fc-stateful-async-invocation-id"].startswith("fcc-")
    assert fc3.raw_path == "/2023-03-30/functions/hello/invocations"
    assert fc3.headers["authorization"].startswith("ACS3-HMAC-SHA256 ")


def test_an_fc3_endpoint_takes_the_3_0_calls_and_leaves_the_2_0_ones_where_they_were():
    with (
        WireServer(ok(status=202)) as fc2_server,
        WireServer(ok(b'{"functions": []}', headers=JSON)) as fc3_server,
    ):
        client = FCClient(fc2_server.url, AK, SECRET, endpoint_fc3=fc3_server.url, backoff=0.001)
        client.invoke(Target("cn-hangzhou", "hello", "demo"), b"", invocation_type="Async")
        client.invoke(HELLO, b"", invocation_type="Async")
        list(client.list_functions(region="cn-hangzhou"))
    assert [got.raw_path for got in fc2_server.received] == [
        "/2016-08-15/services/demo/functions/hello/invocations"
    ]
    assert [got.raw_path for got in fc3_server.received] == [
        "/2023-03-30/functions/hello/invocations",
        "/2023-03-30/functions",
    ]
    # Signed for the host it went to: the host header is part of the signature.
    assert all(verified(got) == AK for got in fc3_server.received)
    assert fc3_server.url in repr(client) and SECRET not in repr(client)


def test_a_real_fc3_endpoint_is_re_aimed_at_the_targets_region_too():
    client = FCClient(
        "http://127.0.0.1:9000", AK, SECRET, endpoint_fc3=FCClient.endpoint_for("1234", "cn-hangzhou")
    )
    assert client.endpoint_for_region("cn-shanghai", fc3=True) == "https://1234.cn-shanghai.fc.aliyuncs.com"
    assert client.endpoint_for_region("cn-shanghai") == "http://127.0.0.1:9000"
    assert client.account_id == "1234"
    assert FCClient("http://127.0.0.1:9000", AK, SECRET).endpoint_for_region("", fc3=True) == (
        "http://127.0.0.1:9000"
    )


# -- HTTP triggers ---------------------------------------------------------------------------


def _trigger(url, auth_type, qualifier="LATEST"):
    return {
        "triggerName": "web",
        "triggerType": "http",
        "qualifier": qualifier,
        "triggerConfig": json.dumps({"authType": auth_type, "methods": ["GET", "POST"]}),
        "httpTrigger": {"urlInternet": url},
    }


def test_an_anonymous_http_trigger_is_called_at_its_url_unsigned(serve):
    server, client = serve(ok(b"page", 201, [("x-fc-request-id", "r-http")]))
    trigger = _trigger(f"{server.url}/base", "anonymous")
    result = client.invoke_http(
        HELLO, {"method": "POST", "path": "/a b", "queries": {"x": "1"}, "body": "hi"}, trigger=trigger
    )
    got = server.last
    assert (got.method, got.raw_path, got.raw_query) == ("POST", "/base/a%20b", "x=1")
    assert got.body == b"hi"
    assert "authorization" not in got.headers
    assert got.headers["x-fc-invocation-type"] == "Sync"
    assert (result.status, result.body, result.request_id) == (201, b"page", "r-http")


def test_a_signed_http_trigger_is_acs3_signed_over_its_url_path_and_query(serve):
    server, client = serve(ok(b"page"))
    trigger = _trigger(f"{server.url}/2023-03-30/proxy/hello", "function")
    client.invoke_http(
        HELLO,
        {"method": "POST", "path": "/x y", "queries": {"b": "2", "a": ["1", "é"]}, "body": "b"},
        trigger=trigger,
    )
    got = server.last
    assert (got.raw_path, got.raw_query) == ("/2023-03-30/proxy/hello/x%20y", "b=2&a=1&a=%C3%A9")
    assert got.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId,")
    assert verified(got) == AK


def test_without_a_trigger_it_finds_the_http_trigger_of_the_targets_qualifier(serve):
    def answer(n, got):
        if got.raw_path.endswith("/triggers"):
            triggers = [
                {"triggerType": "timer", "triggerName": "t"},
                _trigger(f"{server.url}/latest", "anonymous"),
                _trigger(f"{server.url}/prod", "anonymous", qualifier="prod"),
            ]
            return Answer(200, json.dumps({"triggers": triggers}).encode(), JSON)
        return Answer(200, b"ok")

    server, client = serve(answer)
    client.invoke_http(PROD, {"method": "GET", "path": "/"})
    assert server.received[0].raw_path == "/2023-03-30/functions/hello/triggers"
    assert server.last.raw_path == "/prod/"


def test_an_http_function_answering_an_error_status_is_a_result(serve):
    server, client = serve(ok(b'{"message": "nope"}', 404, JSON))
    result = client.invoke_http(
        HELLO, {"method": "GET", "path": "/"}, trigger=_trigger(server.url, "anonymous")
    )
    assert result.status == 404


def test_an_fc_refusal_at_the_trigger_is_an_error(serve):
    body = b'{"Code":"AccessDenied","Message":"signature","RequestId":"r"}'
    server, client = serve(ok(body, 403, JSON))
    with pytest.raises(FCError) as err:
        client.invoke_http(HELLO, {"method": "GET", "path": "/"}, trigger=_trigger(server.url, "function"))
    assert err.value.code == "AccessDenied"


def test_a_function_without_an_http_trigger_is_refused_before_any_invoke(serve):
    server, client = serve(ok(b'{"triggers": [{"triggerType": "oss"}]}', headers=JSON))
    with pytest.raises(FCError) as err:
        client.invoke_http(HELLO, {"method": "GET", "path": "/"})
    assert err.value.code == "HttpTriggerNotFound"
    assert len(server.received) == 1
