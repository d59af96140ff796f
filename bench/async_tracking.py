"""Async tracking: 10,000 in-flight stateful async invocations across 10 functions.

Setup (not measured): a generated s.yaml with 10 stateful async functions `track-00..09` (the demo
`stateful_job` code, BENCH_TRACKING_TASK_SECONDS long), served by its own fclocal with --access-log;
BENCH_TRACKING_TASKS rows in `tracking` are bulk-created, and the same tasks sent to fclocal
directly (Async, with the rows' ids), as the worker would have. Then a worker with the periodic
scheduler (-B: track_async every FC_TRACK_INTERVAL) runs for BENCH_TRACKING_SECONDS.
Measured: the Get/List stateful-async calls fclocal logged during that window, per second and
per function per poll interval (target <= 1) beside what seeing every unfinished task each
interval would cost (ceil(unfinished tasks / 100) per function, FC's page cap: the full pass the
tracker made before it read the head of each queue and swept the rest), and for every status
change FC reported during the window, the delay from FC's timestamp of the change to our row storing it (AsyncStatusEvent
`recorded_at - at`; target p95 <= 2 s). Baseline for the call rate: one Get per task per
interval, what naive tracking would cost.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import console, profiling
from bench.common import ROOT, Row, Target, percentile

TITLE = "async tracking of 10,000 in-flight stateful invocations: FC calls spent, status delay"
FUNCTIONS = 10
FINAL = {"Succeeded", "Failed", "Stopped", "Expired", "Invalid"}  # fc-api.md 4.3
PAGE = 100  # FC's cap on `limit` (fc-api.md 4.1)
SERVICE = "bench"


def _project(ctx, task_seconds: int) -> str:
    code = ROOT / "examples" / "functions" / "stateful_job"
    functions = "\n".join(
        f"""  track-{i:02d}:
    component: fc
    props:
      region: cn-hangzhou
      service: {{name: {SERVICE}}}
      function:
        name: track-{i:02d}
        runtime: python3.10
        codeUri: {code}
        handler: index.handler
        memorySize: 128
        timeout: {task_seconds * 10}
        instanceConcurrency: 100
        asyncConfiguration:
          maxAsyncEventAgeInSeconds: 3600
          maxAsyncRetryAttempts: 0
          statefulInvocation: true"""
        for i in range(FUNCTIONS)
    )
    path = ctx.workdir / "tracking-s.yaml"
    path.write_text(f"edition: 1.0.0\nname: bench-tracking\naccess: default\n\nservices:\n{functions}\n")
    return path


def run(ctx) -> list[Row]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from invocations.models import AsyncStatusEvent, CredentialProfile, Invocation, InvocationState

    tasks = ctx.scale("TRACKING_TASKS", 10_000)
    task_seconds = ctx.scale("TRACKING_TASK_SECONDS", 5)
    window = ctx.scale("TRACKING_SECONDS", 60)
    async_workers = ctx.scale("TRACKING_FCLOCAL_ASYNC_WORKERS", 400)
    interval = settings.FC_TRACK_INTERVAL

    fclocal = ctx.fclocal(
        _project(ctx, task_seconds),
        name="fclocal-tracking",
        extra=["--access-log", "--async-workers", str(async_workers)],
    )
    team = console.team(ctx, fclocal.url)
    user = get_user_model().objects.get(pk=team.user_id)
    profile = CredentialProfile.objects.get(name=team.profile_name)

    # The rows, as the worker leaves them after FC's 202.
    now = timezone.now()
    rows = [
        Invocation(
            user=user,
            profile=profile,
            source="api",
            region="cn-hangzhou",
            service=SERVICE,
            function=f"track-{i % FUNCTIONS:02d}",
            invocation_type="async",
            event=f'{{"seconds": {task_seconds}}}'.encode(),
            async_invocation_id=f"bench-{i:06d}",
            state=InvocationState.TRACKING,
            sent_at=now,
            started_at=now,
            attempts=1,
            send_attempts=1,
            http_status=202,
        )
        for i in range(tasks)
    ]
    Invocation.objects.bulk_create(rows, batch_size=2000)
    tracked = Invocation.objects.filter(service=SERVICE, async_invocation_id__startswith="bench-")

    client = console.direct_client(fclocal.url)

    def send(row: Invocation) -> None:
        client.invoke(
            SERVICE,
            row.function,
            bytes(row.event),
            invocation_type="Async",
            async_invocation_id=row.async_invocation_id,
            log_tail=False,
        )

    sent_started = time.monotonic()
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(send, rows))
    sent_in = time.monotonic() - sent_started
    client.close()

    log = fclocal.log_path
    worker = ctx.worker(pool="threads", concurrency=100, beat=True)
    time.sleep(interval * 2)  # first polls catch up with what changed while sending: not measured
    window_start, offset = timezone.now(), log.stat().st_size
    beats_offset = worker.log_path.stat().st_size
    time.sleep(window)
    window_end = timezone.now()
    with log.open("rb") as f:
        f.seek(offset)
        lines = f.read().decode(errors="replace").splitlines()
    beats = _beats(worker.log_path, beats_offset, window_start, window_end)
    # Profiled after the window, not in it: py-spy reading 100 threads' stacks takes CPU the
    # measured tracker would lose.
    with profiling.Spy(worker.pid, ctx.workdir / "async_tracking-worker.txt") as spy:
        time.sleep(min(window, 10))
    worker.stop()  # the next benchmark gets a worker without the scheduler

    calls = [ln for ln in lines if "stateful-async-invocations" in ln and '"GET ' in ln]
    lists = [
        ln for ln in calls if "stateful-async-invocations?" in ln or "stateful-async-invocations HTTP" in ln
    ]
    per_second = len(calls) / window
    # The intervals are the beats the scheduler sent in the window (about window / interval; one
    # more or less by where the window falls): each is one poll of every function.
    polls = beats or window / interval
    per_function_per_poll = len(calls) / (FUNCTIONS * polls)
    # Every status change FC made inside the window (asked of fclocal directly, after the window),
    # matched with the rows' events: stored ones give their delay; ones never stored count as at
    # least (end of measurement - change), so a stalled tracker cannot pass.
    measured_at = timezone.now()
    recorded = {
        (inv_id, status, round(at.timestamp() * 1000)): stored
        for inv_id, status, at, stored in AsyncStatusEvent.objects.filter(invocation__in=tracked).values_list(
            "invocation__async_invocation_id", "status", "at", "recorded_at"
        )
    }
    delays, missing = [], 0
    spans = {f"track-{i:02d}": [] for i in range(FUNCTIONS)}  # (first event, final event or None) per task
    checker = console.direct_client(fclocal.url)
    lo, hi = (
        window_start.timestamp() * 1000,
        (window_end - timedelta(seconds=interval * 2)).timestamp() * 1000,
    )
    for i in range(FUNCTIONS):
        for record in checker.list_stateful_async_invocations(SERVICE, f"track-{i:02d}", limit=100):
            stamps = [e.get("timestamp") or 0 for e in record.get("events") or []]
            final = stamps[-1] if stamps and record.get("status") in FINAL else None
            spans[f"track-{i:02d}"].append((min(stamps, default=record.get("startedTime") or 0), final))
            for event in record.get("events") or []:
                at = event.get("timestamp") or 0
                if not lo <= at < hi:
                    continue
                stored = recorded.get((record["invocationId"], event.get("status"), at))
                if stored is None:
                    missing += 1
                    delays.append(measured_at.timestamp() - at / 1000)
                else:
                    delays.append(stored.timestamp() - at / 1000)
    checker.close()
    full_pass = _full_pass(spans, window_start.timestamp() * 1000, window_end.timestamp() * 1000, interval)
    ended = tracked.exclude(state=InvocationState.TRACKING).count()
    still = tracked.filter(state=InvocationState.TRACKING).count()
    naive = tasks / interval
    setup = f"{tasks:,} tasks x {task_seconds} s on {FUNCTIONS} functions, fclocal --async-workers {async_workers}; sent in {sent_in:.0f} s"
    out = [
        Row(
            "async_tracking",
            "FC calls/s spent tracking",
            per_second,
            "/s",
            baseline="one Get per task per interval",
            baseline_value=naive,
            note=f"{len(calls):,} Get/List calls ({len(lists):,} List) in a {window} s window, "
            f"poll interval {interval} s, sweep every {settings.FC_TRACK_SWEEP_EVERY} polls; {setup}",
        ),
        Row(
            "async_tracking",
            "calls per function per poll interval",
            per_function_per_poll,
            "calls",
            target=Target("<=", 1) if lists else None,
            note=("" if lists else "NO poll reached FC in the window (the tracker stalled); ")
            + f"seeing every unfinished task each interval would cost {full_pass:.2f} (ceil(unfinished "
            f"tasks / 100) per function, FC's page cap, averaged over the intervals: the old full pass); "
            f"{len(lists):,} List and {len(calls) - len(lists):,} Get calls; "
            f"{FUNCTIONS} functions x {polls:.0f} intervals (beats the scheduler sent in the window); "
            f"end: {ended:,} rows ended, {still:,} tracking",
        ),
    ]
    if delays:
        target = Target("<=", 2)
        p95 = percentile(delays, 95)
        cost = (
            "" if target.met(p95) else f"; py-spy of the worker for 10 s after the window: {spy.summary(5)}"
        )
        out.append(
            Row(
                "async_tracking",
                "status change -> row, p95",
                p95,
                "s",
                target=target,
                note=f"p50 {percentile(delays, 50):.2f} s over {len(delays):,} status changes FC made inside "
                f"the window, {missing:,} of them never stored (counted as a lower bound: until the end of "
                f"the measurement); "
                + (
                    f"each function had a List call every {window * FUNCTIONS / len(lists):.1f} s on average"
                    if lists
                    else "no function was polled at all"
                )
                + cost,
            )
        )
    else:
        out.append(
            Row("async_tracking", "status change -> row", None, note="FC made no status change in the window")
        )
    return out


def _beats(worker_log: Path, offset: int, start, end) -> int:
    """How many track_async beats the worker's scheduler sent between `start` and `end`."""
    with worker_log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    sent = 0
    for line in text.splitlines():
        if "Sending due task track-async" not in line:
            continue
        # "[2026-12-03 06:47:18,112: INFO/Beat] Scheduler: Sending due task ...", in local time
        at = datetime.strptime(line[1:24], "%Y-%m-%d %H:%M:%S,%f").astimezone(UTC)
        sent += start <= at < end
    return sent


def _full_pass(spans: dict, lo_ms: float, hi_ms: float, interval: float) -> float:
    """Calls per function per interval a tracker needs to see every unfinished task each interval.

    A poll at t must see every task that had started by t and had not ended before the previous
    poll (one that ended since still needs its end read): ceil(that many / PAGE) List calls.
    """
    step = interval * 1000
    polls = [lo_ms + k * step for k in range(max(1, int((hi_ms - lo_ms) // step)))]
    calls = [
        math.ceil(sum(1 for start, end in tasks if start <= t and (end is None or end > t - step)) / PAGE)
        for tasks in spans.values()
        for t in polls
    ]
    return sum(calls) / len(calls)
