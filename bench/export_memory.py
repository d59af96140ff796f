"""History export benchmark: streamed CSV / JSON Lines against a naive list-building export.

    FCCONSOLE_ENV=test .venv/bin/python bench/export_memory.py [--rows 100000] [--no-record]

Creates a throw-away PostgreSQL database (test_<name of DATABASE_URL's database>), bulk-creates
N invocations with payloads (commas, quotes, newlines, non-ASCII, one in ten binary), then exports
them with payloads four ways, each in its own process so peak memory is that export's alone:

- stream-csv / stream-jsonl: GET /team/history.{csv,jsonl}?payload=1 through the real view,
  consuming the streamed body chunk by chunk;
- naive-csv / naive-jsonl: the baseline: list(queryset), then the whole body built in memory.

Per variant: wall time (fastest of --repeat runs without tracing, taken in rounds over the
variants), peak RSS growth over the process's state before the export (VmHWM), and peak traced
Python allocations (tracemalloc, one more run).
Results print as a table and are appended to bench/RESULTS.md with the command and machine.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fcconsole.settings")
os.environ.setdefault("FCCONSOLE_ENV", "test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fcconsole_bench")

VARIANTS = ["stream-csv", "stream-jsonl", "naive-csv", "naive-jsonl"]
USERNAME = "bench-admin"


def _setup():
    import django

    django.setup()


# --- one export, in a child process -------------------------------------------------------------


def _stream(fmt: str) -> int:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=USERNAME))
    response = client.get(f"/team/history.{fmt}?payload=1")
    assert response.streaming and response.status_code == 200
    return sum(len(chunk) for chunk in response.streaming_content)


def _naive(fmt: str) -> int:
    """What an export looks like without streaming: every row in a list, the body in one string."""
    from invocations.exports import _cell
    from invocations.history import rows as history
    from invocations.models import Invocation

    queryset = Invocation.objects.select_related("user", "profile", "rerun_of", "stopped_by")
    invocations = list(queryset.order_by("created_at", "id"))
    rows = [invocation.to_dict() for invocation in invocations]
    out = io.StringIO()
    if fmt == "csv":
        columns = history.columns(True)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
    return len(out.getvalue().encode())


def measure(variant: str, traced: bool) -> dict:
    _setup()
    from django.db import connection

    kind, fmt = variant.split("-")
    export = _stream if kind == "stream" else _naive
    connection.ensure_connection()
    rss_before = _peak_rss()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    size = export(fmt)
    seconds = time.perf_counter() - started
    result = {"variant": variant, "bytes": size, "seconds": seconds}
    if traced:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        result["rss_growth"] = _peak_rss() - rss_before
    return result


def _peak_rss() -> int:
    """This process's peak resident memory in bytes (VmHWM: unlike ru_maxrss, not inherited from
    the parent that started us)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


# --- the run: database, rows, four variants, report ---------------------------------------------


def _payload(i: int) -> tuple[bytes, bytes]:
    if i % 10 == 0:
        return os.urandom(96), b"\x00\xff" * 40
    event = json.dumps(
        {"id": i, "note": f'line one, "quoted"\nline two: ünïcödé ✓ #{i}', "items": list(range(8))}
    )
    return event.encode(), f'{{"ok": true, "echo": "{i}, done"}}'.encode()


def create_rows(n: int) -> None:
    from django.contrib.auth import get_user_model

    from invocations.models import CredentialProfile, Invocation, Membership, Role

    user = get_user_model().objects.create_user(USERNAME, "bench@example.com", "unused-password-1")
    Membership.objects.create(user=user, role=Role.ADMIN)
    profile = CredentialProfile(name="bench", account_id="1234567890123456", access_key_id="LTAIbenchKey")
    profile.set_secret("bench-secret")
    profile.save()
    batch = 5000
    for start in range(0, n, batch):
        rows = []
        for i in range(start, min(n, start + batch)):
            event, body = _payload(i)
            rows.append(
                Invocation(
                    user=user,
                    profile=profile,
                    region="cn-hangzhou",
                    service="demo",
                    function=f"fn-{i % 50}",
                    event=event,
                    state="succeeded",
                    http_status=200,
                    request_id=f"req-{i:08d}",
                    response_body=body,
                    response_headers={"X-Fc-Request-Id": f"req-{i:08d}"},
                    log_tail=f"FC Invoke Start RequestId: req-{i:08d}\nDuration: 1.23 ms, Memory Size: 128 MB",
                    duration_ms=1.23,
                    memory_size_mb=128,
                )
            )
        Invocation.objects.bulk_create(rows)
    # Steady state, as a table that has lived a while: hint bits set and statistics current, so the
    # first variant measured does not pay for the freshly written rows.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {Invocation._meta.db_table}")


