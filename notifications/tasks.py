"""Celery tasks of notifications: each takes a Delivery pk, never a secret or a payload."""

from celery import shared_task

from notifications import sending
from notifications.receivers import DELIVER_TASK


@shared_task(bind=True, name=DELIVER_TASK, acks_late=True, ignore_result=True, max_retries=None)
def deliver(self, delivery_pk: int) -> None:
    """Send one delivery; on a failure worth retrying, again after the console's backoff.

    Attempts are counted on the row (NOTIFY_MAX_ATTEMPTS), not by Celery: the row says when to
    stop, and a redelivered message after the end does nothing.
    """
    outcome = sending.attempt(delivery_pk)
    if outcome.retry_in is None:
        return
    # Should the queue refuse the retry, the row stays pending with its last error for all to see.
    raise self.retry(countdown=outcome.retry_in)
