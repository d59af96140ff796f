"""`--debug`: every HTTP exchange with FC on stderr, signature and token masked."""

from __future__ import annotations

import re

import requests

from invocations.models.profiles import mask_access_key_id

MASKED_HEADERS = {"x-fc-security-token", "x-acs-security-token"}
# FC 2.0 `FC <AccessKeyID>:<signature>`: the key id is shown masked like everywhere in the console.
_AUTHORIZATION = re.compile(r"^(FC|acs)\s+([^:]*):(.*)$")
# FC 3.0 `ACS3-HMAC-SHA256 Credential=<AccessKeyID>,SignedHeaders=<names>,Signature=<hex>`
# (fc3-api.md 7.1 step 8): the signed header names stay, they help to debug a refused signature.
_ACS3_AUTHORIZATION = re.compile(r"^(ACS3-\S+)\s+Credential=([^,]*),SignedHeaders=([^,]*),Signature=.*$")
# With STS credentials 3.0 also sends the key id on its own (3.1).
_KEY_ID_HEADERS = {"x-acs-accesskey-id"}
MAX_BODY = 64 * 1024


def masked(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == "authorization":
        return _masked_authorization(value)
    if lowered in MASKED_HEADERS:
        return "****"
    if lowered in _KEY_ID_HEADERS:
        return mask_access_key_id(value)
    return value


def _masked_authorization(value: str) -> str:
    """The scheme and the masked key id; never the signature. Anything unrecognised: all masked."""
    fc2 = _AUTHORIZATION.match(value)
    if fc2:
        return f"{fc2.group(1)} {mask_access_key_id(fc2.group(2))}:****"
    acs3 = _ACS3_AUTHORIZATION.match(value)
    if acs3:
        algorithm, key_id, signed = acs3.groups()
        return f"{algorithm} Credential={mask_access_key_id(key_id)},SignedHeaders={signed},Signature=****"
    return "****"


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
