"""Handing an invocation's pk to the queue, and surviving a queue that is not there.

The broker connect timeout is bounded (CELERY_BROKER_CONNECTION_TIMEOUT, no retries), so a
submit with Redis down costs the caller about two seconds and no error: the row stays queued
with a reason saying so, and the sweep sends it once the queue is back.
"""

from __future__ import annotations

import logging

from kombu.exceptions import KombuError

log = logging.getLogger(__name__)


def send(pk: int) -> bool:
    """Send the task for one row; True when the queue took it."""
    from invocations.models import Invocation
    from invocations.tasks import invoke_invocation

    try:
        result = invoke_invocation.apply_async((pk,))
    except (KombuError, OSError) as exc:
        Invocation.objects.mark_unsent(pk)
        log.warning("invocation %s stays queued: task queue unreachable (%s)", pk, type(exc).__name__)
        return False
    Invocation.objects.mark_sent(pk, result.id)
    return True
