"""Talking to fclocal's FC 2.0 API in tests: the official SDK (`fc2`), and raw signed requests."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, urlencode

import fc2
import requests

from invocations.fc.signing import http_date, sign
from tests.fixtures.waiting import wait_until

# Functions that misbehave on purpose (timeouts, memory, crashes, slow initializers...).
FAULTS = Path(__file__).parent / "project" / "s.yaml"


def sdk(server) -> fc2.Client:
    return fc2.Client(
        endpoint=server.url,
        accessKeyID=server.access_key_id,
        accessKeySecret=server.access_key_secret,
        Timeout=120,
    )


def signed(
    server,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict | None = None,
    query: dict | None = None,
    key_id: str | None = None,
    secret: str | None = None,
    date: str | None = None,
    timeout: float = 60,
) -> requests.Response:
    """One FC-signed request (fc-api.md 2) with our signer; path without the query."""
    headers = {"Date": date or http_date(), "Content-Type": "application/octet-stream", **(headers or {})}
    pairs = [(k, str(v)) for k, v in (query or {}).items()]
    headers["Authorization"] = sign(
        key_id or server.access_key_id, secret or server.access_key_secret, method, path, headers, pairs
    )
    url = server.url + quote(path) + (f"?{urlencode(pairs)}" if pairs else "")
    return requests.request(method, url, data=body, headers=headers, timeout=timeout)


def invoke(server, function: str, event: bytes = b"", *, service: str = "demo", qualifier: str = "", **kw):
    headers = {"X-Fc-Log-Type": "Tail", **kw.pop("headers", {})}
    svc = f"{service}.{qualifier}" if qualifier else service
    return signed(
        server,
        "POST",
        f"/2016-08-15/services/{svc}/functions/{function}/invocations",
        body=event,
        headers=headers,
        **kw,
    )


def log_of(response) -> str:
    return base64.b64decode(response.headers["X-Fc-Log-Result"]).decode()


def async_path(function: str, invocation_id: str = "", service: str = "demo") -> str:
    path = f"/2016-08-15/services/{service}/functions/{function}/stateful-async-invocations"
    return f"{path}/{invocation_id}" if invocation_id else path


def get_async(server, function: str, invocation_id: str, service: str = "demo") -> dict:
    response = signed(server, "GET", async_path(function, invocation_id, service))
    assert response.status_code == 200, response.text
    return response.json()


def poll(fetch, done, wait: float = 30, every: float = 0.1):
    """Call `fetch()` until `done(result)` or `wait` seconds pass; the last result either way
    (the caller's assertions then say what it was)."""
    last = None

    def probe():
        nonlocal last
        last = fetch()
        return done(last)

    try:
        wait_until(probe, seconds=wait, interval=every)
    except AssertionError:
        pass
    return last


def wait_for_status(
    server,
    function: str,
    invocation_id: str,
    statuses: tuple[str, ...],
    wait: float = 30,
    service: str = "demo",
) -> dict:
    """Poll Get until the task reaches one of `statuses` (or `wait` passes); the last record."""
    return poll(
        lambda: get_async(server, function, invocation_id, service), lambda r: r["status"] in statuses, wait
    )


def event(**data) -> bytes:
    return json.dumps(data).encode()
