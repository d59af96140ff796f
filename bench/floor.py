"""Floors: what the frameworks cost per call before our code does anything (issue 18).

The web's CPU per request through gunicorn (2 processes x 32 threads, as `throughput`), 32 clients
posting the invoke request's body, each for BENCH_FLOOR_SECONDS, to bench-only endpoints served
beside the product's URLs (bench/floor_urls.py) and then to the API itself:
- Django alone: gunicorn, Django's handler and the product's middleware, a view parsing the body;
- DRF: the same through an APIView without authentication or permission (request wrapping,
  parsing, content negotiation, rendering);
- DRF with the API's authentication and permission (the token's statement, the role check);
- the API's `POST /api/v1/invocations/` without `?wait` (no worker runs: the submit alone).
The worker's CPU per task the same way: Celery running a task that does nothing (the ping task,
its result not stored), against our run task on rows submitted through the API (claim, FC call to
fclocal's no-op, finish). What is left between a floor and the full figure is ours to spend.
Then what one PostgreSQL round trip costs a process in CPU from 1 thread and from 16 at once: a
thread that waits gives up the GIL and takes it back, which under contention is kernel work.
Last, the same floors as one client's wall time: one client calls each endpoint in turn, the
direct FCClient call among them, so that every figure can be read in units of the direct call of
the same run (the host's speed varies between runs by half or more; the units far less).
"""

from __future__ import annotations

import psutil

from bench import console
from bench.common import CpuMeter, Row, interleaved_samples, percentile, sample_note
from bench.throughput import _drained_rate, _loop

TITLE = "frameworks' own CPU per call (gunicorn, Django, DRF, Celery) against the console's"

CLIENTS = 32
TASKS = 4000


def run(ctx) -> list[Row]:
    import requests

    from invocations.models import Invocation

    seconds = ctx.scale("FLOOR_SECONDS", 10)
    fclocal = ctx.fclocal()
    team = console.team(ctx, fclocal.url)
    ctx.stop("worker")  # the submit alone first: nothing may consume its rows
    web = ctx.web(workers=2, threads=CLIENTS, settings="bench.floor_settings")

    def measured(path: str) -> tuple[dict[str, float], int]:
        def client():  # one per client thread, each with its own session
            return _poster(console.ConsoleApi(web.url, team), path)

        _loop(CLIENTS, 2, client)  # warm-up, not counted
        with CpuMeter(
            web=web.pid, clients=psutil.Process(), postgres="postgres", redis="redis-server"
        ) as cpu:
            n, _ = _loop(CLIENTS, seconds, client)
        return {name: used * 1000 / n for name, used in cpu.used.items()}, n

    phases = {
        "Django alone": "/floor/django/",
        "DRF, no authentication": "/floor/drf/",
        "DRF with the API's authentication and permission": "/floor/drf-auth/",
    }
    measured_phases = {name: measured(path) for name, path in phases.items()}
    submit, submit_n = measured("/api/v1/invocations/")
    console.retire_unrun("bench floor: written, never run")

    # The worker: Celery's own cost per task, then our run task's.
    from invocations.tasks import ping

    worker = ctx.worker(pool="threads", concurrency=100)
    with CpuMeter(worker=worker.pid) as noop_cpu:
        for _ in range(TASKS):
            ping.apply_async(args=["floor"], ignore_result=True)
        # FIFO: once the last task's answer is back, the ones before it have run.
        ping.apply_async(args=["last"]).get(timeout=120)
    noop_ms = noop_cpu.used["worker"] * 1000 / (TASKS + 1)

    mark = Invocation.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def submitter():
        api = console.ConsoleApi(web.url, team)
        return lambda: api.invoke(wait=0)

    with CpuMeter(worker=worker.pid, fclocal=fclocal.pid) as run_cpu:
        submitted, _ = _loop(CLIENTS, seconds, submitter)
        _, drain_note = _drained_rate(mark, submitted)
    run_ms = run_cpu.used["worker"] * 1000 / max(submitted, 1)
    requests.Session().close()

    one, many = _round_trip_cpu(1), _round_trip_cpu(ROUND_TRIP_THREADS)
    latency_rows = _one_client(ctx, web, team, fclocal, phases)

    def split(costs: dict[str, float]) -> str:
        return ", ".join(f"{name} {ms:.2f}" for name, ms in sorted(costs.items(), key=lambda kv: -kv[1]))

    rows = [
        Row(
            "floor",
            f"web CPU per request: {name}",
            costs["web"],
            "ms",
            baseline="the API's submit (no wait), same run",
            baseline_value=submit["web"],
            note=f"{n:,} requests, {CLIENTS} clients, {seconds} s after 2 s warm-up; CPU ms per request: {split(costs)}",
        )
        for name, (costs, n) in measured_phases.items()
    ]
    rows.append(
        Row(
            "floor",
            "web CPU per request: the API's submit, POST /api/v1/invocations/ without wait",
            submit["web"],
            "ms",
            note=f"{submit_n:,} submitted, no worker running; CPU ms per request: {split(submit)}",
        )
    )
    rows.append(
        Row(
            "floor",
            "worker CPU per task: Celery running a task that does nothing",
            noop_ms,
            "ms",
            baseline="our run task (claim, FC call, finish), same run",
            baseline_value=run_ms,
            note=f"{TASKS:,} ping tasks, result not stored, threads pool of 100",
        )
    )
    rows.append(
        Row(
            "floor",
            "worker CPU per task: our run task on a submitted row",
            run_ms,
            "ms",
            note=f"{drain_note}; fclocal {run_cpu.used['fclocal'] * 1000 / max(submitted, 1):.2f} ms per call",
        )
    )
    rows.append(
        Row(
            "floor",
            f"CPU per PostgreSQL round trip (SELECT 1 through Django's cursor), {ROUND_TRIP_THREADS} threads of one process",
            many[0],
            "us",
            baseline="the same from 1 thread",
            baseline_value=one[0],
            note=f"of which system (kernel) time {many[1]:.0f} us against {one[1]:.0f}; "
            f"{many[2]:.1f} voluntary context switches per statement against {one[2]:.1f}; "
            f"{ROUND_TRIP_STATEMENTS:,} statements per thread, connections held",
        )
    )
    return rows + latency_rows


