"""One HTTP exchange with FC as it went over the wire, with the secrets masked.

The console stores it with the invocation (the page's "raw exchange") and `manage.py invoke
--debug` prints it. What is masked: the signature in `Authorization` (the AccessKey ID keeps its
ends, as everywhere in the console, in FC 3.0's `x-acs-accesskey-id` too) and the STS security
token. Nothing else in a request is
secret: the body is the user's event, the other headers say what was asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import requests

MASK = "****"
TOKEN_HEADERS = frozenset({"x-fc-security-token", "x-acs-security-token"})
KEY_ID_HEADERS = frozenset({"x-acs-accesskey-id"})
# FC 2.0: `FC <AccessKeyID>:<signature>`.
_FC_AUTHORIZATION = re.compile(r"^(FC|acs)\s+([^:]*):(.*)$")
# FC 3.0: `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>`.
_ACS3_AUTHORIZATION = re.compile(
    r"^(ACS3-HMAC-SHA256)\s+Credential=([^,]*),SignedHeaders=([^,]*),Signature=.*$"
)


def mask_access_key_id(key_id: str) -> str:
    """How an AccessKey ID leaves the server (pages, API, audit, `--debug`): its ends only."""
    return f"{key_id[:4]}{MASK}{key_id[-4:]}" if len(key_id) > 8 else MASK


def masked(name: str, value: str) -> str:
    """A request header's value as it may be shown."""
    lowered = name.lower()
    if lowered == "authorization":
        if match := _FC_AUTHORIZATION.match(value):
            return f"{match.group(1)} {mask_access_key_id(match.group(2))}:{MASK}"
        if match := _ACS3_AUTHORIZATION.match(value):
            scheme, key_id, signed_headers = match.groups()
            return f"{scheme} Credential={mask_access_key_id(key_id)},SignedHeaders={signed_headers},Signature={MASK}"
        return MASK
    if lowered in TOKEN_HEADERS:
        return MASK
    if lowered in KEY_ID_HEADERS:
        return mask_access_key_id(value)
    return value


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: masked(name, value) for name, value in headers.items()}


@dataclass(frozen=True)
class Exchange:
    """The request line and headers as sent (masked) and the response's status and headers."""

    method: str
    url: str
    request_headers: dict[str, str]
    status: int
    response_headers: dict[str, str]

    @classmethod
    def of(cls, response: requests.Response) -> Exchange:
        request = response.request
        return cls(
            method=request.method or "",
            url=request.url or "",
            request_headers=masked_headers(request.headers),
            status=response.status_code,
            response_headers=dict(response.headers.items()),
        )

    def to_dict(self) -> dict:
        return asdict(self)
