"""How many sync invocations one Celery worker process holds in flight, and at what DB cost.

Starts fclocal and ONE worker (`-P threads -c <concurrency>`, as in the Procfile) against a
fresh PostgreSQL database, submits N invocations of `slow` (each sleeps `--seconds`) through
`Invocation.objects.submit`, and samples the rows in `running` and the worker's PostgreSQL
connections until all end. `--record` appends a dated section to bench/RESULTS.md.

    FCCONSOLE_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/fcconsole_bench \\
        .venv/bin/python -m bench.worker_in_flight -n 1000 --seconds 60 --record

`slow` has a 120 s function timeout in examples/s.yaml: keep --seconds below it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import django
import psycopg

from bench import database

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcconsole.settings")


def start(
    cmd: list[str], log: Path, env: dict, ready: re.Pattern, wait: float = 60
) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = ready.search(log.read_text(errors="replace"))
        if found:
            return proc, found.group(found.lastindex or 0)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{cmd[2]} did not start: see {log}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000, help="invocations to submit")
    parser.add_argument("--seconds", type=float, default=20, help="how long each one runs in fclocal")
    parser.add_argument("--concurrency", type=int, default=1000, help="worker threads")
    parser.add_argument("--submitters", type=int, default=8, help="threads submitting")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    database.recreate(url)  # refuses a non-fcconsole_bench* name or a database in use
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from invocations.models import CredentialProfile, Invocation, Membership, Role

    tmp = Path(tempfile.mkdtemp(prefix="bench-in-flight-"))
    env = dict(os.environ)
    fclocal, fc_url = start(
        [sys.executable, "-m", "fclocal", "serve", "--config", "examples/s.yaml", "--port", "0",
         "--state-dir", str(tmp / "fclocal"), "--max-instances", "10"],
        tmp / "fclocal.log", env, re.compile(r"fclocal listening on (http://\S+)"),
    )  # fmt: skip
    # Named, so its PostgreSQL connections can be told from this script's.
    worker_env = {**env, "DATABASE_URL": f"{url}?application_name=bench-worker"}
    worker, _ = start(
        [sys.executable, "-m", "celery", "-A", "fcconsole", "worker", "-P", "threads",
         "-c", str(args.concurrency), "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        tmp / "worker.log", worker_env, re.compile(r"(fcconsole worker: )"),
    )  # fmt: skip
    time.sleep(3)  # the worker connects to the broker after its start-up banner
    try:
        user = get_user_model().objects.create_user("bench")
        Membership.objects.create(user=user, role=Role.ADMIN)
        profile = CredentialProfile(
            name="bench", account_id="1234567890123456", access_key_id="LTAIfclocalDemoKey", endpoint=fc_url
        )
        profile.set_secret("fclocal-demo-secret-do-not-use")
        profile.save()

        started = time.monotonic()
        event = f'{{"seconds": {args.seconds}}}'

        def submit(_):
            Invocation.objects.submit(
                user=user, profile=profile, region="cn-hangzhou", service="demo", function="slow",
                event=event, client_timeout=int(args.seconds) + 60,
            )  # fmt: skip
            connection.close()

        # Several submitters, as several web processes would be: one alone waits on each commit.
        pool = ThreadPoolExecutor(args.submitters)
        submitting = [pool.submit(submit, i) for i in range(args.n)]
        submitted = None

        name = url.rsplit("/", 1)[1]
        peak_running = peak_connections = 0
        with psycopg.connect(url, autocommit=True) as conn:
            # Sampled from the first submit on: the worker's busiest database time is claiming.
            while True:
                if submitted is None and all(f.done() for f in submitting):
                    submitted = time.monotonic() - started
                running = conn.execute(
                    "SELECT count(*) FROM invocations_invocation WHERE state = 'running'"
                ).fetchone()[0]
                connections = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                    [name, "bench-worker"],
                ).fetchone()[0]
                peak_running = max(peak_running, running)
                peak_connections = max(peak_connections, connections)
                active = conn.execute(
                    "SELECT count(*) FROM invocations_invocation WHERE state IN ('queued', 'running')"
                ).fetchone()[0]
                if submitted is not None and not active:
                    break
                if time.monotonic() - started > args.seconds * 10 + 120:
                    break
                time.sleep(0.25)
        pool.shutdown()
        for future in submitting:
            future.result()  # a submit that failed fails the benchmark
        total = time.monotonic() - started
        states = Counter(Invocation.objects.values_list("state", flat=True))
    finally:
        worker.terminate()
        fclocal.terminate()
        worker.wait(30)
        fclocal.wait(30)

    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — one worker process: sync invocations in flight",
        "",
        f"`python -m bench.worker_in_flight -n {args.n} --seconds {args.seconds:g} "
        f"--concurrency {args.concurrency}` on {platform.node()} ({os.cpu_count()} CPUs), "
        "one worker process `-P threads`, fclocal `slow` (10 instances x concurrency 100), PostgreSQL.",
        "",
        f"- submitted {args.n} ({args.submitters} threads) in {submitted:.1f} s; "
        f"all ended after {total:.1f} s: {dict(states)}",
        f"- peak rows `running` at once: {peak_running}",
        f"- peak PostgreSQL connections of the worker process: {peak_connections}",
        "",
    ]
    print("\n".join(lines))
    if args.record:
        with (ROOT / "bench" / "RESULTS.md").open("a") as f:
            f.write("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
