"""Batch submit (issue 18): invocations accepted per second through `POST /api/v1/invocations/batch`
(1,000 per request), against single `POST /api/v1/invocations/` calls in the same run.

One client each, through gunicorn (2 processes, as `throughput`), the rows only submitted: no
worker runs them (the tests run batches through a worker), so what is measured is the submit path:
the request's checks, one INSERT of the rows, an audit entry each, one transaction, the publish.
After the run every batch row is checked: queued with its first send stamped, one audit entry each.

Beside it, how N task messages reach Redis (writes to the Redis socket, counted through redis-py;
one write per round trip, a pipeline being one write), for the ways Celery and kombu offer:
`send_task` in a loop, the same with one producer, a Celery `group`, and kombu's producer batch
(what `send_many` uses).
"""

from __future__ import annotations

import time
import uuid

from bench import console
from bench.common import Row, Target, percentile

TITLE = "batch submit: invocations accepted/s, 1,000 per POST, vs single POSTs (same run)"


def _post_batch(api: console.ConsoleApi, items: list[dict]) -> list[str]:
    response = api.session.post(f"{api.url}batch", json={"items": items}, timeout=120)
    if response.status_code != 201:
        raise RuntimeError(f"console answered {response.status_code}: {response.text[:300]}")
    return response.json()["ids"]


def run(ctx) -> list[Row]:
    from invocations import rules

    batches = ctx.scale("BATCH_POSTS", 5)
    seconds = ctx.scale("BATCH_SINGLE_SECONDS", 10)
    size = rules.BATCH_LIMIT
    # Nothing calls FC here: the profile's endpoint is never reached.
    team = console.team(ctx, "http://127.0.0.1:9")
    web = ctx.web(workers=2, threads=16)
    api = console.ConsoleApi(web.url, team)
    items = [
        {
            "profile": team.profile_name,
            "service": console.SERVICE,
            "function": console.NOOP,
            "event": f'{{"n": {n}}}',
        }
        if n % 2
        else {"profile": team.profile_name, "function": console.NOOP, "event": f'{{"n": {n}}}'}  # FC 3.0
        for n in range(size)
    ]

    # Warm-up, not counted: both paths in both gunicorn processes.
    for _ in range(20):
        api.invoke(wait=0)
    for _ in range(2):
        _post_batch(api, items[:100])

    single_n, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        api.invoke(wait=0)
        single_n += 1
    single_s = time.monotonic() - started
    single_rate = single_n / single_s

    batch_ms, ids = [], []
    for _ in range(batches):
        t0 = time.perf_counter()
        ids += _post_batch(api, items)
        batch_ms.append((time.perf_counter() - t0) * 1000)
    batch_rate = len(ids) / (sum(batch_ms) / 1000)
    api.close()

    checked = _check_rows(ids)
    console.retire_unrun("bench batch_submit: written, never run")
    publish = _publish_strategies(1000)
    strategies = "; ".join(f"{name}: {writes:,} writes, {ms:.0f} ms" for name, writes, ms in publish)
    rows = [
        Row(
            "batch_submit",
            "invocations accepted/s, batch POST of 1,000",
            batch_rate,
            "/s",
            baseline="single POST /api/v1/invocations/, 1 client",
            baseline_value=single_rate,
            target=Target(">=", 1000),
            note=(
                f"{batches} batches of {size:,} (half FC 2.0, half FC 3.0), 1 client; per batch p50 "
                f"{percentile(batch_ms, 50):.0f} ms, max {max(batch_ms):.0f} ms; single: {single_n:,} POSTs "
                f"in {single_s:.1f} s; after 20 single and 2 batch warm-up POSTs; {checked}"
            ),
        )
    ]
    by_name = {name: writes for name, writes, _ in publish}
    rows.append(
        Row(
            "batch_submit",
            "Redis writes to publish 1,000 task messages, kombu producer batch",
            by_name["producer.batch() + send_task(producer=)"],
            "",
            baseline="send_task in a loop, one producer",
            baseline_value=by_name["send_task loop, one producer"],
            note=f"warm pooled connection, queue declared; {strategies}",
        )
    )
    return rows


def _check_rows(ids: list[str]) -> str:
    from audit.models import AuditEntry
    from invocations.models import Invocation, InvocationState

    rows = Invocation.objects.filter(uuid__in=ids)
    queued_sent = rows.filter(state=InvocationState.QUEUED, sent_at__isnull=False, send_attempts=1).count()
    audited = AuditEntry.objects.filter(action="invocation.submitted", object_id__in=ids).count()
    if not (len(ids) == len(set(ids)) == queued_sent == audited):
        raise RuntimeError(f"{len(ids)} ids, {queued_sent} queued and sent, {audited} audit entries")
    return f"checked after: {len(ids):,} rows queued with their send stamped, {audited:,} audit entries"


def _publish_strategies(n: int) -> list[tuple[str, int, float]]:
    """(strategy, writes to the Redis socket, ms) for publishing `n` messages to a queue of their
    own that nothing consumes (its keys go with the run's Redis prefix)."""
    import redis.connection
    from celery import current_app, group, signature

    app, queue, task = current_app, f"bench-publish-{uuid.uuid4().hex[:8]}", "bench.never_run"
    writes = [0]
    send = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        writes[0] += 1
        return send(self, command, check_health)

    def loop():
        for i in range(n):
            app.send_task(task, (i,), queue=queue, ignore_result=True)

    def loop_one_producer():
        with app.producer_or_acquire() as producer:
            for i in range(n):
                app.send_task(task, (i,), queue=queue, ignore_result=True, producer=producer)

    def celery_group():
        group(signature(task, (i,), app=app, queue=queue, ignore_result=True) for i in range(n)).apply_async()

    def producer_batch():
        with app.producer_or_acquire() as producer, producer.batch(max_size=n):
            for i in range(n):
                app.send_task(task, (i,), queue=queue, ignore_result=True, producer=producer)

    results = []
    redis.connection.AbstractConnection.send_packed_command = counting
    try:
        for name, fn in [
            ("send_task loop", loop),
            ("send_task loop, one producer", loop_one_producer),
            ("Celery group", celery_group),
            ("producer.batch() + send_task(producer=)", producer_batch),
        ]:
            app.send_task(task, (0,), queue=queue, ignore_result=True)  # warm: connection, declaration
            writes[0] = 0
            t0 = time.perf_counter()
            fn()
            results.append((name, writes[0], (time.perf_counter() - t0) * 1000))
    finally:
        redis.connection.AbstractConnection.send_packed_command = send
    return results
