"""Concurrency: 1,000 sync invocations of a 10-second function in flight through ONE worker process.

The console side submits BENCH_INFLIGHT invocations of `slow` ({"seconds": 10}) through
`Invocation.objects.submit` from 32 threads (as the web processes would); one Celery worker process
(threads pool, one thread per invocation) runs them against fclocal (10 instances x 100
concurrent requests). Counted from the rows: all succeeded, none lost, the wall time from the first
row created to the last row finished, the peak number running at once; the RSS of the worker and
of fclocal (with its instance processes) sampled every 50 ms. Baseline: the same calls straight
from 1,000 threads with our FCClient to the same fclocal.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench import console, profiling
from bench.common import PeakMemory, Row, Target

TITLE = "1,000 in-flight sync invocations of a 10 s function through one worker process"
SECONDS = 10
EVENT = f'{{"seconds": {SECONDS}}}'


def run(ctx) -> list[Row]:
    inflight = ctx.scale("INFLIGHT", 1000)
    fclocal = ctx.fclocal()
    team = console.team(ctx, fclocal.url)
    worker = ctx.worker(pool="threads", concurrency=inflight)

    baseline_wall, baseline_errors = _direct(fclocal.url, inflight)
    # fclocal keeps its instances warm: the console run below does not pay their start.

    from django.contrib.auth import get_user_model
    from django.db import connection

    from invocations.models import CredentialProfile, Invocation, InvocationState

    user = get_user_model().objects.get(pk=team.user_id)
    profile_row = CredentialProfile.objects.get(name=team.profile_name)
    mark = Invocation.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def submit(_):
        try:
            Invocation.objects.submit(
                user=user,
                profile=profile_row,
                region="cn-hangzhou",
                service=console.SERVICE,
                function=console.SLOW,
                event=EVENT,
                source="api",
            )
        finally:
            connection.close()

    with PeakMemory(worker=worker.pid, fclocal=fclocal.pid) as memory:
        started = time.monotonic()
        with ThreadPoolExecutor(32) as pool:
            list(pool.map(submit, range(inflight)))
        submitted_in = time.monotonic() - started
        rows = Invocation.objects.filter(id__gt=mark)
        deadline = started + SECONDS * 6
        while rows.exclude(state__in=InvocationState.terminal()).exists() and time.monotonic() < deadline:
            time.sleep(0.2)

    states = _states(rows)
    times = list(rows.values_list("created_at", "started_at", "finished_at"))
    first_created = min(t[0] for t in times)
    last_finished = max((t[2] for t in times if t[2]), default=None)
    wall = (last_finished - first_created).total_seconds() if last_finished else float("inf")
    peak = _peak_running([(s, f) for _, s, f in times if s and f])
    last_created = max(t[0] for t in times)
    after_submit = (last_finished - last_created).total_seconds() if last_finished else float("inf")
    succeeded = states.get(InvocationState.SUCCEEDED, 0)
    target = Target("<=", 12)
    cost = ""
    if not target.met(wall):
        # Where a submit's time goes (same call, a no-op function, in this process).
        cost = "; submit " + profiling.in_process(
            lambda: Invocation.objects.submit(
                user=user,
                profile=profile_row,
                region="cn-hangzhou",
                service=console.SERVICE,
                function=console.NOOP,
                source="api",
            ),
            50,
            ctx.workdir / "concurrency-submit.profile.txt",
        )
    lost = inflight - len(times)
    states_text = ", ".join(f"{k} {v}" for k, v in sorted(states.items()))
    return [
        Row(
            "concurrency",
            f"wall, {inflight:,} x {SECONDS} s via console",
            wall,
            "s",
            baseline=f"{inflight:,} threads x FCClient direct",
            baseline_value=baseline_wall,
            target=target,
            note=f"first row created -> last finished; direct: {baseline_errors or 'all succeeded'}; "
            f"rows: {states_text}; {lost} lost; submitting took {submitted_in:.1f} s "
            f"(32 threads, Invocation.objects.submit){cost}",
        ),
        Row(
            "concurrency",
            "wall, last submitted -> last finished",
            after_submit,
            "s",
            baseline="function duration",
            baseline_value=SECONDS,
            note="the worker side alone: how long after the last submit the last call ended",
        ),
        Row(
            "concurrency",
            "peak running at once (rows)",
            peak,
            "rows",
            target=Target(">=", inflight),
            note="from the rows' started_at/finished_at",
        ),
        Row(
            "concurrency",
            "all completed (succeeded rows)",
            succeeded,
            "rows",
            target=Target(">=", inflight),
            note=f"of {inflight:,} submitted",
        ),
        Row(
            "concurrency",
            "worker peak RSS",
            memory.peak_mb["worker"],
            "MB",
            target=Target("<=", 400),
            note=f"one process, threads pool -c {inflight}",
        ),
        Row(
            "concurrency",
            "fclocal peak RSS (with instances)",
            memory.peak_mb["fclocal"],
            "MB",
            note="server + its instance processes",
        ),
    ]


def _states(rows) -> dict[str, int]:
    from django.db.models import Count

    return {r["state"]: r["n"] for r in rows.values("state").annotate(n=Count("id"))}


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
