"""Executes one invocation: claim the row, call FC, write back what came.

Used by the Celery task and in-process by the CLI. The flow and end states are DESIGN.md
"One invocation, end to end"; the mapping of answers to states is `outcomes`.

Database connections: no connection is held while waiting on FC (see `db`).

The database away (refused, restarted, the pool's checkout timed out): a claim that fails raises
DatabaseUnavailable, and the task tries again later (nothing was sent to FC; the claim runs a row
once however often it is tried). A result that comes while the database is away is kept in this
thread and written once it is back, for as long as the row waits for it (FC_RUNNING_GRACE, after
which the sweep ends it unknown).

Retries: a call FC surely did not run (connection refused, 429/503 throttling) goes back to
`queued` with the reason and a delay (RetryLater); the row is not running while it waits, and
the sweep re-sends it if the retry message is lost. A sync call that may have reached FC is never
retried. An async send may be: it carries its task id, and FC refuses a duplicate
(`StatefulAsyncInvocationAlreadyExists`), which a repeated send reads as "already sent".
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone

from fcconsole.outages import DATABASE_AWAY
from fcconsole.redaction import error_line
from invocations.crypto import DecryptionError
from invocations.fc import backoff, http_trigger
from invocations.fc.errors import FCError
from invocations.lifecycle import claims, outcomes
from invocations.lifecycle.db import database
from invocations.models import Invocation, InvocationState

log = logging.getLogger(__name__)

# What the database being away raises (fcconsole/outages.py). The claims' own copy of a shared
# statement's error has the same class (claims.py); ClaimInterrupted left it unanswered.
UNREACHABLE = (*DATABASE_AWAY, claims.ClaimInterrupted)
# Seconds between two tries to write a result while the database is away (fc/backoff.py: doubling
# from the first, capped, with jitter so that threads do not all come back at once).
WRITE_RETRY_BASE, WRITE_RETRY_CAP = 0.5, 5.0


class RetryLater(Exception):
    """FC did not run the call and it is safe to try again after `delay` seconds."""

    def __init__(self, delay: float, reason: str):
        super().__init__(reason)
        self.delay = delay
        self.reason = reason


class DatabaseUnavailable(Exception):
    """The row could not be claimed: the database was away, or the thread making the claim for
    several was interrupted (claims.ClaimInterrupted). Nothing was sent to FC."""

    def __init__(self, pk: int, error: BaseException):
        if isinstance(error, claims.ClaimInterrupted):
            # Not the database: the log must not send whoever reads it to look there.
            why = "its claim was interrupted (the thread making it for several threads stopped)"
        else:
            why = f"database unreachable at its claim ({error_line(error)})"
        super().__init__(f"invocation {pk}: {why}")


class ResultNotStored(Exception):
    """FC answered, but the database stayed away for FC_RUNNING_GRACE: the answer is not stored
    and the sweep ends the row `unknown`. The database's error is the cause."""


def execute(pk: int, *, retry_inline: bool = False, reload: bool = True) -> Invocation | None:
    """Run the invocation with primary key `pk` once, and return the row as it ends up.

    A row that is not `queued` (already claimed by someone else) is returned untouched; one
    that does not exist (a message outliving its row) gives None.
    Raises RetryLater when FC did not run it and it should be tried again later, unless
    `retry_inline` (the CLI), which sleeps and tries again in this thread; DatabaseUnavailable
    when the row could not be claimed for the database being away; ResultNotStored when FC
    answered and the database stayed away. The database away at any other step raises its own
    error (DATABASE_AWAY): whether FC was called is then not known here.
    `reload=False` (the Celery task, which returns nothing) spares reading the row back.
    """
    while True:
        try:
            return _execute_once(pk, reload=reload)
        except RetryLater as later:
            if not retry_inline:
                raise
            time.sleep(later.delay)


