"""Where the web's and the worker's CPU goes under the benchmark's load, function by function.

The sampling profiles of earlier entries (py-spy, pyinstrument) counted threads waiting for the
GIL or a socket as busy, and the functions they blamed cost, measured alone, a fraction of what
they were given (bench/RESULTS.md, issue 18, 07:14). This counts instead: each function named
below is wrapped, in the web's gunicorn processes and in the Celery worker, with a count of its
calls and of the CPU time its calling thread spent from entry to return (`time.thread_time_ns`,
inclusive of what it calls, exclusive of waiting). Set against the process's whole CPU
(`getrusage`), the figures say what share each step takes of the same calls.

Opt in with BENCH_ATTRIBUTION=1 (the throughput benchmark): each wrapped call costs about a
microsecond, so a run with it is not compared with runs without.

How the processes are reached: gunicorn with `-c bench/attribution_gunicorn.py` (its
`post_worker_init`), the worker with `-A bench.attribution_worker` (the project's app, and a
`worker_ready` receiver); neither changes the product's code. On SIGUSR2 a process writes its
counters to `attribution-<role>-<pid>-<n>.json` in BENCH_ATTRIBUTION_DIR (`n` counting the
signals), so a benchmark takes the difference between two snapshots around its measured phase.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import resource
import signal
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import psutil

DIR_ENV = "BENCH_ATTRIBUTION_DIR"

# "module:Qualified.name". Inclusive figures: a function's callers include its cost.
WEB = [
    "gunicorn.workers.gthread:ThreadWorker.handle",
    "gunicorn.http.parser:RequestParser.__next__",
    "django.core.handlers.wsgi:WSGIHandler.__call__",
    "django.http.response:HttpResponseBase.close",
    "django.core.handlers.base:BaseHandler.resolve_request",
    "rest_framework.views:APIView.dispatch",
    "rest_framework.views:APIView.initial",
    "invocations.api.authentication:ApiTokenAuthentication.authenticate",
    "invocations.models.tokens:_token_from_row",
    "invocations.api.views.invocations:InvocationList.post",
    "invocations.api.views.invocations:_wait_seconds",
    "invocations.api.serializers.invocations:InvocationRequestSerializer.is_valid",
    "invocations.api.serializers.invocations:ProfileField.to_internal_value",
    "invocations.models.invocation_queryset:InvocationQuerySet.submit",
    "invocations.models.invocation_queryset:InvocationQuerySet._write",
    "audit.trail:record_many",
    "fcconsole.statements:Inserts.run",
    "invocations.lifecycle.rows:RowTransitions.send",
    "invocations.lifecycle.rows:_publish",
    "invocations.api.views.invocations:_created",
    "invocations.lifecycle.wakeups:wait",
    "rest_framework.renderers:JSONRenderer.render",
    "django.db.backends.base.base:BaseDatabaseWrapper.connect",
    "django.db.backends.utils:CursorWrapper.execute",
    "redis.client:Redis.execute_command",
]
WORKER = [
    # What a pool thread runs for a task (Celery's trace, the task, the acknowledgement); the rest
    # of the process's CPU is the consumer's thread (receiving, dispatching) and the heartbeats.
    "celery.concurrency.thread:apply_target",
    "celery.concurrency.thread:TaskPool.on_apply",
    "invocations.lifecycle.run:execute",
    "invocations.lifecycle.claims:Claims.claim",
    "invocations.lifecycle.claims:Claims._claim_all",
    "invocations.lifecycle.rows:RowTransitions.claim_many",
    "invocations.lifecycle.run:_call",
    "invocations.fc.client:FCClient.invoke",
    "requests.sessions:Session.send",
    "invocations.lifecycle.rows:RowTransitions.finish",
    "invocations.lifecycle.wakeups:announce",
    "invocations.lifecycle.wakeups:_sealed",
    "redis.client:Pipeline.execute",
    "django.db.backends.base.base:BaseDatabaseWrapper.connect",
    "django.db.backends.utils:CursorWrapper.execute",
]

_counts: dict[str, list[int]] = {}
# Reentrant: the SIGUSR2 handler runs in the main thread, which may be inside a wrapped call's
# update at that moment (the worker's consumer thread dispatches tasks through `on_apply`).
_lock = threading.RLock()


def _wrapped(function, name: str):
    counter = _counts.setdefault(name, [0, 0])

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.thread_time_ns()
        try:
            return function(*args, **kwargs)
        finally:
            spent = time.thread_time_ns() - started
            with _lock:
                counter[0] += 1
                counter[1] += spent

    return wrapper


def _install(name: str) -> None:
    module, _, qualified = name.partition(":")
    owner = importlib.import_module(module)
    *path, attribute = qualified.split(".")
    for part in path:
        owner = getattr(owner, part)
    setattr(owner, attribute, _wrapped(getattr(owner, attribute), name))


def start(role: str, names: Iterable[str]) -> None:
    """Wrap `names` in this process and write a snapshot on each SIGUSR2 (in the main thread)."""
    for name in names:
        _install(name)
    directory = Path(os.environ[DIR_ENV])
    snapshots = iter(range(1, 1_000_000))

    def snapshot(signum, frame) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with _lock:
            counts = {name: list(counter) for name, counter in _counts.items()}
        path = directory / f"attribution-{role}-{os.getpid()}-{next(snapshots)}.json"
        partial = path.with_suffix(".part")
        partial.write_text(
            json.dumps({"cpu_ns": int((usage.ru_utime + usage.ru_stime) * 1e9), "counts": counts})
        )
        partial.rename(path)  # whole or absent: the reader polls for it

    signal.signal(signal.SIGUSR2, snapshot)


class Snapshots:
    """The counters of a benchmark's processes, taken on demand (`take`), and their difference."""

    def __init__(self, directory: Path, pids: dict[str, int | list[int]]):
        """`pids`: role -> the pid of the process started (gunicorn's master: its workers count),
        or the pids of several processes of the role, whose counters are summed."""
        self.directory = directory
        self.pids = pids
        self.taken = 0

    def _processes(self) -> dict[str, list[int]]:
        found = {}
        for role, pid in self.pids.items():
            if isinstance(pid, list):
                found[role] = pid
            elif role == "web":
                found[role] = [child.pid for child in psutil.Process(pid).children()]
            else:
                found[role] = [pid]
        return found

    def take(self, timeout: float = 10.0) -> dict[str, dict]:
        """Signal every process, wait for each one's file, and return role -> summed counters."""
        self.taken += 1
        processes = self._processes()
        for pids in processes.values():
            for pid in pids:
                os.kill(pid, signal.SIGUSR2)
        totals: dict[str, dict] = {}
        deadline = time.monotonic() + timeout
        for role, pids in processes.items():
            total = {"cpu_ns": 0, "counts": {}}
            for pid in pids:
                path = self.directory / f"attribution-{role}-{pid}-{self.taken}.json"
                while not path.exists():
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no attribution snapshot from {role} process {pid}")
                    time.sleep(0.02)
                data = json.loads(path.read_text())
                total["cpu_ns"] += data["cpu_ns"]
                for name, (calls, ns) in data["counts"].items():
                    summed = total["counts"].setdefault(name, [0, 0])
                    summed[0] += calls
                    summed[1] += ns
            totals[role] = total
        return totals


