"""FC 2.0 request signing ("FC" scheme, fc-api.md section 2).

One implementation serves both sides: the client signs with `sign()`,
and fclocal checks requests with `verify()`. Proven against the SDK vectors of fc-api.md 2.4.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import unquote

API_VERSION = "2016-08-15"
PROXY_PREFIX = f"/{API_VERSION}/proxy/"
MAX_CLOCK_SKEW_SECONDS = 15 * 60


def http_date(timestamp: float | None = None) -> str:
    """RFC 1123 GMT date, as the Python SDK builds it."""
    return formatdate(timestamp, usegmt=True)


def canonical_fc_headers(headers: Mapping[str, str]) -> str:
    """Every x-fc-* header, lower-cased, sorted, `name:value\\n` each (values as sent)."""
    fc = sorted((k.lower(), v) for k, v in headers.items() if k.lower().startswith("x-fc-"))
    return "".join(f"{k}:{v}\n" for k, v in fc)


def canonical_resource(path: str, query: Iterable[tuple[str, str | None]] = ()) -> str:
    """The decoded path; for /proxy/ paths, plus one sorted `key=value` line per query value.

    `path` may be percent-encoded or not: it is decoded here. Query pairs must already be
    decoded; a value of None renders as the bare key.
    """
    decoded = unquote(path)
    if not decoded.startswith(PROXY_PREFIX):
        return decoded
    lines = sorted(k if v is None else f"{k}={v}" for k, v in query)
    return decoded + "\n" + "\n".join(lines)


def string_to_sign(
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Iterable[tuple[str, str | None]] = (),
) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    return (
        f"{method.upper()}\n"
        f"{lower.get('content-md5', '')}\n"
        f"{lower.get('content-type', '')}\n"
        f"{lower.get('date', '')}\n"
        f"{canonical_fc_headers(headers)}"
        f"{canonical_resource(path, query)}"
    )


def signature(secret: str, to_sign: str) -> str:
    digest = hmac.new(secret.encode(), to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign(
    access_key_id: str,
    access_key_secret: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Iterable[tuple[str, str | None]] = (),
) -> str:
    """The value of the Authorization header: `FC {id}:{signature}`."""
    sig = signature(access_key_secret, string_to_sign(method, path, headers, query))
    return f"FC {access_key_id}:{sig}"


class VerificationError(Exception):
    """A request fails FC authentication. `code`/`status` are FC's (fc-api.md 6.2)."""

    def __init__(self, code: str, message: str, status: int = 403):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# The ErrorCode FC uses for a stale Date is unconfirmed (fc-api.md 11); we answer
# 403 AccessDenied with FC's message text. This is the one place that choice lives.
CLOCK_SKEW_ERROR_CODE = "AccessDenied"


def parse_authorization(value: str | None) -> tuple[str, str]:
    if not value or not value.startswith("FC ") or ":" not in value[3:]:
        raise VerificationError("AccessDenied", "the Authorization header is missing or malformed")
    key_id, _, sig = value[3:].partition(":")
    if not key_id or not sig:
        raise VerificationError("AccessDenied", "the Authorization header is missing or malformed")
    return key_id, sig


def verify(
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Iterable[tuple[str, str | None]],
    secrets: Mapping[str, str],
    now: float,
) -> str:
    """Check an FC-signed request (fc-api.md 2.3). Returns the access key id, or raises.

    `secrets` maps access key id to secret. `headers` as received (any case).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    key_id, sig = parse_authorization(lower.get("authorization"))
    secret = secrets.get(key_id)
    if secret is None:
        raise VerificationError("InvalidAccessKeyID", f"invalid access key ID '{key_id}'")
    date = lower.get("date")
    if not date:
        raise VerificationError("MissingRequiredHeader", "required HTTP header Date was not specified", 400)
    try:
        sent = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        raise VerificationError("InvalidArgument", f"invalid Date header '{date}'", 400) from None
    if abs(now - sent) > MAX_CLOCK_SKEW_SECONDS:
        raise VerificationError(
            CLOCK_SKEW_ERROR_CODE,
            f"the difference between the request time '{date}' and the current time "
            f"'{http_date(now)}' is too large",
        )
    expected = signature(secret, string_to_sign(method, path, headers, query))
    if not hmac.compare_digest(expected.encode(), sig.encode()):
        raise VerificationError(
            "SignatureNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your access key and signing method",
        )
    return key_id
