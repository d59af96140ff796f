"""Invocation history as export rows: `Invocation.to_dict()`, the one JSON shape, one row each.

Payloads (event, response, headers, HTTP request, log tail) are read only when asked for: without
them, those columns are neither fetched from the database nor written.
"""

from __future__ import annotations

# The keys of Invocation.to_dict(), in its order (tests/audit/test_exports.py keeps them in step).
COLUMNS = [
    "id", "user", "profile", "source", "rerun_of", "region", "service", "qualifier", "function",
    "invocation_type", "event", "event_encoding", "http_request", "client_timeout",
    "async_invocation_id", "state", "state_reason", "attempts", "created_at", "sent_at",
    "started_at", "finished_at", "http_status", "request_id", "request_url", "response_body",
    "response_body_encoding", "response_headers", "log_tail", "error_type", "error_code",
    "error_message", "duration_ms", "billed_duration_ms", "memory_size_mb", "max_memory_used_mb",
    "instance_id", "code_checksum", "resolved_qualifier", "async_status", "stop_requested_at",
    "stopped_by",
]  # fmt: skip
PAYLOAD_FIELDS = ("event", "response_body", "response_headers", "http_request", "log_tail")
PAYLOAD_KEYS = (*PAYLOAD_FIELDS, "event_encoding", "response_body_encoding")


def columns(payload: bool) -> list[str]:
    return list(COLUMNS) if payload else [c for c in COLUMNS if c not in PAYLOAD_KEYS]


def rows_queryset(queryset, payload: bool):
    """Oldest first, with the users and profiles to_dict() names joined in, never the payload of
    the invocation a row re-ran."""
    queryset = (
        queryset.select_related("user", "profile", "rerun_of", "stopped_by")
        .defer(*(f"rerun_of__{field}" for field in PAYLOAD_FIELDS))
        .order_by("created_at", "id")
    )
    return queryset if payload else queryset.defer(*PAYLOAD_FIELDS)


def row(invocation, payload: bool) -> dict:
    if not payload:
        # Deferred and not wanted: set them blank so to_dict() does not fetch each one.
        for field in PAYLOAD_FIELDS:
            setattr(invocation, field, None)
    data = invocation.to_dict()
    if not payload:
        for key in PAYLOAD_KEYS:
            del data[key]
    return data
