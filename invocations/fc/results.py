"""What an invoke returns: the response headers of fc-api.md 3.2 (fc3-api.md 3.3 keeps them) and
the log tail of 3.3, parsed."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .exchange import Exchange

# `Duration: 3.87 ms, Billed Duration: 4 ms, Memory Size: 128 MB, Max Memory Used: 100.26 MB`
SUMMARY_RE = re.compile(
    r"Duration: (?P<duration>\d+(?:\.\d+)?) ms, "
    r"Billed Duration: (?P<billed>\d+) ms, "
    r"Memory Size: (?P<memory>\d+) MB, "
    r"Max Memory Used: (?P<max_memory>\d+(?:\.\d+)?) MB"
)


@dataclass(frozen=True)
class LogSummary:
    duration_ms: float | None = None
    billed_duration_ms: int | None = None
    memory_size_mb: int | None = None
    max_memory_used_mb: float | None = None


def decode_log_result(value: str | None) -> str | None:
    """The text of an `X-Fc-Log-Result` header (base64). Undecodable input is kept as sent."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value
    return raw.decode("utf-8", errors="replace")


def parse_summary(log_tail: str | None) -> LogSummary:
    """The last summary line of a log tail (user output above it may imitate one)."""
    if not log_tail:
        return LogSummary()
    matches = list(SUMMARY_RE.finditer(log_tail))
    if not matches:
        return LogSummary()
    m = matches[-1]
    return LogSummary(
        duration_ms=float(m["duration"]),
        billed_duration_ms=int(m["billed"]),
        memory_size_mb=int(m["memory"]),
        max_memory_used_mb=float(m["max_memory"]),
    )


def _number(value: str | None, kind: type) -> float | int | None:
    try:
        return kind(value) if value not in (None, "") else None
    except ValueError:
        return None


@dataclass
class InvokeResult:
    """The answer to InvokeFunction. A function error is a 200 with `error_type` set."""

    status: int
    request_id: str | None
    body: bytes
    log_tail: str | None = None
    error_type: str | None = None
    duration_ms: float | None = None
    billed_duration_ms: int | None = None
    memory_size_mb: int | None = None
    max_memory_used_mb: float | None = None
    instance_id: str | None = None
    code_checksum: str | None = None
    resolved_qualifier: str | None = None
    request_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    async_invocation_id: str | None = None
    # What went over the wire (secrets masked); set by the client.
    exchange: Exchange | None = None

    @property
    def function_failed(self) -> bool:
        return bool(self.error_type)

    @property
    def async_id(self) -> str | None:
        """The async call's id: 2.0's stateful async invocation id or 3.0's async task id."""
        return self.async_invocation_id

    @classmethod
    def from_response(
        cls,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        request_url: str,
        sent_async_invocation_id: str | None = None,
        *,
        async_id_header: str = "x-fc-stateful-async-invocation-id",
    ) -> InvokeResult:
        """`headers` must be case-insensitive (FC sends `X-Fc-…`, proxies may lower-case them).

        Figures come from the log tail's summary line when there is one; FC's
        `X-Fc-Invocation-Duration` / `X-Fc-Max-Memory-Usage` headers fill in otherwise.
        """
        return cls(
            status=status,
            body=body,
            request_url=request_url,
            headers=dict(headers.items()),
            async_invocation_id=headers.get(async_id_header) or sent_async_invocation_id,
            **answer_fields(headers),
        )


def answer_fields(headers: Mapping[str, str]) -> dict:
    """What FC's answer headers say of a run, for an invoke and an HTTP-trigger request alike.

    Figures come from the log tail's summary line when there is one; FC's
    `X-Fc-Invocation-Duration` / `X-Fc-Max-Memory-Usage` headers fill in otherwise.
    """
    log_tail = decode_log_result(headers.get("x-fc-log-result"))
    summary = parse_summary(log_tail)
    duration = summary.duration_ms
    if duration is None:
        duration = _number(headers.get("x-fc-invocation-duration"), float)
    max_memory = summary.max_memory_used_mb
    if max_memory is None:
        max_memory = _number(headers.get("x-fc-max-memory-usage"), float)
    return {
        "request_id": headers.get("x-fc-request-id"),
        "log_tail": log_tail,
        "error_type": headers.get("x-fc-error-type") or None,
        "duration_ms": duration,
        "billed_duration_ms": summary.billed_duration_ms,
        "memory_size_mb": summary.memory_size_mb,
        "max_memory_used_mb": max_memory,
        "instance_id": headers.get("x-fc-instance-id") or None,
        "code_checksum": headers.get("x-fc-code-checksum") or None,
        "resolved_qualifier": headers.get("x-fc-invocation-service-version") or None,
    }


@dataclass
class HttpInvokeResult:
    """The answer of an HTTP-triggered function: whatever status and body the function chose."""

    status: int
    headers: dict[str, str]
    body: bytes
    request_url: str
    request_id: str | None = None
    log_tail: str | None = None
    error_type: str | None = None
    # The same run figures and ids as an invoke's, when FC's answer headers carry them.
    duration_ms: float | None = None
    billed_duration_ms: int | None = None
    memory_size_mb: int | None = None
    max_memory_used_mb: float | None = None
    instance_id: str | None = None
    code_checksum: str | None = None
    resolved_qualifier: str | None = None
    exchange: Exchange | None = None

    @property
    def function_failed(self) -> bool:
        return bool(self.error_type)

    @classmethod
    def from_response(
        cls, status: int, headers: Mapping[str, str], body: bytes, request_url: str
    ) -> HttpInvokeResult:
        return cls(
            status=status,
            headers=dict(headers.items()),
            body=body,
            request_url=request_url,
            **answer_fields(headers),
        )