def table(before: dict[str, dict], after: dict[str, dict], calls: int) -> str:
    """A markdown table per role of the difference: per completed call, and share of the process
    (of the processes' sum, when the role has several)."""
    lines = []
    for role, end in after.items():
        start = before[role]
        cpu = end["cpu_ns"] - start["cpu_ns"]
        lines += [
            f"**{role}**: {cpu / calls / 1e3:,.0f} us of process CPU per completed call ({calls:,} calls)",
            "",
            "| function (inclusive) | calls per completed call | us per call | us per completed call | share of the process |",
            "|---|---|---|---|---|",
        ]
        rows = []
        for name, (count, ns) in end["counts"].items():
            count -= start["counts"].get(name, [0, 0])[0]
            ns -= start["counts"].get(name, [0, 0])[1]
            if count:
                rows.append((ns, name, count))
        for ns, name, count in sorted(rows, reverse=True):
            lines.append(
                f"| `{name}` | {count / calls:.2f} | {ns / count / 1e3:,.1f} | {ns / calls / 1e3:,.1f} "
                f"| {ns / cpu:.0%} |"
            )
        lines.append("")
    return "\n".join(lines)


class Counted:
    """A benchmark phase counted by function: `with Counted(...) as counted:` around the phase,
    then `counted.report(calls)` writes the tables to `<name>-attribution.md` in `directory`,
    prints them, and returns a note for the phase's row. Disabled (`enabled=False`), it does
    nothing and the note is empty, so a benchmark wraps its phase the same way either way."""

    def __init__(self, directory: Path, name: str, pids: dict[str, int | list[int]], *, enabled: bool = True):
        self.directory, self.name, self.enabled = directory, name, enabled
        self.snapshots = Snapshots(directory, pids) if enabled else None

    def __enter__(self) -> Counted:
        if self.enabled:
            self.before = self.snapshots.take()
        return self

    def __exit__(self, kind, *rest) -> None:
        if self.enabled and kind is None:
            self.after = self.snapshots.take()

    def report(self, calls: int) -> str:
        if not self.enabled:
            return ""
        tables = table(self.before, self.after, calls)
        path = self.directory / f"{self.name}-attribution.md"
        path.write_text(tables)
        print(tables, flush=True)
        return f"; CPU by function over this phase (bench/attribution.py): {path.name} in the work directory"