def _execute_once(pk: int, *, reload: bool) -> Invocation | None:
    # Claimed together with the claims other threads make at the same moment (see `claims`).
    try:
        invocation = claims.claim(pk)
    except UNREACHABLE as exc:
        raise DatabaseUnavailable(pk, exc) from exc
    with database():
        if invocation is None:
            log.info("invocation %s: nothing to claim (already taken, done or gone)", pk)
            return Invocation.objects.filter(pk=pk).first()
        try:
            client = invocation.profile.client(invocation.region)
        except (DecryptionError, ValueError) as exc:
            # A secret the keys cannot open, an unusable endpoint: nothing was sent.
            Invocation.objects.finish(
                pk,
                invocation_type=invocation.invocation_type,
                state=InvocationState.ERROR,
                state_reason=f"The profile {invocation.profile.name} cannot be used: {exc}. An admin should check it.",
                finished_at=timezone.now(),
            )
            return Invocation.objects.get(pk=pk)

    fields = _call(client, invocation)
    return _write_outcome(invocation, fields, reload=reload)


def _write_outcome(invocation: Invocation, fields: dict, *, reload: bool) -> Invocation | None:
    """Write what FC answered onto the row. While the database is away, keep the result and try
    again until the row stops waiting for it: FC_RUNNING_GRACE after the call ended, the sweep's
    bound for a running row past its timeout. A row the sweep ended meanwhile is left as it is."""
    pk = invocation.pk
    deadline = time.monotonic() + settings.FC_RUNNING_GRACE
    attempt = 0
    while True:
        try:
            with database():
                if not Invocation.objects.finish(pk, invocation_type=invocation.invocation_type, **fields):
                    log.warning(
                        "invocation %s: was no longer running when its result came; result not stored", pk
                    )
                return Invocation.objects.get(pk=pk) if reload else None
        except UNREACHABLE as exc:
            pause = backoff.delay(attempt, base=WRITE_RETRY_BASE, cap=WRITE_RETRY_CAP)
            if time.monotonic() + pause > deadline:
                log.error("invocation %s: database unreachable, its result is lost (%s)", pk, error_line(exc))
                raise ResultNotStored(f"invocation {pk}: its result could not be stored") from exc
            if attempt == 0:
                log.warning(
                    "invocation %s: database unreachable (%s); its result is kept and written when it is back",
                    pk,
                    error_line(exc),
                )
            attempt += 1
            time.sleep(pause)


def _call(client, invocation: Invocation) -> dict:
    try:
        return outcomes.from_result(
            _send(client, invocation),
            is_async=invocation.is_async,
            async_invocation_id=invocation.async_invocation_id,
        )
    except FCError as exc:
        return _after_error(invocation, exc)
    except http_trigger.HttpRequestError as exc:
        # Checked at submit (rules.validate_http_request); kept for rows written another way.
        return {
            "state": InvocationState.ERROR,
            "state_reason": f"The HTTP request cannot be sent: {exc}.",
            "finished_at": timezone.now(),
        }


def _send(client, invocation: Invocation):
    invocation_type = "Async" if invocation.is_async else "Sync"
    if invocation.http_request is not None:
        return client.invoke_http(
            invocation.target,
            invocation.http_request,
            invocation_type=invocation_type,
            timeout=invocation.call_timeout,
        )
    return client.invoke(
        invocation.target,
        bytes(invocation.event),
        invocation_type=invocation_type,
        log_tail=not invocation.is_async,
        async_id=invocation.async_invocation_id or None,
        timeout=invocation.call_timeout,
    )


def _after_error(invocation: Invocation, exc: FCError) -> dict:
    # An async send is safe to repeat even when its outcome is unknown: see the module doc.
    safe = exc.retryable or (invocation.is_async and exc.outcome_unknown)
    if safe and invocation.attempts < settings.FC_RETRY_LIMIT:
        delay = backoff.delay(
            invocation.attempts - 1, base=settings.FC_RETRY_BACKOFF, cap=60, retry_after=exc.retry_after
        )
        reason = (
            f"{outcomes.refused_reason(exc)} Trying again in {delay:.0f} s "
            f"(attempt {invocation.attempts + 1} of {settings.FC_RETRY_LIMIT})."
        )
        with database():
            Invocation.objects.requeue(invocation.pk, reason)
        raise RetryLater(delay, reason)
    resend_of = invocation.async_invocation_id if invocation.is_async and invocation.attempts > 1 else ""
    return outcomes.from_error(exc, timeout=invocation.call_timeout, async_resend_of=resend_of)
