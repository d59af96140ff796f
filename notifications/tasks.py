"""Celery tasks of notifications: each takes a Delivery pk, never a secret or a payload."""

import logging

from celery import shared_task
from kombu.exceptions import KombuError

from notifications import sending
from notifications.models import Delivery

log = logging.getLogger(__name__)


@shared_task(bind=True, name="notifications.deliver", acks_late=True, ignore_result=True, max_retries=None)
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


def send(delivery_pk: int) -> bool:
    """Queue a delivery's pk (never its secret or payload); False when the queue is down (the row
    stays pending, saying so)."""
    try:
        deliver.apply_async((delivery_pk,))
    except (KombuError, OSError) as exc:
        Delivery.objects.filter(pk=delivery_pk).update(
            last_error=f"Not queued: the task queue is unreachable ({type(exc).__name__})."
        )
        log.warning("delivery %s not queued: task queue unreachable (%s)", delivery_pk, type(exc).__name__)
        return False
    return True
