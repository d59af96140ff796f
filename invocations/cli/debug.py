"""`--debug`: every HTTP exchange with FC on stderr, signature and token masked."""

from __future__ import annotations

import re

import requests

from invocations.models.profiles import mask_access_key_id

MASKED_HEADERS = {"x-fc-security-token", "x-acs-security-token"}
# `FC <AccessKeyID>:<signature>`: the key id is shown masked like everywhere in the console.
_AUTHORIZATION = re.compile(r"^(FC|acs)\s+([^:]*):(.*)$")
MAX_BODY = 64 * 1024


def masked(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == "authorization":
        match = _AUTHORIZATION.match(value)
        return f"{match.group(1)} {mask_access_key_id(match.group(2))}:****" if match else "****"
    if lowered in MASKED_HEADERS:
        return "****"
    return value


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
