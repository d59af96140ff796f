"""Concurrency: 1,000 sync invocations of a 10-second function in flight through the workers.

BENCH_WORKER_PROCESSES Celery worker processes (default 2: one per core of the bench machine, as
README's Workers section says to run them; threads pool, the invocations' threads split among
them) run BENCH_INFLIGHT invocations of `slow` ({"seconds": 10}) against fclocal (10 instances x
100 concurrent requests), in two phases:

1. burst — the workers alone: the rows are written first (bulk), then every task is published,
   one `Invocation.objects.send` after another (the publish of a submit); wall time from the
   first publish to the last row finished, how many ran at once, each call's start after its
   send; then again with new rows whose tasks are published at once, in one batch (as a batch
   submit does); the RSS of the workers and of fclocal (with its instance processes) sampled
   every 50 ms over both;
2. console — the whole path: the same number submitted through `Invocation.objects.submit` from 32
   threads (as web processes would), wall time from the first row created to the last finished.

Both count from the rows: all succeeded, none lost. Baseline: the same calls straight from 1,000
threads with our FCClient to the same fclocal.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench import attribution, console, profiling, services
from bench.common import PeakConnections, PeakMemory, Row, Target

TITLE = "1,000 in-flight sync invocations of a 10 s function through the workers (one process per core)"
SECONDS = 10
EVENT = f'{{"seconds": {SECONDS}}}'


def run(ctx) -> list[Row]:
    inflight = ctx.scale("INFLIGHT", 1000)
    # One process per core: a call's start (the message, the claim, the request to FC) holds its
    # process's GIL, and 1,000 starts in one process took 1.5-2 s of one core (bench/RESULTS.md,
    # issue 18). The worker figures are the processes' sum.
    processes = ctx.scale("WORKER_PROCESSES", 2)
    # 1: count the workers' CPU by function over the batch burst (bench/attribution.py); the
    # counting costs CPU of its own, so such a run's figures are compared only with such runs.
    attributed = bool(ctx.scale("ATTRIBUTION", 0))
    fclocal = ctx.fclocal()
    team = console.team(ctx, fclocal.url)
    threads = -(-inflight // processes)
    workers = [ctx.worker(pool="threads", concurrency=threads, attribution=attributed)]
    try:
        # One at a time, so that those started before one that fails are still stopped below.
        for i in range(2, processes + 1):
            workers.append(
                services.worker(ctx.workdir, concurrency=threads, name=f"worker{i}", attribution=attributed)
            )
        return _run(ctx, inflight, fclocal, team, workers, threads, attributed)
    finally:
        for extra in workers[1:]:
            extra.stop()


def _run(ctx, inflight: int, fclocal, team, workers: list, threads: int, attributed: bool) -> list[Row]:
    from django.contrib.auth import get_user_model

    from invocations.models import CredentialProfile

    user = get_user_model().objects.get(pk=team.user_id)
    profile = CredentialProfile.objects.get(name=team.profile_name)

    # The direct calls also warm fclocal's instances, which neither phase then pays for.
    baseline_wall, baseline_errors = _direct(fclocal.url, inflight)
    # Issue 18: first send -> last end within 1.1 x the same calls made straight from threads.
    target = Target("<=", round(1.1 * baseline_wall, 2))
    direct = f"{inflight:,} threads x FCClient direct"

    from django.db import connection

    db_port = int(connection.settings_dict.get("PORT") or 5432)
    pids = {f"worker{i}": worker.pid for i, worker in enumerate(workers, 1)}
    with (
        PeakMemory(fclocal=fclocal.pid, **pids) as memory,
        PeakConnections(db_port, **pids) as db,
    ):
        burst = _burst(user, profile, inflight)
        with attribution.Counted(
            ctx.workdir, "concurrency", {"worker": [worker.pid for worker in workers]}, enabled=attributed
        ) as counting:
            batch = _burst(user, profile, inflight, batch=True)
        counted = counting.report(inflight)
    # Each process's own peak, summed: an upper bound of the processes' peak together.
    worker_rss = sum(memory.peak_mb[name] for name in pids)
    worker_connections = sum(db.peak[name] for name in pids)
    shape = (
        f"one process, threads pool -c {threads}"
        if len(workers) == 1
        else f"{len(workers)} processes, threads pool -c {threads} each; the sum of each one's peak"
    )
    console_run = _through_submit(user, profile, inflight)

    cost = ""
    if not target.met(console_run.wall):
        from invocations.models import Invocation

        cost = "; submit " + profiling.in_process(
            lambda: Invocation.objects.submit(
                user=user,
                profile=profile,
                region="cn-hangzhou",
                service=console.SERVICE,
                function=console.NOOP,
                source="api",
            ),
            50,
            ctx.workdir / "concurrency-submit.profile.txt",
        )
    return [
        Row(
            "concurrency",
            f"burst: wall, {inflight:,} x {SECONDS} s",
            burst.wall,
            "s",
            baseline=direct,
            baseline_value=baseline_wall,
            target=target,
            note=f"rows written first, tasks published in {burst.sent_in:.1f} s; first publish -> last "
            f"finished; {burst.spread}; rows: {burst.states}; {burst.lost} lost; "
            f"direct: {baseline_errors or 'all succeeded'}",
        ),
        Row(
            "concurrency",
            "burst: slowest start after its own send",
            burst.start_lag_max,
            "s",
            target=Target("<=", 1.0),
            note=f"each row's started_at minus the moment its task was published; median {burst.start_lag_p50:.2f} s",
        ),
        Row(
            "concurrency",
            "burst, one batch: slowest start after the send",
            batch.start_lag_max,
            "s",
            target=Target("<=", 1.0),
            note=f"as many new rows, their tasks published at once (send_many, as a batch submit does, in "
            f"{batch.sent_in:.2f} s); each row's started_at minus the batch's end; median "
            f"{batch.start_lag_p50:.2f} s; wall {batch.wall:.1f} s; rows: {batch.states}; {batch.lost} lost"
            f"{counted}",
        ),
        Row(
            "concurrency",
            "burst: running at once (peak rows)",
            burst.peak,
            "rows",
            target=Target(">=", inflight),
            note="from the rows' started_at/finished_at",
        ),
        Row(
            "concurrency",
            "burst: all completed (succeeded rows)",
            burst.succeeded,
            "rows",
            target=Target(">=", inflight),
            note=f"of {inflight:,}",
        ),
        Row(
            "concurrency",
            "worker peak RSS",
            worker_rss,
            "MB",
            target=Target("<=", 400),
            note=f"{shape}, during the bursts",
        ),
        Row(
            "concurrency",
            "worker peak PostgreSQL connections",
            worker_connections,
            "",
            baseline="calls in flight",
            baseline_value=burst.peak,
            note=f"TCP connections of the worker ({shape}) to PostgreSQL, sampled every 50 ms during the bursts",
        ),
        Row(
            "concurrency",
            "fclocal peak RSS (with instances)",
            memory.peak_mb["fclocal"],
            "MB",
            note="server + its instance processes, during the bursts",
        ),
        Row(
            "concurrency",
            f"console: wall, {inflight:,} submitted x {SECONDS} s",
            console_run.wall,
            "s",
            baseline=direct,
            baseline_value=baseline_wall,
            target=target,
            note=f"first row created -> last finished; submitting took {console_run.sent_in:.1f} s "
            f"(32 threads, Invocation.objects.submit); peak {console_run.peak} running at once; "
            f"rows: {console_run.states}; {console_run.lost} lost{cost}",
        ),
    ]


class Phase:
    """What the rows of one phase say once they have ended (or the deadline passed)."""

    def __init__(self, rows, expected: int, started_at, sent_in: float):
        from django.db.models import Count

        from invocations.models import InvocationState

        deadline = time.monotonic() + SECONDS * 6
        while rows.exclude(state__in=InvocationState.terminal()).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        counts = {r["state"]: r["n"] for r in rows.values("state").annotate(n=Count("id"))}
        times = list(rows.values_list("created_at", "started_at", "finished_at"))
        first = started_at or min(t[0] for t in times)
        last = max((t[2] for t in times if t[2]), default=None)
        self.wall = (last - first).total_seconds() if last else float("inf")
        starts = [t[1] for t in times if t[1]]
        ends = [t[2] for t in times if t[2]]
        # Where a wall time over the function's own SECONDS goes: late starts, or slow ends.
        self.spread = (
            f"calls started {(max(starts) - first).total_seconds():.1f} s after the first send at the "
            f"latest; ends spread over {(max(ends) - min(ends)).total_seconds():.1f} s"
            if starts and ends
            else "no call started"
        )
        self.peak = _peak_running([(s, f) for _, s, f in times if s and f])
        self.succeeded = counts.get(InvocationState.SUCCEEDED, 0)
        self.lost = expected - len(times)
        self.states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        self.sent_in = sent_in


def _burst(user, profile, n: int, *, batch: bool = False) -> Phase:
    """The rows written first, then their tasks published: one `send` after another, as `submit`
    sends each (each send paced by the one before), or `batch`, all at once in one round trip as
    a batch submit publishes them (`send_many`), which leaves the workers every start to make at
    the same moment."""
    from django.utils import timezone
    from kombu.utils.uuid import uuid

    from invocations.models import Invocation

    rows = Invocation.objects.bulk_create(
        Invocation(
            user=user,
            profile=profile,
            source="api",
            region="cn-hangzhou",
            service=console.SERVICE,
            function=console.SLOW,
            event=EVENT.encode(),
            # Stamped with its first send as `submit` writes a row, so each publish below is the
            # one a submit makes (`send` with the row's task id: no statement, the console's own
            # message building), not Celery's generic `apply_async`.
            celery_task_id=uuid(),
            sent_at=timezone.now(),
            send_attempts=1,
        )
        for _ in range(n)
    )
    started_at, started = timezone.now(), time.monotonic()
    if batch:
        Invocation.objects.send_many([(row.pk, row.celery_task_id) for row in rows])
        sent = dict.fromkeys([row.pk for row in rows], timezone.now())
    else:
        sent = {}
        for row in rows:
            Invocation.objects.send(row.pk, celery_task_id=row.celery_task_id)
            sent[row.pk] = timezone.now()
    sent_in = time.monotonic() - started
    phase = Phase(Invocation.objects.filter(pk__in=[r.pk for r in rows]), n, started_at, sent_in)
    # Issue 18: each call started within 1 s of its own send.
    lags = [
        (started - sent[pk]).total_seconds()
        for pk, started in Invocation.objects.filter(pk__in=sent).values_list("pk", "started_at")
        if started
    ]
    phase.start_lag_max = max(lags, default=float("inf"))
    phase.start_lag_p50 = statistics.median(lags) if lags else float("inf")
    return phase


def _through_submit(user, profile, n: int) -> Phase:
    from django.db import connection

    from invocations.models import Invocation

    mark = Invocation.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def submit(_):
        try:
            Invocation.objects.submit(
                user=user,
                profile=profile,
                region="cn-hangzhou",
                service=console.SERVICE,
                function=console.SLOW,
                event=EVENT,
                source="api",
            )
        finally:
            connection.close()

    started = time.monotonic()
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(submit, range(n)))
    return Phase(Invocation.objects.filter(id__gt=mark), n, None, time.monotonic() - started)


def _peak_running(intervals) -> int:
    events = sorted(
        [(s, 1) for s, _ in intervals] + [(f, -1) for _, f in intervals], key=lambda e: (e[0], e[1])
    )
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    return peak


def _direct(url: str, n: int) -> tuple[float, str]:
    """Wall time of `n` concurrent direct calls (one thread each, one pooled client)."""
    client = console.direct_client(url)
    barrier = threading.Barrier(n + 1)
    errors: list[str] = []

    def call():
        barrier.wait()
        try:
            result = client.invoke(console.SERVICE, console.SLOW, EVENT.encode(), timeout=SECONDS * 6)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(str(exc)[:200])
            return
        if result.status != 200 or result.function_failed:
            errors.append(f"{result.status} {result.error_type}")

    threads = [threading.Thread(target=call) for _ in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.monotonic()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    client.close()
    return wall, f"{len(errors)} failed, first: {errors[0]}" if errors else ""
