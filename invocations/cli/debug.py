"""`--debug`: every HTTP exchange with FC on stderr, signature and token masked."""

from __future__ import annotations

import requests

from invocations.fc.exchange import masked

MAX_BODY = 64 * 1024


def _body(data: bytes | str | None) -> str:
    if not data:
        return ""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    text = raw[:MAX_BODY].decode("utf-8", errors="backslashreplace")
    more = f"\n... ({len(raw) - MAX_BODY} more bytes)" if len(raw) > MAX_BODY else ""
    return f"\n{text}{more}"


def exchange(response: requests.Response) -> str:
    """The request line and headers sent, then the raw response, as text."""
    request = response.request
    sent = "\n".join(f"{name}: {masked(name, value)}" for name, value in request.headers.items())
    received = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return (
        f"> {request.method} {request.url}\n{sent}{_body(request.body)}\n"
        f"< HTTP {response.status_code} {response.reason}\n{received}{_body(response.content)}\n"
    )


def printer(write):
    """A response hook for FCClient.observe that writes each exchange with `write`."""

    def hook(response, *args, **kwargs):
        write(exchange(response))
        return None

    return hook
