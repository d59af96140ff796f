"""`manage.py run_suite NAME`: run a suite from a script or CI, and wait for its verdict.

Each check is recorded like any invocation (source cli) and run in this process by the worker's
own runner, in parallel threads: no broker or worker needed for sync checks. Async checks are
followed to their end by the scheduler's tracker, as `manage.py invoke`'s are; this command waits
for them up to --wait seconds. Exit status: 0 every check passed, 1 otherwise (or the run did
not finish in time), 64 usage error.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from invocations.access import require_role
from invocations.lifecycle import run as runner
from invocations.lifecycle import wakeups
from invocations.management.users import resolve_user
from invocations.models import Invocation, InvocationState, Role
from suites import junit, runs
from suites.models import CheckVerdict, Suite, SuiteRun

EXIT_USAGE = 64


class Command(BaseCommand):
    help = (
        "Run the suite NAME (yours, else the team's), print a verdict per check, and exit 0 when every "
        "check passed, 1 otherwise. --junit FILE writes a JUnit XML report for CI."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="suite name")
        parser.add_argument("--profile", default="", help="credential profile for every check")
        parser.add_argument("--junit", default="", metavar="FILE", help="write a JUnit XML report here")
        parser.add_argument(
            "--as-user", default="", help="console user who runs it (default: the suite's owner)"
        )
        parser.add_argument("--wait", type=float, default=600, help="seconds to wait for async checks")

    def handle(self, *args, **options):
        suite, user = self.resolve(options["name"], options["as_user"])
        try:
            require_role(user, Role.INVOKER)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "Permission denied.", returncode=EXIT_USAGE) from None
        run = runs.start(suite, user, source="cli", profile_override=options["profile"], enqueue=False)
        pending = list(
            run.run_checks.filter(verdict=CheckVerdict.PENDING).values_list("invocation_id", flat=True)
        )
        with ThreadPoolExecutor(max_workers=min(8, len(pending) or 1)) as pool:
            list(pool.map(_execute, pending))
        run = self.wait(run, options["wait"])
        self.report(run)
        if options["junit"]:
            Path(options["junit"]).write_bytes(junit.report(run))
        if not run.passed:
            raise SystemExit(1)

    def resolve(self, name: str, username: str):
        if username:
            user = resolve_user(username)
            suite = Suite.objects.named(user, name)
        else:
            candidates = list(Suite.objects.alive().filter(name=name).select_related("owner")[:2])
            suite = candidates[0] if len(candidates) == 1 else None
            user = suite.owner if suite else None
            if len(candidates) > 1:
                raise CommandError(
                    f"More than one suite is named {name!r}: say whose with --as-user.", returncode=EXIT_USAGE
                )
        if suite is None:
            raise CommandError(f"No suite named {name!r}.", returncode=EXIT_USAGE)
        return suite, user

    def wait(self, run: SuiteRun, seconds: float) -> SuiteRun:
        deadline = time.monotonic() + seconds
        while not runs.finish_if_done(run.pk):
            run.refresh_from_db()
            if run.is_finished or time.monotonic() > deadline:
                break
            pk = (
                run.run_checks.exclude(invocation=None)
                .filter(verdict=CheckVerdict.PENDING)
                .first()
                .invocation_id
            )
            ended = Invocation.objects.filter(pk=pk, state__in=InvocationState.terminal())

            def over(outcome, ended=ended) -> bool:
                # The outcome a wake-up may carry is not needed: the row's state is asked for.
                return ended.exists()

            wakeups.wait(pk, over, min(5.0, max(deadline - time.monotonic(), 0)))
        run.refresh_from_db()
        return run

    def report(self, run: SuiteRun) -> None:
        for check in run.run_checks.all():
            mark = {"passed": "PASS", "failed": "FAIL", "not_run": "NOT RUN"}.get(
                check.verdict, check.verdict.upper()
            )
            self.stdout.write(f"{mark:8} {check.name}")
            for judgement in check.failed_judgements:
                self.stdout.write(f"         expected: {judgement['text']}: {judgement['detail']}")
            if check.reason:
                self.stdout.write(f"         {check.reason}")
        self.stdout.write(f"{run.suite.name}: {run.verdict}")


def _execute(invocation_pk: int) -> None:
    try:
        runner.execute(invocation_pk, retry_inline=True)
    finally:
        connection.close()
