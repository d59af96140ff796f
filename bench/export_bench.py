"""Exports: the history as CSV and JSON Lines, 1,000,000 rows, through the running server.

Uses the rows the `history` benchmark generated (generates them when run alone). Each export is
`GET /team/history.{csv,jsonl}` to gunicorn (one worker process, so its RSS is the export's),
read as a stream by the client, which counts bytes and lines. Measured: wall time to the last
byte (an export still running after BENCH_EXPORT_SECONDS is cut there and reported unfinished,
with how many rows it had sent), and the peak RSS of the serving process sampled every 50 ms
(its RSS when idle just before is the baseline). Baseline: PostgreSQL's own `COPY (SELECT <same columns>) TO STDOUT` of
the same rows in CSV, read by psycopg in this process — the floor no export can beat.
"""

from __future__ import annotations

import time

import psutil
import requests

from bench import dataset, profiling
from bench.common import PeakMemory, Row, Target

TITLE = "history export of all generated rows, CSV and JSONL, vs PostgreSQL COPY"


def _ensure_rows(ctx) -> dataset.History:
    history = dataset.history(ctx)
    wanted = ctx.scale("HISTORY_ROWS", 1_000_000)
    if history.rows < wanted:
        dataset.add_rows(history, wanted)
    return history


def _copy_seconds() -> tuple[float, int]:
    """COPY of the export's columns (the row fields without payloads) as CSV: (seconds, bytes)."""
    from django.db import connection

    from invocations.models import Invocation

    columns = ", ".join(
        connection.ops.quote_name(f.column)
        for f in Invocation._meta.concrete_fields
        if f.column not in ("event", "response_body", "http_request", "response_headers", "log_tail")
    )
    table = connection.ops.quote_name(Invocation._meta.db_table)
    size = 0
    started = time.monotonic()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY (SELECT {columns} FROM {table} ORDER BY created_at DESC, id DESC) TO STDOUT WITH CSV HEADER"
        ) as copy:
            for block in copy:
                size += len(block)
    return time.monotonic() - started, size


def _session_cookie(user_id: int) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client.cookies["sessionid"].value


def run(ctx) -> list[Row]:
    history = _ensure_rows(ctx)
    web = ctx.web(workers=1, threads=4)
    serving = psutil.Process(web.pid).children()[0].pid
    cookie = _session_cookie(history.admin_id)
    copy_s, copy_bytes = _copy_seconds()

    target = Target("<=", 30)
    # Past the target, so an export cut at the cap is a miss, never a pass.
    cap = max(ctx.scale("EXPORT_SECONDS", 90), target.bound + 1)
    out = []
    for fmt in ("csv", "jsonl"):
        idle = psutil.Process(serving).memory_info().rss / 2**20
        size = lines = 0
        spy = profiling.Spy(serving, ctx.workdir / f"export-{fmt}.txt")
        with PeakMemory(server=serving) as memory, spy:
            started = time.monotonic()
            with requests.get(
                f"{web.url}/team/history.{fmt}", cookies={"sessionid": cookie}, stream=True, timeout=600
            ) as response:
                response.raise_for_status()
                for block in response.iter_content(256 * 1024):
                    size += len(block)
                    lines += block.count(b"\n")
                    if time.monotonic() - started > cap:
                        break  # closing the response stops the server's generator too
            wall = time.monotonic() - started
        rows = lines - 1 if fmt == "csv" else lines
        if rows < history.rows:
            done = (
                f"NOT finished: {rows:,} of {history.rows:,} rows when cut at {cap} s "
                f"(at that pace all would take about {wall * history.rows / max(rows, 1):.0f} s)"
            )
        else:
            done = f"{rows:,} rows, {size / 2**20:.0f} MiB"
        cost = (
            "" if target.met(wall) and rows >= history.rows else f"; py-spy of the server: {spy.summary(5)}"
        )
        out += [
            Row(
                "exports",
                f"{fmt} wall",
                wall,
                "s",
                baseline=f"PostgreSQL COPY CSV, all {history.rows:,} rows",
                baseline_value=copy_s,
                target=target,
                note=f"{done}; COPY {copy_bytes / 2**20:.0f} MiB{cost}",
            ),
            Row(
                "exports",
                f"{fmt} server peak RSS",
                memory.peak_mb["server"],
                "MB",
                baseline="same process idle",
                baseline_value=idle,
                target=Target("<=", 150),
                note="gunicorn worker process serving the export (1 worker, 4 threads)",
            ),
        ]
    return out
