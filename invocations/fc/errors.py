"""Errors from FC and from the network, and the one rule for what a caller may do next.

Every failure of a call reaches the caller as `FCError`. Two questions decide what happens to
an invocation afterwards, and `classify()` is the only place that answers them:

* `retryable`: FC certainly did not act on the request, so sending it again is safe
  (connection refused or connect timeout before anything was sent, 429 throttling, 503).
* `outcome_unknown`: the request may have reached FC but no answer came (read timeout,
  connection reset after sending, a gateway timing out in front of FC). A sync invoke in this
  state must never be re-sent: the function may have run.
"""

from __future__ import annotations

import json
from typing import NamedTuple

# Codes of failures that happen on our side of the wire (status None).
CONNECTION_REFUSED = "ConnectionRefused"
CONNECT_TIMEOUT = "ConnectTimeout"
CONNECTION_FAILED = "ConnectionFailed"  # DNS, TLS, proxy: nothing sent, but retrying won't help
READ_TIMEOUT = "ReadTimeout"
CONNECTION_RESET = "ConnectionReset"  # the peer dropped the connection after we sent
INVALID_RESPONSE = "InvalidResponse"  # FC answered 2xx with a body we cannot read


class WhatNext(NamedTuple):
    """What a failure lets the caller do: send again, or not even know whether it ran."""

    retryable: bool
    outcome_unknown: bool


_NETWORK_OUTCOMES = {
    CONNECTION_REFUSED: WhatNext(retryable=True, outcome_unknown=False),
    CONNECT_TIMEOUT: WhatNext(retryable=True, outcome_unknown=False),
    CONNECTION_FAILED: WhatNext(retryable=False, outcome_unknown=False),
    READ_TIMEOUT: WhatNext(retryable=False, outcome_unknown=True),
    CONNECTION_RESET: WhatNext(retryable=False, outcome_unknown=True),
}

# 429 ResourceExhausted and 503 ResourceThrottled mean FC refused before running anything.
_RETRYABLE_STATUSES = frozenset({429, 503})
# A gateway answering for FC (502, 504) did not tell us whether FC ran the function.
_UNKNOWN_STATUSES = frozenset({502, 504})


# unconfirmed (fc3-api.md 6.1 step 3): FC 3.0 sits behind Alibaba Cloud's API gateway, whose
# throttling codes start with `Throttling` (the Node SDK raises ThrottlingError on any such code)
# and may come with a 400; we chose to treat every such code as throttled, whatever the status,
# because a throttled request was refused before anything ran.
THROTTLING_CODE_PREFIX = "Throttling"


# Async answers that mean the same thing in both APIs, under each version's code (fc-api.md §4,
# fc3-api.md §5.4 and §11: the 3.0 codes are unconfirmed; fclocal answers them).
ASYNC_ID_TAKEN = frozenset({"StatefulAsyncInvocationAlreadyExists", "AsyncTaskAlreadyExists"})
ASYNC_NOT_FOUND = frozenset({"StatefulAsyncInvocationNotFound", "AsyncTaskNotFound"})
ASYNC_ALREADY_ENDED = frozenset({"StatefulAsyncInvocationAlreadyCompleted", "AsyncTaskAlreadyCompleted"})


def classify(code: str, status: int | None) -> WhatNext:
    """What a failure means for the caller; see the module docstring."""
    if status is None:
        return _NETWORK_OUTCOMES.get(code, WhatNext(retryable=False, outcome_unknown=False))
    throttled = status in _RETRYABLE_STATUSES or (code or "").startswith(THROTTLING_CODE_PREFIX)
    return WhatNext(retryable=throttled, outcome_unknown=status in _UNKNOWN_STATUSES)


class FCError(Exception):
    """An FC API error (4xx/5xx with 2.0's ErrorCode/ErrorMessage or 3.0's Code/Message) or a
    network failure (status None).

    The message comes from FC or from us, never from request headers, so it carries no secret.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        request_id: str | None = None,
        *,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after
        # What went over the wire, when FC answered (an `exchange.Exchange`; secrets masked).
        self.exchange = None

    @property
    def retryable(self) -> bool:
        return classify(self.code, self.status).retryable

    @property
    def outcome_unknown(self) -> bool:
        return classify(self.code, self.status).outcome_unknown

    def __str__(self) -> str:
        where = f"{self.status} " if self.status is not None else ""
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{where}{self.code}: {self.message}{rid}"

    def __repr__(self) -> str:
        return f"FCError(code={self.code!r}, status={self.status!r}, request_id={self.request_id!r})"

    @classmethod
    def from_response(
        cls, status: int, body: bytes, request_id: str | None, retry_after: str | None = None
    ) -> FCError:
        """Build from an FC error answer: JSON `ErrorCode`/`ErrorMessage` (or lower camel), else text."""
        code, message = _error_fields(body)
        if not code:
            code = f"HTTP{status}"
        if not message:
            message = body.decode("utf-8", errors="replace").strip()[:2000] or f"HTTP status {status}"
        return cls(code, message, status, request_id, retry_after=_seconds(retry_after))

    @classmethod
    def from_acs3_response(
        cls, status: int, body: bytes, request_id: str | None, retry_after: str | None = None
    ) -> FCError:
        """Build from an FC 3.0 error answer (fc3-api.md 6.1): JSON `Code`/`Message`/`RequestId`
        (or lower camel, as tea-openapi reads them); the request id from the body, else from the
        `x-fc-request-id` header given as `request_id` (the official SDKs only read the body)."""
        data = _json_object(body)
        code = data.get("Code") or data.get("code") or data.get("ErrorCode")
        message = data.get("Message") or data.get("message") or data.get("ErrorMessage")
        rid = data.get("RequestId") or data.get("requestId") or request_id
        return cls(
            str(code) if code else f"HTTP{status}",
            str(message)
            if message
            else (body.decode("utf-8", errors="replace").strip()[:2000] or f"HTTP status {status}"),
            status,
            str(rid) if rid else None,
            retry_after=_seconds(retry_after),
        )


def error_code_of(body: bytes) -> str | None:
    """FC's ErrorCode if `body` is an FC error object, else None."""
    return _error_fields(body)[0]


def _json_object(body: bytes) -> dict:
    try:
        data = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _error_fields(body: bytes) -> tuple[str | None, str | None]:
    data = _json_object(body)
    if not data:
        return None, None
    code = data.get("ErrorCode") or data.get("errorCode") or data.get("Code")
    message = data.get("ErrorMessage") or data.get("errorMessage") or data.get("Message")
    return (str(code) if code else None), (str(message) if message else None)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP-date Retry-After: ignore it and use our own backoff
