"""A worker says it is alive: its heartbeat row (invocations.Worker) moves every FC_WORKER_HEARTBEAT s.

Why a row in PostgreSQL written by a thread, and not a key with a TTL in Redis or Celery's own
event heartbeats: the question "is the worker that claimed this row still calling FC?" must not
depend on the broker. A Redis outage, or a Redis restart that empties it, would otherwise make
every live worker look dead and end rows that are about to get their results; Celery's events need
an event consumer and travel through the broker too. The database is where the rows live: if it
is away, nothing can be ended anyway, and `Worker.objects.dead()` judges nobody until heartbeats
come back. A thread, not a Celery task: a worker whose pool is full of long FC calls must still beat.
The clock is the database's (`Now()`), so machines with skewed clocks judge each other fairly.

After the database was away from this worker, its sweep judges nobody until this process has
reached it for FC_WORKER_DEAD_AFTER again (`may_judge`): the other workers' heartbeats come back
within one interval of each other, and one that has not beaten yet is not dead, only late.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models.functions import Now

from fcconsole.redaction import error_line
from invocations.lifecycle import claimant
from invocations.models import Worker

log = logging.getLogger(__name__)

_stopping = threading.Event()
# time.monotonic() of the first heartbeat written since the last that failed: None after a failure,
# minus infinity (long enough) while none has failed in this process.
_reachable_since: float | None = float("-inf")


def start(celery_hostname: str) -> str:
    """Name this process as a worker, beat once (before it consumes anything), then every
    FC_WORKER_HEARTBEAT seconds in a daemon thread, until `stop`."""
    name = claimant.become_worker(celery_hostname)
    _stopping.clear()
    healthy = beat(name, was_healthy=True)
    threading.Thread(target=_loop, args=(name, healthy), name="fcconsole-heartbeat", daemon=True).start()
    log.info("worker %s: heartbeat every %s s (dead after %s s of silence)", name, *_intervals())
    return name


def _intervals() -> tuple[int, int]:
    return settings.FC_WORKER_HEARTBEAT, settings.FC_WORKER_DEAD_AFTER


def _loop(name: str, healthy: bool) -> None:
    while not _stopping.wait(settings.FC_WORKER_HEARTBEAT):
        healthy = beat(name, was_healthy=healthy)


def may_judge() -> bool:
    """Whether this process's sweep may declare other workers dead: not a worker (no heartbeat of
    its own to tell), one none of whose heartbeats failed, or one whose heartbeats have been
    written for FC_WORKER_DEAD_AFTER since the last failure. A worker whose database was just
    away would take the others' silence for theirs, though it was the database's."""
    if not claimant.is_worker():
        return True
    since = _reachable_since
    return since is not None and time.monotonic() - since >= settings.FC_WORKER_DEAD_AFTER


def beat(name: str, *, was_healthy: bool) -> bool:
    """One heartbeat; True when written. Says in the log when the database goes and comes back."""
    global _reachable_since
    try:
        row = Worker.objects.filter(name=name)
        if row.filter(declared_dead_at__isnull=False).exists():
            log.warning(
                "worker %s: the sweep declared this worker dead (it was silent too long) and ended "
                "the rows it was running; results that come for them now are not stored",
                name,
            )
        if not row.update(last_seen=Now(), declared_dead_at=None, stopped_at=None):
            Worker.objects.get_or_create(name=name)
    except DatabaseError as exc:
        _reachable_since = None
        if was_healthy:
            log.error(
                "worker %s: heartbeat not written, database unreachable (%s); reconnecting every %s s",
                name,
                error_line(exc),
                settings.FC_WORKER_HEARTBEAT,
            )
        return False
    finally:
        connection.close()  # back to the pool: this thread holds nothing between beats
    if _reachable_since is None:
        _reachable_since = time.monotonic()
    if not was_healthy:
        log.warning("worker %s: database reachable again, heartbeat written", name)
    return True


def stop() -> None:
    """A clean shutdown: the worker finished what it ran, so its silence from now on is no death."""
    _stopping.set()
    if not claimant.is_worker():
        return
    try:
        Worker.objects.filter(name=claimant.name()).update(stopped_at=Now())
    except DatabaseError:
        pass  # then it looks dead after FC_WORKER_DEAD_AFTER, and has no running rows to end
    finally:
        connection.close()
