"""Submits per second from N threads against PostgreSQL, where every submit appends to the audit trail.

Issue 14 (finding 7): every submit appended to the chain under one advisory lock shared by all
submits, held until its transaction committed. The trail now signs each entry on its own and a
sealer links them later, so submits should not queue on each other. Measured in-process (no web
server, no broker): `Invocation.objects.submit(..., enqueue=False)` (row + audit entry, one
transaction), and `audit.record()` alone, each from 1 thread (the baseline) and from N threads,
for a fixed time. After the run the trail is checked: one entry per call, chain intact.

Runs unchanged on the commit before the change (for the "before" figures: copy this file into a
worktree of that commit and list it in its bench/__main__.py).
"""

from __future__ import annotations

import threading
import time

from bench.common import Row, percentile

TITLE = "audit append: submits/s from N threads, each writing its audit entry (PostgreSQL)"


def _phase(fn, threads: int, seconds: float) -> tuple[int, list[float], list[Exception]]:
    from django.db import connections

    start, stop = threading.Barrier(threads + 1), time.monotonic() + 3600
    done, latencies, errors = [0] * threads, [[] for _ in range(threads)], []

    def loop(i):
        try:
            fn(i, 0)  # warm-up: a connection from the pool, caches; not counted
            start.wait()
            n = 0
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                fn(i, n)
                latencies[i].append((time.perf_counter() - t0) * 1000)
                n += 1
            done[i] = n
        except Exception as exc:  # noqa: BLE001 - reported in the row
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    stop = time.monotonic() + 3600
    start.wait()
    stop = time.monotonic() + seconds
    for worker in workers:
        worker.join()
    return sum(done), [ms for per in latencies for ms in per], errors


def run(ctx) -> list[Row]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    import audit
    from audit.models import AuditEntry
    from invocations.models import CredentialProfile, Invocation, Membership, Role

    threads = ctx.scale("AUDIT_THREADS", 16)
    seconds = ctx.scale("AUDIT_SECONDS", 10)
    user = get_user_model().objects.create_user("bench-audit", "a@example.com", "bench-password")
    Membership.objects.create(user=user, role=Role.INVOKER)
    profile = CredentialProfile(
        name="bench-audit", account_id="1234567890123456", access_key_id="LTAIbenchaudit", all_invokers=True
    )
    profile.set_secret("bench-secret-not-used")
    profile.save()

    def submit(i, n):
        Invocation.objects.submit(
            user=user, profile=profile, region="cn-hangzhou", service="demo", function="hello",
            event=b'{"bench": true}', source="api", enqueue=False,
        )  # fmt: skip

    def record(i, n):
        audit.record("bench.append", after={"thread": i, "n": n})

    rows, counted = [], 0
    for name, fn in (("submit", submit), ("audit.record alone", record)):
        single, single_ms, errors1 = _phase(fn, 1, seconds)
        many, many_ms, errors_n = _phase(fn, threads, seconds)
        counted += single + many + 1 + threads  # + warm-up calls
        errors = errors1 + errors_n
        base_rate, rate = single / seconds, many / seconds
        rows.append(
            Row(
                "audit_append",
                f"{name}: calls/s, {threads} threads x {seconds} s",
                rate,
                "/s",
                baseline=f"1 thread, same run ({base_rate:.0f}/s)",
                baseline_value=base_rate,
                note=(
                    f"{many} calls; p50 {percentile(many_ms, 50):.1f} ms, p95 {percentile(many_ms, 95):.1f} ms per call "
                    f"(1 thread: p50 {percentile(single_ms, 50):.1f} ms); warm-up calls not counted"
                    + (f"; {len(errors)} errors, first: {errors[0]!r}"[:200] if errors else "")
                ),
            )
        )

    # Nothing lost, nothing forked: one entry per call, and the chain checks (sealing first where
    # the tree has a sealer: the "after" tree links entries at checkpoints, not when written).
    try:
        from audit import digests, verification

        # The run's own digest file: the bench database is new each run, a shared file would not match it.
        settings.AUDIT_DIGEST_DIR = ctx.workdir / "audit-digests"
        digests.checkpoint()
        report = verification.run()
        intact = report.intact
        verdict = (
            "intact"
            if intact
            else f"TAMPERED: {[c.text for c in report.checks if c.status == verification.FAIL]}"
        )
    except ImportError:
        from audit.chain import verify

        intact = verify().intact
        verdict = "intact" if intact else "BROKEN"
    entries = AuditEntry.objects.filter(action__in=["invocation.submitted", "bench.append"]).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    rows.append(
        Row(
            "audit_append",
            "trail after the run: entries / calls",
            entries,
            "",
            baseline="calls made (incl. warm-up)",
            baseline_value=counted,
            note=f"trail {verdict} (verify); {pg}"[:400],
        )
    )
    return rows
