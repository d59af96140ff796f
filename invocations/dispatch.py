"""Handing an invocation's pk to the queue, and surviving a queue that is not there.

The broker connect timeout is bounded (CELERY_BROKER_CONNECTION_TIMEOUT, no retries), so a
submit with Redis down costs the caller about two seconds and no error: the row stays queued
with a reason saying so, and the sweep sends it once the queue is back.
"""

from __future__ import annotations

import logging

from kombu.exceptions import KombuError

log = logging.getLogger(__name__)


def send(pk: int, *, task_id: str | None = None) -> bool:
    """Send the task for one row; True when the queue took it.

    `task_id`: the id already stamped on the row with its first send (see `submit`); without it
    a new id is recorded once the queue has taken the task.
    """
    from invocations.models import Invocation
    from invocations.tasks import invoke_invocation

    try:
        result = invoke_invocation.apply_async((pk,), task_id=task_id)
    except (KombuError, OSError) as exc:
        Invocation.objects.mark_unsent(pk, counted=task_id is not None)
        log.warning("invocation %s stays queued: task queue unreachable (%s)", pk, type(exc).__name__)
        return False
    if task_id is None:
        Invocation.objects.mark_sent(pk, result.id)
    return True
