"""`python -m bench [NAME ...]` (or `make bench`): run the benchmarks, print the table, record it.

The run gets its own PostgreSQL database (created here, dropped at the end), its own Redis key
prefix, and its own work directory under var/bench/ for process logs, EXPLAIN plans and profiles.
Scale comes from BENCH_* variables (see bench/README.md); the entry appended to bench/RESULTS.md
says which were used, what the machine is, and how busy it was.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

# Order matters only for reuse: history generates the rows export_bench reads.
BENCHMARKS = [
    "history",
    "export_bench",
    # After the export: the rows in flight it adds are not part of the generated history.
    "home",
    "fclocal_bench",
    "invoker_vs_sdk",
    "invoker3_vs_sdk",
    "console_latency",
    "hops",
    "throughput",
    "concurrency",
    "async_tracking",
    "audit_append",
    "batch_submit",
    "floor",
]


def _configure_environment(db_url: str) -> None:
    """Before Django loads settings: our database, our Redis key space, production-like flags."""
    os.environ.setdefault("FCCONSOLE_ENV", "test")
    os.environ["DATABASE_URL"] = db_url
    os.environ["CELERY_KEY_PREFIX"] = f"fcconsole-bench-{uuid.uuid4().hex[:8]}:"
    # DEBUG keeps every SQL query in memory and renders slower; a server would not run with it.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcconsole.settings")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"some of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database for inspection")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}"
        )
    names = args.names or BENCHMARKS

    db_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fcconsole_bench_harness"
    )
    _configure_environment(db_url)

    from bench import database
    from bench.common import Row, RunInfo, Skip, append_results, busy_processes, load_average, machine, table
    from bench.context import Context

    info = RunInfo(machine=machine())
    database.recreate(db_url)
    import django

    django.setup()
    from django.conf import settings

    workdir = settings.VAR_DIR / "bench" / info.started.strftime("%Y%m%dT%H%M%S")
    workdir.mkdir(parents=True, exist_ok=True)
    database.migrate()
    ctx = Context(workdir)
    rows: list[Row] = []
    try:
        for name in names:
            load_before, busy = load_average(), busy_processes()
            started = time.monotonic()
            try:
                module = importlib.import_module(f"bench.{name}")
                print(f"\n== {name}: {module.TITLE}", flush=True)
                got = module.run(ctx)
            except Skip as skip:
                got = [Row(name, "skipped", None, note=str(skip))]
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
                traceback.print_exc()
                got = [Row(name, "failed", None, note=f"{type(exc).__name__}: {exc}"[:300])]
            took = time.monotonic() - started
            info.load.append(
                f"{name} ({took:.0f} s): load {load_before:.1f} -> {load_average():.1f}; "
                f"busy: {', '.join(busy) or 'nothing else'}"
            )
            print(table(got), flush=True)
            rows += got
    finally:
        ctx.stop_all()
        database.close()
        if not args.keep_db:
            database.drop(db_url)
        database.forget_redis_keys(os.environ["CELERY_KEY_PREFIX"])

    info.scale = ctx.scale_used
    info.notes = ctx.notes
    print(f"\n== all ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n{table(rows)}")
    print(f"work directory (logs, plans, profiles): {workdir}")
    if not args.no_record:
        append_results(rows, info)
        print("appended to bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
