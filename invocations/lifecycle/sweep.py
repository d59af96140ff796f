"""The periodic safety net: nothing is lost when the queue or a worker fails (DESIGN.md, step 8).

Runs every FC_SWEEP_INTERVAL seconds, sent by the scheduler (`celery beat`, its own process).

- A queued row the queue never took (broker down at submit) is sent again.
- Messages the queue may have lost are sent again: when a worker reconnected to the broker (it
  drops what it had prefetched), when a worker died (what it had prefetched died with it: Redis
  keeps no copy of a delivered message, settings.py), or when the broker lost its keys (a Redis
  restarted without persistence), every queued row sent before is re-sent once. A duplicate
  costs nothing: the claim runs a row once.
- A running row whose worker died (its heartbeat, lifecycle/liveness.py, silent for
  FC_WORKER_DEAD_AFTER) ends `unknown` naming the worker: the call may have reached FC, so it is not
  repeated. An async send is the exception: it carries its task id and FC refuses a duplicate, so
  it is re-sent. Not judged by a sweep whose own worker just had the database away
  (`liveness.may_judge`): the others' silence was the database's.
- Any other running row past its call timeout plus FC_RUNNING_GRACE ends `unknown` the same way
  (a row claimed by the CLI, which has no heartbeat; or one claimed before heartbeats existed).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models.functions import Now
from django.utils import timezone

from invocations.lifecycle import liveness, locks
from invocations.models import Invocation, InvocationState, Worker
from invocations.models.workers import seconds_ago

log = logging.getLogger(__name__)

BATCH = 500
# A sweep that dies leaves its lock for a little less than one interval.
LOCK = "sweep:lock"
# Workers declared dead are forgotten after this (their rows ended when they were declared).
FORGET_WORKERS_AFTER = 86400
# Present in the broker's Redis (the cache) while no message is suspected lost; see `resend_lost`.
BROKER_EPOCH = "sweep:broker-epoch"

ASYNC_RESEND = (
    "The worker stopped while sending this async task; sending it again "
    "(FC refuses a duplicate task id, so it cannot run twice)."
)


def run() -> bool:
    """One sweep, unless another is under way (two sweeps would re-send the same rows: harmless,
    the claim runs each once, but twice the messages). False when it left the work to the other."""
    with locks.held(LOCK, max(1, int(settings.FC_SWEEP_INTERVAL * 0.8))) as mine:
        if mine:
            started = timezone.now()
            resend_unsent()
            end_dead_workers()
            resend_lost(sent_before=started)  # not again what this sweep has just sent
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


def suspect_lost_messages(why: str) -> None:
    """Have the next sweep re-send every queued row already sent (see the module doc)."""
    try:
        cache.delete(BROKER_EPOCH)
        log.warning("%s: the next sweep re-sends the queued invocations", why)
    except Exception as exc:  # noqa: BLE001 - the broker's Redis is away: it comes back empty or intact
        log.warning("%s; could not tell the sweep (%s)", why, type(exc).__name__)


def resend_lost(sent_before=None) -> int:
    """Re-send queued rows sent before `sent_before` (default now), once per suspected loss (the
    epoch key is missing: deleted by `suspect_lost_messages`, or gone with the broker's keys). On
    the first sweep of a new broker this re-sends what is queued once: harmless."""
    sent_before = sent_before or timezone.now()
    if not cache.add(BROKER_EPOCH, sent_before.isoformat(), timeout=None):
        return 0
    queued = Invocation.objects.filter(state=InvocationState.QUEUED, sent_at__lt=sent_before)
    sent = 0
    for pk in queued.order_by("created_at").values_list("pk", flat=True).iterator():
        if not Invocation.objects.send(pk):
            cache.delete(BROKER_EPOCH)  # the queue went away again: the next sweep tries again
            break
        sent += 1
    if sent:
        log.warning("re-sent %s queued invocations whose messages the queue may have lost", sent)
    return sent


def end_dead_workers() -> int:
    """End (or, async, re-send) the running rows of workers whose heartbeat stopped."""
    if not liveness.may_judge():
        return 0
    dead = Worker.objects.dead()
    rows = list(Invocation.objects.of_dead_workers(dead))
    workers = {w.name: w for w in dead.filter(declared_dead_at__isnull=True)}
    workers |= {w.name: w for w in dead.filter(name__in={row.claimed_by for row in rows})}
    ended = 0
    for row in rows:
        worker = workers[row.claimed_by]
        if row.is_async and row.async_invocation_id:
            if Invocation.objects.requeue(row.pk, ASYNC_RESEND):
                Invocation.objects.send(row.pk)
            continue
        silent_since = timezone.localtime(worker.last_seen).strftime("%Y-%m-%d %H:%M:%S %Z")
        if Invocation.objects.finish(
            row.pk,
            state=InvocationState.UNKNOWN,
            state_reason=(
                f"No result: the worker {worker.name} that was calling FC stopped answering at "
                f"{silent_since} (no heartbeat for {settings.FC_WORKER_DEAD_AFTER} s). The function "
                "may have run; look for it in FC's logs before running it again."
            ),
            finished_at=timezone.now(),
        ):
            ended += 1
            log.warning("invocation %s: its worker %s died; marked unknown", row.pk, worker.name)
    newly_dead = [w for w in workers.values() if w.declared_dead_at is None]
    if newly_dead:
        Worker.objects.filter(pk__in=[w.pk for w in newly_dead]).update(declared_dead_at=Now())
        if any(w.stopped_at is None for w in newly_dead):
            names = ", ".join(sorted(w.name for w in newly_dead if w.stopped_at is None))
            suspect_lost_messages(f"worker {names} died holding messages")
    Worker.objects.filter(
        declared_dead_at__isnull=False, last_seen__lt=seconds_ago(FORGET_WORKERS_AFTER)
    ).delete()
    return ended


def end_stuck_running() -> int:
    ended = 0
    grace = settings.FC_RUNNING_GRACE
    for row in Invocation.objects.stuck_running():
        if row.is_async and row.async_invocation_id:
            if Invocation.objects.requeue(row.pk, ASYNC_RESEND):
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
