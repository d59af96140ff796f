"""Streaming exports as CSV or JSON Lines, in constant memory.

Rows are sequences of values in column order, read from a server-side cursor on PostgreSQL
(`QuerySet.iterator()`): they are written a batch at a time and leave as soon as a ~64 KB chunk
is ready, so exporting a million rows holds one batch and one chunk, not a million rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.http import StreamingHttpResponse
from django.utils import timezone

CHUNK_CHARS = 64 * 1024
# Rows formatted per call into the csv/json C code: few Python calls per row, and a batch of
# payload rows (an event may be 32 MB) is still a bounded amount of memory.
BATCH_ROWS = 100
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_json_line = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False
).encode


def csv_lines(columns: list[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """RFC 4180 CSV: quotes, commas and newlines inside values are quoted by the csv module.

    Every cell goes through `_cell`: nested values (dicts, lists) become JSON text, and text
    that a spreadsheet would run as a formula is prefixed with a single quote.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield buffer.getvalue()
    for batch in _batches(rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([map(_cell, row) for row in batch])
        yield buffer.getvalue()


def _cell(value):
    """A value as the csv writer should write it (it writes None as empty, numbers with str())."""
    if value.__class__ is str:
        # OWASP: a leading quote makes the spreadsheet show the text instead of evaluating it.
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None or value.__class__ is int or value.__class__ is float:
        return value  # a number is never a formula, even a negative one
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _cell(str(value))


def jsonl_lines(columns: list[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """One JSON object per line, keys in column order."""
    for batch in _batches(rows):
        yield "".join([_json_line(dict(zip(columns, row, strict=True))) + "\n" for row in batch])


def _batches(rows: Iterable[Sequence], size: int = BATCH_ROWS) -> Iterator[list[Sequence]]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def chunked(lines: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    """Join small pieces into chunks of about `size` characters (fewer, larger writes)."""
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


def stream(fmt: str, name: str, columns: list[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """`rows` are sequences of values in `columns` order."""
    lines = csv_lines(columns, rows) if fmt == "csv" else jsonl_lines(columns, rows)
    response = StreamingHttpResponse(chunked(lines), content_type=FORMATS[fmt])
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
