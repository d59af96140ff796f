"""The periodic safety net: nothing is lost when the queue or a worker fails (DESIGN.md, step 8).

- A queued row the queue never took (broker down at submit) is sent again.
- A running row whose worker must have given up (past its call timeout plus FC_RUNNING_GRACE)
  ends `unknown` with the reason: the call may have reached FC, so it is not repeated. An async
  send is the exception: it carries its task id and FC refuses a duplicate, so it is re-sent.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from invocations.lifecycle import locks
from invocations.models import Invocation, InvocationState

log = logging.getLogger(__name__)

BATCH = 500
# A sweep that dies leaves its lock after this; the beat sends one every 30 s.
LOCK, _LOCK_SECONDS = "sweep:lock", 25


def run() -> bool:
    """One sweep, unless another is under way: two workers given `-B` would otherwise both
    re-send the same rows (harmless, the claim runs each once, but twice the messages).
    False when it left the work to the other."""
    with locks.held(LOCK, _LOCK_SECONDS) as mine:
        if mine:
            resend_unsent()
            end_stuck_running()
    return mine


def resend_unsent() -> int:
    """Send queued rows the queue never took; stop at the first failure (the queue is still down)."""
    sent = 0
    for pk in Invocation.objects.unsent().order_by("created_at").values_list("pk", flat=True)[:BATCH]:
        if not Invocation.objects.send(pk):
            break
        sent += 1
    return sent


def end_stuck_running() -> int:
    ended = 0
    grace = settings.FC_RUNNING_GRACE
    for row in Invocation.objects.stuck_running():
        if row.is_async and row.async_invocation_id:
            reason = (
                "The worker stopped while sending this async task; sending it again "
                "(FC refuses a duplicate task id, so it cannot run twice)."
            )
            if Invocation.objects.requeue(row.pk, reason):
                Invocation.objects.send(row.pk)
            continue
        if Invocation.objects.finish(
            row.pk,
            state=InvocationState.UNKNOWN,
            state_reason=(
                f"No result: the worker stopped answering while calling FC (no answer within the call's "
                f"{row.call_timeout} s timeout and {grace} s of grace after it started). The function may "
                "have run; look for it in FC's logs before running it again."
            ),
            finished_at=timezone.now(),
        ):
            ended += 1
            log.warning("invocation %s: no result after its timeout and grace; marked unknown", row.pk)
    return ended