def _child(variant: str, traced: bool, env: dict) -> dict:
    command = [sys.executable, __file__, "--measure", variant] + (["--traced"] if traced else [])
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=1800)
    if out.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _mib(n: float) -> str:
    return f"{n / 1048576:.1f} MiB"


def run(rows: int, repeat: int, record: bool) -> None:
    _setup()
    from django.db import connection

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        create_rows(rows)
        print(f"created {rows} invocations in {time.perf_counter() - started:.1f} s", flush=True)
        db = connection.settings_dict
        env = dict(
            os.environ, DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{test_db}"
        )
        # Rounds over all variants rather than all runs of one variant then the next: a machine
        # whose load changes meanwhile then weighs on every variant alike. Fastest run counts.
        runs: dict[str, list[dict]] = {variant: [] for variant in VARIANTS}
        for _ in range(repeat):
            for variant in VARIANTS:
                runs[variant].append(_child(variant, False, env))
        results = []
        for variant in VARIANTS:
            timed = min(runs[variant], key=lambda r: r["seconds"])
            timed["rss_growth"] = max(r["rss_growth"] for r in runs[variant])
            timed["traced_peak"] = _child(variant, True, env)["traced_peak"]
            results.append(timed)
            print(
                f"{variant:13} {timed['seconds']:7.2f} s  {_mib(timed['bytes']):>11} out  "
                f"RSS +{_mib(timed['rss_growth']):>10}  traced peak {_mib(timed['traced_peak']):>10}",
                flush=True,
            )
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    if record:
        _append_results(rows, repeat, results)


def _append_results(rows: int, repeat: int, results: list[dict]) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    if not path.exists():
        path.write_text(
            "# Benchmark results\n\nDated sections, newest last; each says how it was run and on what.\n"
        )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    lines = [
        "",
        f"## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC — history export, {rows:,} rows with payloads",
        "",
        f"Command: `FCCONSOLE_ENV=test .venv/bin/python bench/export_memory.py --rows {rows}` "
        f"(PostgreSQL at 127.0.0.1, Python {platform.python_version()})  ",
        f"Machine: {os.cpu_count()} CPUs (nproc), {memory_kib / 1048576:.1f} GiB memory, {platform.machine()}; "
        f"load average at the end {os.getloadavg()[0]:.1f} (other work was running)",
        "",
        "| export | wall time | output | peak RSS growth | peak traced Python memory |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['variant']} | {r['seconds']:.2f} s | {_mib(r['bytes'])} | {_mib(r['rss_growth'])} | {_mib(r['traced_peak'])} |"
        )
    lines += [
        "",
        "stream-*: the real view (`/team/history.*?payload=1`), `.iterator(chunk_size=1000)` on a server-side "
        "cursor, body consumed chunk by chunk. naive-*: `list(queryset)` and the whole body in one string "
        f"(the baseline). Wall time: fastest of {repeat} runs without tracing, taken in rounds over the "
        "four variants so changing load weighs on all alike; RSS growth: largest of "
        "those runs (VmHWM over the process before the export); traced memory: one more run under tracemalloc.",
    ]
    with path.open("a") as f:
        f.write("\n".join(lines) + "\n")
    print(f"appended to {path.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="untraced runs per variant (fastest counts)")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    parser.add_argument("--measure", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.traced)))
    else:
        run(args.rows, args.repeat, record=not args.no_record)


if __name__ == "__main__":
    main()
