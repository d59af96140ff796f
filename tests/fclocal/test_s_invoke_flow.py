"""What `s invoke` (fc component, Node SDK) sends (fc-api.md 10.3): ListTriggers first, then the
invoke with Node-style headers — Content-MD5 as base64 of the hex digest, x-fc-account-id, a
Host without the port, and an empty stateful id header for async."""

import base64
import hashlib

from tests.fclocal.helpers import log_of, signed


def node_headers(server, body: bytes, **extra) -> dict:
    headers = {
        "Host": f"{server.account_id}.cn-hangzhou.fc.aliyuncs.com",
        "User-Agent": "serverless-devs2.0",
        "Accept": "application/json",
        "x-fc-account-id": server.account_id,
        "X-Fc-Invocation-Code-Version": "Latest",
        "Content-Type": "application/octet-stream",
        **extra,
    }
    if body:
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).hexdigest().encode()).decode()  # noqa: S324
    return headers


def test_s_invoke_lists_triggers_then_invokes_sync(fclocal):
    triggers = signed(fclocal, "GET", "/2016-08-15/services/demo/functions/hello/triggers")
    assert triggers.status_code == 200
    assert triggers.json() == {"triggers": []}
    body = b'{"key":"value"}'
    headers = node_headers(fclocal, body, **{"X-Fc-Log-Type": "Tail", "X-Fc-Invocation-Type": "Sync"})

    response = signed(
        fclocal,
        "POST",
        "/2016-08-15/services/demo.LATEST/functions/hello/invocations",
        body=body,
        headers=headers,
    )

    assert response.status_code == 200
    assert response.content == body
    assert "FC Invoke End RequestId" in log_of(response)


def test_s_invoke_async_sends_an_empty_stateful_id(fclocal):
    headers = node_headers(
        fclocal,
        b"",
        **{"X-Fc-Invocation-Type": "Async", "X-Fc-Stateful-Async-Invocation-Id": ""},
    )

    response = signed(
        fclocal, "POST", "/2016-08-15/services/demo.LATEST/functions/hello/invocations", headers=headers
    )

    assert response.status_code == 202
    assert response.headers["X-Fc-Stateful-Async-Invocation-Id"] == response.headers["X-Fc-Request-Id"]


def test_s_invoke_reaches_an_http_function_through_the_signed_proxy(fclocal):
    headers = node_headers(fclocal, b"", **{"X-Fc-Invocation-Type": "Sync", "X-Fc-Log-Type": "Tail"})

    response = signed(
        fclocal,
        "GET",
        "/2016-08-15/proxy/demo.LATEST/http-secure//report",
        headers=headers,
        query={"day": "mon"},
    )

    assert response.status_code == 200
    assert response.json()["path"] == "//report"  # s joins the event's leading / after the function name
    assert response.json()["query"] == "day=mon"
