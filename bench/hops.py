"""Where one `?wait` call's wall time goes, hop by hop (issue 18: the p50 target is missed in every
phase of this machine, and its split into three parts did not say which hop to work on).

One client makes sequential no-op calls through the console, as console_latency does, while a
Redis MONITOR connection records when Redis received each command. The row's own timestamps
(created_at before its INSERT, started_at before the claim's UPDATE, finished_at after FC's
answer) and the client's send and receive times are on the same clock (one machine), so every
call is cut into:

1. send -> created: the client's request, gunicorn, Django, DRF's authentication, validation;
2. created -> publish: the audit number, the INSERT, building the task message, the LPUSH;
3. publish -> started: the worker's BLMPOP answered, the message handed to a pool thread,
   Celery's trace, the claim's start;
4. started -> finished: the claim's UPDATE, the FC call, reading its answer;
5. finished -> wake-up: the finish's UPDATE, sealing the outcome, the RPUSH;
6. wake-up -> received: the web's BLPOP answered, the answer built and sent, the client reading it.

MONITOR makes Redis echo every command, which slows it a little: these calls are not the latency
benchmark's, and only the split is reported. A direct FCClient call is timed between console
calls for the baseline the issue compares with.
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import datetime

from bench import console
from bench.common import Row, sample_note

TITLE = "where a ?wait call's wall time goes, hop by hop (Redis MONITOR and the row's timestamps)"
HOPS = [
    ("send -> created", "request, authentication, validation"),
    ("created -> publish", "audit number, INSERT, task message, LPUSH"),
    ("publish -> started", "worker receives, hands over, Celery's trace"),
    ("started -> finished", "claim UPDATE, FC call"),
    ("finished -> wake-up", "finish UPDATE, sealing, RPUSH"),
    ("wake-up -> received", "web wakes, answers; client reads"),
]


def split(call: dict, commands: list[tuple[float, str, str]], queue_key: str) -> list[float] | None:
    """The six hops of one call, in ms, from its times (`sent`, `received`, and the row's
    `created_at`, `started_at`, `finished_at`) and the Redis commands (time, name, first key)
    seen between its send and its receipt; None when a command is missing."""
    window = [c for c in commands if call["sent"] <= c[0] <= call["received"]]
    publish = next((t for t, name, key in window if name == "LPUSH" and key == queue_key), None)
    wake = next((t for t, name, key in window if name == "RPUSH" and ".ended." in key), None)
    if publish is None or wake is None:
        return None
    points = [
        call["sent"],
        _epoch(call["created_at"]),
        publish,
        _epoch(call["started_at"]),
        _epoch(call["finished_at"]),
        wake,
        call["received"],
    ]
    return [(b - a) * 1000 for a, b in zip(points, points[1:], strict=False)]


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class _Monitor:
    """Redis MONITOR in a thread: (time, command, first key) of every command Redis receives."""

    def __init__(self, url: str):
        import redis

        self.commands: list[tuple[float, str, str]] = []
        self._monitor = redis.Redis.from_url(url).monitor()
        self._thread = threading.Thread(target=self._listen, name="bench-monitor", daemon=True)

    def __enter__(self):
        self._monitor.__enter__()
        self._thread.start()
        return self

    def _listen(self) -> None:
        try:
            for event in self._monitor.listen():
                parts = event["command"].split(" ")
                key = parts[1] if len(parts) > 1 else ""
                self.commands.append((float(event["time"]), parts[0].upper(), key))
        except Exception:  # noqa: BLE001, S110 - the connection closed under it: the end
            pass

    def __exit__(self, *exc):
        time.sleep(0.2)  # the last commands' echoes
        self._monitor.__exit__(*exc)
        self._monitor.connection.disconnect()
        self._thread.join(5)


def run(ctx) -> list[Row]:
    from django.conf import settings

    n = ctx.scale("HOPS_SAMPLES", 200)
    warmup = 30
    _, api, direct = console.latency_stack(ctx)
    queue_key = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "") + (
        settings.CELERY_TASK_DEFAULT_QUEUE
    )
    for _ in range(warmup):
        api.invoke(wait=30)
        direct.invoke(console.SERVICE, console.NOOP, b"")

    calls, direct_ms = [], []
    with _Monitor(settings.CELERY_BROKER_URL) as monitor:
        for _ in range(n):
            sent = time.time()
            result = api.invoke(wait=30)
            received = time.time()
            if result["state"] != "succeeded":
                raise RuntimeError(f"console invocation ended {result['state']}: {result['state_reason']}")
            calls.append({"sent": sent, "received": received, **result})
            start = time.perf_counter()
            direct.invoke(console.SERVICE, console.NOOP, b"")
            direct_ms.append((time.perf_counter() - start) * 1000)
    api.close()
    direct.close()

    hops = [h for h in (split(call, monitor.commands, queue_key) for call in calls) if h]
    if len(hops) < n // 2:
        raise RuntimeError(f"only {len(hops)} of {n} calls could be split: see the MONITOR capture")
    medians = [statistics.median(h[i] for h in hops) for i in range(len(HOPS))]
    total = statistics.median(sum(h) for h in hops)
    note = f"{sample_note(n, warmup)}, {len(hops)} split; medians of each hop, which need not add up"
    rows = [
        Row("hops", f"{name}: {what}", value, "ms", note=note if i == 0 else "")
        for i, ((name, what), value) in enumerate(zip(HOPS, medians, strict=True))
    ]
    rows.append(
        Row(
            "hops",
            "console call, send -> received (under MONITOR)",
            total,
            "ms",
            baseline="direct FCClient p50, same run",
            baseline_value=statistics.median(direct_ms),
        )
    )
    return rows
