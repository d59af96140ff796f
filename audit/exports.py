"""Streaming exports as CSV or JSON Lines, in constant memory.

Rows come from `QuerySet.iterator(chunk_size=...)` (a server-side cursor on PostgreSQL) and leave
as soon as a ~64 KB chunk is ready, so exporting a million rows holds one chunk, not a million rows.
"""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK_CHARS = 64 * 1024
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


class _Echo:
    """A file whose write() hands back the line: lets csv.writer format one row at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """RFC 4180 CSV: quotes, commas and newlines inside values are quoted by the csv module.

    Nested values (dicts, lists) are written as JSON text in their cell.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_cell(row.get(column)) for column in columns])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"


def chunked(lines: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    """Join small lines into chunks of about `size` characters (fewer, larger writes)."""
    buffer: list[str] = []
    length = 0
    for line in lines:
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


def stream(fmt: str, name: str, columns: list[str], rows: Iterable[dict]) -> StreamingHttpResponse:
    lines = csv_lines(columns, rows) if fmt == "csv" else jsonl_lines(rows)
    response = StreamingHttpResponse(chunked(lines), content_type=FORMATS[fmt])
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def encode_payload(data) -> tuple[str, str]:
    """(text, encoding) of stored bytes: UTF-8 text as it is, anything else base64."""
    if data is None:
        return "", ""
    data = bytes(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"
