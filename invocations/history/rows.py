"""Invocation history as export rows: `Invocation.to_dict()`, the one JSON shape, one row each.

Rows are value tuples straight from the database (`values_list()` on a server-side cursor), not
model instances: building a million instances and parsing their timestamps was most of an
export's time. The database writes what to_dict() would make in Python (ids and timestamps as
text), and tests/history/test_exports.py checks the two agree.

Payloads (event, response, headers, HTTP request, log tail) are read only when asked for: without
them, those columns are neither fetched from the database nor written.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import F, Func, TextField

from invocations.models.invocations import text_or_base64

# The keys of Invocation.to_dict(), in its order (tests/history/test_exports.py keeps them in step).
COLUMNS = [
    "id", "user", "profile", "source", "rerun_of", "region", "service", "qualifier", "function",
    "invocation_type", "event", "event_encoding", "http_request", "client_timeout",
    "async_invocation_id", "state", "state_reason", "attempts", "created_at", "sent_at",
    "started_at", "finished_at", "http_status", "request_id", "request_url", "request_method",
    "request_headers", "response_body",
    "response_body_encoding", "response_headers", "log_tail", "error_type", "error_code",
    "error_message", "duration_ms", "billed_duration_ms", "memory_size_mb", "max_memory_used_mb",
    "instance_id", "code_checksum", "resolved_qualifier", "async_status", "stop_requested_at",
    "stopped_by",
]  # fmt: skip
PAYLOAD_FIELDS = ("event", "response_body", "response_headers", "request_headers", "http_request", "log_tail")
PAYLOAD_KEYS = (*PAYLOAD_FIELDS, "event_encoding", "response_body_encoding")
# Made in Python from the column before them (text_or_base64), not read.
ENCODING_KEYS = ("event_encoding", "response_body_encoding")
CURSOR_ROWS = 1000


class UUIDText(Func):
    """A UUID column as `str(uuid)` writes it: 36 characters, lower case, with hyphens."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, template="(%(expressions)s)::text")

    def as_sqlite(self, compiler, connection):
        # SQLite holds Django UUIDs as 32 lower-case hex digits.
        hyphenated = " || '-' || ".join(
            f"substr(%(expressions)s, {start}, {length})"
            for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        )
        return self.as_sql(compiler, connection, template=hyphenated)


class ISOTimestamp(Func):
    """A timestamp column as `datetime.isoformat()` writes a UTC time: '2026-01-02T03:04:05.678901+00:00',
    without the fraction when it is zero (as Python does). NULL stays NULL."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection):
        template = (
            "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
            """'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), '.000000+', '+')"""
        )
        return self.as_sql(compiler, connection, template=template)

    def as_sqlite(self, compiler, connection):
        # SQLite holds Django's aware datetimes as str() of the UTC time: 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
        return self.as_sql(compiler, connection, template="replace(%(expressions)s, ' ', 'T') || '+00:00'")


def columns(payload: bool) -> list[str]:
    return list(COLUMNS) if payload else [c for c in COLUMNS if c not in PAYLOAD_KEYS]


def _selected(column: str):
    """How one export column is read: a field name, or an expression giving to_dict()'s text."""
    username = get_user_model().USERNAME_FIELD
    return {
        "id": UUIDText("uuid"),
        "user": F(f"user__{username}"),
        "profile": F("profile__name"),
        "rerun_of": UUIDText("rerun_of__uuid"),
        "created_at": ISOTimestamp("created_at"),
        "sent_at": ISOTimestamp("sent_at"),
        "started_at": ISOTimestamp("started_at"),
        "finished_at": ISOTimestamp("finished_at"),
        "stop_requested_at": ISOTimestamp("stop_requested_at"),
        "stopped_by": F(f"stopped_by__{username}"),
    }.get(column, column)


def rows(queryset, payload: bool) -> Iterator[tuple | list]:
    """The export rows of `queryset`, oldest first: values in `columns(payload)` order."""
    read = [c for c in columns(payload) if c not in ENCODING_KEYS]
    annotations = {}
    names = []
    for column in read:
        selected = _selected(column)
        if isinstance(selected, str):
            names.append(selected)
        else:
            annotations[f"export_{column}"] = selected
            names.append(f"export_{column}")
    ordered = queryset.annotate(**annotations).order_by("created_at", "id")
    values = ordered.values_list(*names).iterator(chunk_size=CURSOR_ROWS)
    if not payload:
        return values
    event_at, body_at = read.index("event"), read.index("response_body")
    return (_payloads_as_text(row, event_at, body_at) for row in values)


def _payloads_as_text(row: tuple, event_at: int, body_at: int) -> list:
    """Stored bytes become (text, encoding) pairs, as in to_dict()."""
    row = list(row)
    # The later column first, so the earlier one's index still holds.
    row[body_at : body_at + 1] = text_or_base64(row[body_at])
    row[event_at : event_at + 1] = text_or_base64(row[event_at])
    return row