def _one_client(ctx, web, team, fclocal, phases: dict[str, str]) -> list[Row]:
    """p50 of one client's calls, interleaved: the direct FCClient call, each floor endpoint, and
    the console's `?wait` call (the worker running). Each row is compared with the direct call."""
    n = ctx.scale("FLOOR_LATENCY_SAMPLES", 300)
    warmup = 30
    api = console.ConsoleApi(web.url, team)
    direct = console.direct_client(fclocal.url)

    def console_call():
        result = api.invoke(wait=30)
        if result["state"] != "succeeded":
            raise RuntimeError(f"console invocation ended {result['state']}: {result['state_reason']}")

    calls = {
        "direct FCClient call": lambda: direct.invoke(console.SERVICE, console.NOOP, b""),
        **{name: _poster(api, path) for name, path in phases.items()},
        "the console's call, POST /api/v1/invocations/?wait=30": console_call,
    }
    timings = interleaved_samples(calls, n, warmup)
    api.close()
    direct_p50 = percentile(timings.pop("direct FCClient call"), 50)
    return [
        Row(
            "floor",
            f"one client's p50: {name}",
            percentile(samples, 50),
            "ms",
            baseline="direct FCClient p50, same run",
            baseline_value=direct_p50,
            note=f"{sample_note(n, warmup)} each, interleaved; the web: gunicorn 2 x {CLIENTS} threads",
        )
        for name, samples in timings.items()
    ]


def _poster(api: console.ConsoleApi, path: str):
    """A call that POSTs the API's invoke request body to `path` on `api`'s session and expects 201."""
    body = {
        "profile": api.team.profile_name,
        "service": console.SERVICE,
        "function": console.NOOP,
        "event": "",
    }

    def call():
        response = api.session.post(f"{api.base_url}{path}", json=body, timeout=30)
        if response.status_code != 201:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:200]}")

    return call


ROUND_TRIP_THREADS = 16
ROUND_TRIP_STATEMENTS = 500


def _round_trip_cpu(threads: int) -> tuple[float, float, float]:
    """(CPU us, system CPU us, voluntary context switches) per `SELECT 1` from `threads` threads of
    this process at once: what waiting on the server costs a process whose threads share the GIL,
    as gunicorn's and the worker's do."""
    import resource
    import threading

    from django.db import connection

    def loop():
        try:
            for _ in range(ROUND_TRIP_STATEMENTS):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                    cursor.fetchone()
        finally:
            connection.close()

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    before = resource.getrusage(resource.RUSAGE_SELF)
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    n = threads * ROUND_TRIP_STATEMENTS
    system = after.ru_stime - before.ru_stime
    return (
        (after.ru_utime - before.ru_utime + system) * 1e6 / n,
        system * 1e6 / n,
        (after.ru_nvcsw - before.ru_nvcsw) / n,
    )
