"""HTTP triggers of FC 3.0 built-in runtimes (fc3-api.md 8.1): the request becomes a JSON event
for `handler(event, context)`, and the handler's return value becomes the HTTP response."""

from __future__ import annotations

import base64
import binascii
import json
import time
from urllib.parse import unquote, unquote_plus

from fclocal.wire import Request

# unconfirmed (fc3-api.md 8.1): the response struct of built-in runtimes; chose
# `{"statusCode", "headers", "body", "isBase64Encoded"}` (the shape FC's HTTP-trigger docs show):
# a return value that is a JSON object with an integer STATUS_KEY is mapped, anything else is the
# body of a 200 as it is.
STATUS_KEY = "statusCode"


def header_name(name: str) -> str:
    """unconfirmed (fc3-api.md 8.1): FC's rule for header names in the event; chose upper-cased
    initials of each `-`-separated part (`content-type` -> `Content-Type`), the zh doc's examples."""
    return "-".join(part.capitalize() for part in name.split("-"))


def body_text(body: bytes) -> tuple[str, bool]:
    """unconfirmed (fc3-api.md 8.1): when FC base64-encodes a body; chose "when it is not UTF-8
    text", which keeps every text body readable and every binary body intact. (text, encoded)"""
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), True


def _merged(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Repeated names become one comma-separated value (fc3-api.md 8.1)."""
    merged: dict[str, str] = {}
    for name, value in pairs:
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def event(request: Request, raw_path: str, account_id: str) -> bytes:
    """The event of fc3-api.md 8.1. `raw_path`: the percent-encoded path below the trigger."""
    now = time.time()
    headers = _merged([(header_name(k), v) for k, v in request.header_list])
    query = []
    for part in filter(None, request.raw_query.split("&")):
        key, _, value = part.partition("=")
        query.append((unquote_plus(key), unquote_plus(value)))
    body, encoded = body_text(request.body)
    host = request.headers.get("host", f"{request.server_name}:{request.server_port}")
    data = {
        "version": "v1",
        "rawPath": raw_path,
        "body": body,
        "isBase64Encoded": encoded,
        "headers": headers,
        "queryParameters": _merged(query),
        "requestContext": {
            "accountId": account_id,
            "domainName": host,
            "domainPrefix": host.split(":")[0].split(".")[0],
            "http": {
                "method": request.method,
                "path": unquote(raw_path),
                "protocol": "HTTP/1.1",
                "sourceIp": request.remote_addr,
                "userAgent": request.headers.get("user-agent", ""),
            },
            "requestId": request.request_id,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "timeEpoch": str(int(now * 1000)),
        },
    }
    return json.dumps(data).encode()


def response(result: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) from what the handler returned."""
    try:
        data = json.loads(result)
    except (ValueError, UnicodeDecodeError):
        data = None
    status = data.get(STATUS_KEY) if isinstance(data, dict) else None
    if not isinstance(status, int) or isinstance(status, bool):
        return 200, [], result
    headers = data.get("headers") or {}
    pairs = [(str(k), str(v)) for k, v in headers.items()] if isinstance(headers, dict) else []
    body = data.get("body")
    if body is None:
        payload = b""
    elif not isinstance(body, str):
        payload = json.dumps(body).encode()
    elif data.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(body)
        except (ValueError, binascii.Error):
            payload = body.encode()
    else:
        payload = body.encode()
    return status, pairs, payload
