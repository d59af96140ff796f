"""Starting a suite run (one ordinary invocation per check) and finishing it (verdicts, signal).

Start: the run row and one `SuiteRunCheck` per check are written with their invocations, each
submitted through `Invocation.objects.submit` like any other (same checks, row first, the pk
to the queue after commit), so every check is in the history with its source. The checks are
independent: all are submitted at once and the workers run them in parallel. A check the
console refuses (no such profile or saved event, no permission) is recorded `not_run` with why.

Finish: once every invocation of a run is terminal, `finish_if_done` judges each check, writes
the verdicts and the run's, and announces `signals.run_finished` after commit. The periodic task
(`suites.tick`) calls it for every running run, so a verdict never waits for someone to watch;
the run page's poll and the CLI call it too, to get it sooner. The row lock and the `running`
condition make it happen once whoever gets there first.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from invocations import activity, jsontext
from invocations.models import CredentialProfile, Invocation
from invocations.models.states import Source
from savedevents.models import SavedEvent, Visibility
from suites import expectations, signals
from suites.models import CheckVerdict, RunState, Suite, SuiteRun, SuiteRunCheck

log = logging.getLogger(__name__)

# The invocation rows' own vocabulary has no "schedule": scheduled checks are recorded as
# automation (the REST API's source), and the run says it came from the schedule.
INVOCATION_SOURCE = {"web": Source.WEB, "api": Source.API, "cli": Source.CLI, "schedule": Source.API}


class NotRunnable(Exception):
    """A check the console cannot send as it stands (its reason is shown on the run)."""


def _profile(check: dict, override: str) -> CredentialProfile:
    name = override or check.get("profile") or ""
    if not name:
        raise NotRunnable("the check names no credential profile; choose one for the run")
    try:
        return CredentialProfile.objects.get(name=name)
    except CredentialProfile.DoesNotExist:
        raise NotRunnable(f"there is no credential profile named {name!r}") from None


def saved_event(user, name: str) -> SavedEvent | None:
    """The saved event `user` means by `name`: their own first, then the team's."""
    rows = SavedEvent.objects.visible_to(user).filter(name=name)
    return rows.filter(owner=user).first() or rows.filter(visibility=Visibility.TEAM).first()


def _event(check: dict, user) -> bytes:
    if "saved" in check["event"]:
        event = saved_event(user, check["event"]["saved"])
        if event is None:
            raise NotRunnable(f"there is no saved event named {check['event']['saved']!r} that you can see")
        return event.payload()
    return check["event"]["text"].encode()


def _submission(check: dict, user, profile_override: str) -> dict:
    event = _event(check, user)
    http_request = None
    if check["http"]:
        try:
            http_request = jsontext.loads(event or b"{}")
        except ValueError:
            http_request = None
        if not isinstance(http_request, dict):
            raise NotRunnable(
                "an HTTP check's event is a JSON object: {method, path, headers, queries, body}"
            )
        event = b""
    return {
        "profile": _profile(check, profile_override),
        "region": check["region"],
        "service": check["service"],
        "function": check["function"],
        "qualifier": check["qualifier"],
        "event": event,
        "http_request": http_request,
        "invocation_type": check["invocation_type"],
    }


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "permission denied"


def start(
    suite: Suite,
    user,
    *,
    source: str,
    profile_override: str = "",
    schedule=None,
    slot=None,
    enqueue: bool = True,
) -> SuiteRun:
    """Write the run and submit its checks (sent to the queue once the caller's transaction commits).

    `enqueue=False` (the CLI) sends nothing: the caller executes the invocations itself.
    """
    with transaction.atomic():
        run = SuiteRun.objects.create(
            suite=suite,
            suite_version=suite.version,
            user=user,
            source=source,
            profile_override=profile_override,
            schedule=schedule,
            slot=slot,
        )
        for position, check in enumerate(suite.checks, 1):
            row = SuiteRunCheck(run=run, position=position, spec=check)
            try:
                with transaction.atomic():
                    row.invocation = Invocation.objects.submit(
                        user=user,
                        source=INVOCATION_SOURCE[source],
                        enqueue=enqueue,
                        **_submission(check, user, profile_override),
                    )
            except (NotRunnable, ValidationError, PermissionDenied) as exc:
                row.verdict, row.reason = CheckVerdict.NOT_RUN, _why(exc)
            row.save()
        activity.record(
            "suite.run",
            actor=user,
            obj=suite,
            after={
                "run": str(run.uuid),
                "version": suite.version,
                "source": source,
                "checks": len(suite.checks),
            },
        )
        if not run.run_checks.filter(verdict=CheckVerdict.PENDING).exists():
            finish_if_done(run.pk)  # nothing was sent: nothing to wait for
    return run


def outcome_of(invocation: Invocation) -> expectations.Outcome:
    return expectations.Outcome(
        state=invocation.state,
        error_type=invocation.error_type,
        body=bytes(invocation.response_body or b""),
        duration_ms=invocation.duration_ms,
        max_memory_mb=invocation.max_memory_used_mb,
        log_tail=invocation.log_tail,
        http_status=invocation.http_status,
        reason=invocation.state_reason or invocation.error_message,
    )


def finish_if_done(run_pk: int) -> bool:
    """Judge and close the run if all its invocations have ended; True when this call closed it."""
    with transaction.atomic():
        run = (
            SuiteRun.objects.select_for_update(skip_locked=True)
            .filter(pk=run_pk, state=RunState.RUNNING)
            .first()
        )
        if run is None:
            return False
        checks = list(run.run_checks.select_related("invocation"))
        if any(
            c.verdict == CheckVerdict.PENDING and c.invocation and not c.invocation.is_terminal
            for c in checks
        ):
            return False
        for check in checks:
            if check.verdict != CheckVerdict.PENDING:
                continue
            if check.invocation is None:
                check.verdict, check.reason = (
                    CheckVerdict.FAILED,
                    "its invocation is no longer in the history",
                )
            else:
                judged = expectations.judge(check.spec["expect"], outcome_of(check.invocation))
                check.judgements = [j.to_dict() for j in judged]
                check.verdict = CheckVerdict.PASSED if all(j.passed for j in judged) else CheckVerdict.FAILED
            check.save(update_fields=["verdict", "judgements", "reason"])
        previous = (
            SuiteRun.objects.filter(suite_id=run.suite_id, state=RunState.FINISHED)
            .order_by("-finished_at", "-id")
            .values_list("passed", flat=True)
            .first()
        )
        run.passed = bool(checks) and all(c.verdict == CheckVerdict.PASSED for c in checks)
        run.state, run.finished_at = RunState.FINISHED, timezone.now()
        run.save(update_fields=["passed", "state", "finished_at"])
        passed = run.passed
        transaction.on_commit(lambda: _announce(run_pk, passed, previous))
    return True


def _announce(run_pk: int, passed: bool, previous_passed: bool | None) -> None:
    run = SuiteRun.objects.select_related("suite", "user", "schedule").get(pk=run_pk)
    for receiver, answer in signals.run_finished.send_robust(
        sender=SuiteRun, run=run, passed=passed, previous_passed=previous_passed
    ):
        if isinstance(answer, Exception):
            log.error("suite run %s: receiver %r failed: %r", run.uuid, receiver, answer)


def finish_ready() -> int:
    """Close every run whose invocations have all ended (the periodic task); returns how many."""
    pending = SuiteRun.objects.filter(state=RunState.RUNNING).values_list("pk", flat=True)
    return sum(finish_if_done(pk) for pk in list(pending))
