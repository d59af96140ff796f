"""Talking to fclocal's FC 3.0 API in tests: the official SDK (`alibabacloud-fc20230330`), set up
for a loopback endpoint as fc3-api.md 1 says (`protocol: http`, endpoint `127.0.0.1:PORT`)."""

from __future__ import annotations

import base64

from alibabacloud_fc20230330 import models
from alibabacloud_fc20230330.client import Client
from alibabacloud_tea_openapi import models as openapi
from alibabacloud_tea_util.models import RuntimeOptions
from Tea.exceptions import TeaException

from tests.fclocal.helpers import poll

__all__ = ["TeaException", "models", "sdk3", "invoke3", "get_task", "wait_for_task", "log_of3"]


def sdk3(server, key_id: str | None = None, secret: str | None = None) -> Client:
    return Client(
        openapi.Config(
            access_key_id=key_id or server.access_key_id,
            access_key_secret=secret or server.access_key_secret,
            endpoint=f"127.0.0.1:{server.port}",
            protocol="http",
            region_id="cn-hangzhou",
            read_timeout=120_000,
            connect_timeout=10_000,
        )
    )


def invoke3(
    server,
    function: str,
    event: bytes = b"",
    *,
    qualifier: str | None = None,
    kind: str | None = None,
    task_id: str | None = None,
    log: str | None = "Tail",
    client: Client | None = None,
) -> models.InvokeFunctionResponse:
    """InvokeFunction through the SDK; the response's `.headers` are lower-cased, `.body` a stream."""
    headers = models.InvokeFunctionHeaders(
        x_fc_invocation_type=kind, x_fc_log_type=log, x_fc_async_task_id=task_id
    )
    # bytes, not a stream: the SDK reads streams 1 KB at a time into a growing bytes (slow at 32 MB)
    request = models.InvokeFunctionRequest(body=event, qualifier=qualifier)
    return (client or sdk3(server)).invoke_function_with_options(function, request, headers, RuntimeOptions())


def body_of(response: models.InvokeFunctionResponse) -> bytes:
    return response.body.read() if hasattr(response.body, "read") else response.body


def log_of3(response: models.InvokeFunctionResponse) -> str:
    return base64.b64decode(response.headers["x-fc-log-result"]).decode()


def get_task(server, function: str, task_id: str, qualifier: str | None = None) -> dict:
    request = models.GetAsyncTaskRequest(qualifier=qualifier)
    return sdk3(server).get_async_task(function, task_id, request).body.to_map()


def wait_for_task(server, function: str, task_id: str, statuses: tuple[str, ...], wait: float = 30) -> dict:
    """Poll GetAsyncTask until the task reaches one of `statuses` (or `wait` passes)."""
    return poll(lambda: get_task(server, function, task_id), lambda t: t["status"] in statuses, wait)


def list_tasks(server, function: str, **params) -> dict:
    return sdk3(server).list_async_tasks(function, models.ListAsyncTasksRequest(**params)).body.to_map()
