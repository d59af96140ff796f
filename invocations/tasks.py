"""Celery tasks: each takes primary keys or names, never secrets or payloads.

Queue and retry policy live in the decorators; the work lives in `invocations/lifecycle/`. Task
names are part of the interface (the beat schedule in settings, messages already queued): a
function here may be renamed, its `name=` may not.
"""

import logging

from celery import shared_task
from celery.exceptions import Reject
from django.conf import settings

from invocations.fc import backoff
from invocations.history import retention
from invocations.lifecycle import run, sweep
from invocations.lifecycle.rows import RUN_TASK
from invocations.lifecycle.tracking import poll as tracking_poll
from invocations.models import Invocation

log = logging.getLogger(__name__)


@shared_task(name="fcconsole.ping", ignore_result=False)
def ping(nonce: str) -> str:
    """Answers /healthz: proves a worker is consuming the queue."""
    return nonce


@shared_task(bind=True, name=RUN_TASK, acks_late=True, ignore_result=True, max_retries=None)
def invoke_invocation(self, invocation_pk: int) -> None:
    """Run one invocation. Safe to deliver twice: only the first claim does anything.

    Retries (FC surely did not run it: refused connection, throttled) are counted on the row
    (FC_RETRY_LIMIT), so a re-send by the sweep does not restart the count. A claim the database
    could not answer is tried again, backing off up to a minute, for as long as it is away: FC
    was not called, and the row is not touched (it cannot be).
    """
    try:
        run.execute(invocation_pk, reload=False)
    except run.DatabaseUnavailable as exc:
        delay = backoff.delay(self.request.retries, base=settings.FC_RETRY_BACKOFF, cap=60)
        log.warning("%s; trying again in %.0f s", exc, delay)
        raise self.retry(countdown=delay, throw=False) from None
    except run.RetryLater as later:
        try:
            retry = self.retry(countdown=later.delay, throw=False)
        except Reject:
            # The queue refused the retry: the sweep sends the (queued) row when it is back.
            Invocation.objects.mark_unsent(invocation_pk)
            raise
        Invocation.objects.mark_sent(invocation_pk, self.request.id)
        raise retry from None


@shared_task(name="invocations.sweep", ignore_result=True)
def sweep_rows() -> None:
    """The periodic safety net (lifecycle/sweep.py)."""
    sweep.run()


@shared_task(name="invocations.track_async", ignore_result=True)
def track_async() -> None:
    """Fan out: one polling task per function that has async tasks being tracked."""
    for group in tracking_poll.due_groups():
        track_function.delay(*group)


@shared_task(name="invocations.track_function", ignore_result=True)
def track_function(profile_id: int, region: str, service: str, function: str, qualifier: str) -> None:
    tracking_poll.poll(tracking_poll.Group(profile_id, region, service, function, qualifier))


# The name is from when retention lived in the audit app: CELERY_BEAT_SCHEDULE (and any beat
# already running) sends it under that name.
@shared_task(name="audit.prune_history", ignore_result=True)
def prune_history() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): drop history older than HISTORY_RETENTION_DAYS."""
    return retention.prune_history().invocations
