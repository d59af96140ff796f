"""Invocation history as export rows: one flat dict per invocation, payloads only when asked."""

from __future__ import annotations

from django.db.models import F

from audit.exports import encode_payload
from invocations.models import Invocation

COLUMNS = [
    "uuid", "created_at", "sent_at", "started_at", "finished_at", "user", "source", "profile",
    "region", "service", "qualifier", "function", "invocation_type", "client_timeout",
    "async_invocation_id", "rerun_of", "state", "state_reason", "async_status", "http_status",
    "request_id", "request_url", "error_type", "error_code", "error_message", "duration_ms",
    "billed_duration_ms", "memory_size_mb", "max_memory_used_mb", "instance_id", "code_checksum",
    "resolved_qualifier",
]  # fmt: skip
PAYLOAD_COLUMNS = [
    "event", "event_encoding", "http_request", "response_body", "response_body_encoding",
    "response_headers", "log_tail",
]  # fmt: skip
PAYLOAD_FIELDS = ("event", "response_body", "response_headers", "http_request", "log_tail")
_TIMES = ("created_at", "sent_at", "started_at", "finished_at")
_PLAIN = [c for c in COLUMNS if c not in ("uuid", "user", "profile", "rerun_of", *_TIMES)]


def columns(payload: bool) -> list[str]:
    return COLUMNS + PAYLOAD_COLUMNS if payload else list(COLUMNS)


def rows_queryset(queryset, payload: bool):
    """Names of related rows come as annotations: no join loads a user, a profile or a payload."""
    queryset = queryset.annotate(
        _username=F("user__username"), _profile_name=F("profile__name"), _rerun_of_uuid=F("rerun_of__uuid")
    ).order_by("created_at", "id")
    return queryset if payload else queryset.defer(*PAYLOAD_FIELDS)


def row(invocation: Invocation, payload: bool) -> dict:
    data = {
        "uuid": str(invocation.uuid),
        "user": invocation._username,
        "profile": invocation._profile_name,
        "rerun_of": str(invocation._rerun_of_uuid) if invocation._rerun_of_uuid else None,
    }
    for name in _TIMES:
        moment = getattr(invocation, name)
        data[name] = moment.isoformat() if moment else None
    for name in _PLAIN:
        data[name] = getattr(invocation, name)
    if payload:
        data["event"], data["event_encoding"] = encode_payload(invocation.event)
        data["response_body"], data["response_body_encoding"] = encode_payload(invocation.response_body)
        data["http_request"] = invocation.http_request
        data["response_headers"] = invocation.response_headers
        data["log_tail"] = invocation.log_tail
    return data
