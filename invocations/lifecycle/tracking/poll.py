"""One poll of one function's tracked async tasks: exactly one List call, its news stored.

Every FC_TRACK_INTERVAL seconds the beat's `track_async` fans out one poll per function that has
tracked rows (`due_groups`). A poll holds its function's lock in the cache (at most _LEASE: a
poll that dies leaves it) and notes there when it started, so overlapping tracker runs (or
several beat schedulers, or a poll slower than the interval) do not poll one function twice at
once or twice in an interval. Which page it reads is the `Cursor`'s choice (cursor.py); what it
writes is `store`'s.

A row just sent has no FC start time yet ("not placed"): FC (fclocal: startedTime is when it
accepted the task) puts it at the end of the queue, where the sweep or, later, the head lists it
and places it. A task the listing has gone past without showing it, 30 s after its send, and a
task someone asked the console to stop that the page did not show, are looked up one by one (a
few per poll; rare): `_passed`. Losing the cursor (the cache) costs one head page read from the
rows' own bound and a sweep started again. Without a shared cache (no Redis: one worker process
on the embedded defaults) the lock and the note are per process.
"""

from __future__ import annotations

import logging
import math
import os
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from invocations.fc.errors import ASYNC_NOT_FOUND, FCError
from invocations.fc.targets import Target
from invocations.lifecycle import locks
from invocations.lifecycle.db import database
from invocations.lifecycle.tracking import store
from invocations.lifecycle.tracking.cursor import PAGE, START_SLACK, Cursor, from_ms
from invocations.models import CredentialProfile, FollowedFunction, Invocation, InvocationState
from invocations.models.states import InvocationType

log = logging.getLogger(__name__)

# Tasks the listing went past without showing them this long after their send are looked up one
# by one (at most a few per poll).
_GET_AFTER = timedelta(seconds=30)
_GETS_PER_POLL = 5
# How long a poll holds its function's lock; a poll that dies leaves it after this.
_LEASE = timedelta(seconds=60)
# How long a function's cursor outlives its last poll.
_STATE_SECONDS = 24 * 3600


class Group(NamedTuple):
    """One function's tracked rows: the unit a poll lists."""

    profile_id: int
    region: str
    service: str
    function: str
    qualifier: str

    @property
    def key(self) -> str:
        return "tracking:" + ":".join(str(part) for part in self)

    @property
    def target(self) -> Target:
        return Target(self.region, self.function, self.service, self.qualifier)


def due_groups() -> list[Group]:
    """The functions with tracked tasks, or followed on request, whose last poll started half an
    interval ago or more.

    Half, not a whole one: the beat sets the pace, and a poll that started late (a busy worker
    took the task 0.3 s after the beat) must not make its function skip the next beat.
    """
    fields = ("profile_id", "region", "service", "function", "qualifier")
    tracked = (
        Invocation.objects.filter(state=InvocationState.TRACKING).order_by().values_list(*fields).distinct()
    )
    followed = FollowedFunction.objects.active().values_list(*fields)
    groups = list(dict.fromkeys(Group(*row) for row in [*tracked, *followed]))
    polled = cache.get_many([polled_key(group) for group in groups])
    now = timezone.now().timestamp()
    return [group for group in groups if not _recent(polled.get(polled_key(group)), now)]


def polled_key(group: Group) -> str:
    return f"{group.key}:polled"


def cursor_key(group: Group, *, followed: bool) -> str:
    return f"{group.key}:followed" if followed else group.key


def lock_key(group: Group) -> str:
    return f"{group.key}:lock"


def _recent(polled: float | None, now: float) -> bool:
    return polled is not None and now - polled < settings.FC_TRACK_INTERVAL / 2


def poll(group: Group) -> int:
    """One status poll for one function's tracking rows; returns how many rows it looked at."""
    now = timezone.now()
    # One poll of a function at a time, and one per interval (two beats' fan-outs can overlap).
    # When it polled is kept per function, not stamped on its rows: at 10,000 tracked tasks that
    # would be 10,000 row updates a second, each writing every index of the invocations table.
    with locks.held(lock_key(group), _LEASE.total_seconds()) as mine:
        if not mine or _recent(cache.get(polled_key(group)), now.timestamp()):
            return 0
        cache.set(polled_key(group), now.timestamp(), _STATE_SECONDS)
        return _poll(group, now)


def _poll(group: Group, now) -> int:
    mine = Invocation.objects.filter(state=InvocationState.TRACKING, **group._asdict())
    with database():
        # A page shows at most PAGE of the function's tasks: the poll reads only the bounds of its
        # rows here, and the rows themselves once it knows which ones FC listed.
        mine = mine.annotate(sent=Coalesce("sent_at", "created_at"))
        bounds = mine.aggregate(
            rows=Count("pk"),
            first_id=Min("async_invocation_id"),
            last_id=Max("async_invocation_id"),
            placed=Min("fc_started_at"),
            unplaced_sent=Min("sent", filter=Q(fc_started_at=None)),
        )
        # A function followed on request is listed whole, and the tasks no row knows are
        # adopted (`_list`): from when the follow began (less START_SLACK, as for a row not placed
        # yet), or from our earliest row when that is earlier. Not from our earliest row alone: a
        # task started outside a moment before it would never be listed.
        follow = FollowedFunction.objects.active().filter(**group._asdict()).first()
        if not bounds["rows"] and follow is None:
            return 0
        if follow is not None:
            sent = [at for at in (bounds["unplaced_sent"], follow.created_at) if at]
            bounds["unplaced_sent"] = min(sent)
        client = CredentialProfile.objects.get(pk=group.profile_id).client(group.region)

    # The whole function's listing has a cursor of its own: where the listing of our ids alone
    # had got to (its floor) says nothing of the tasks started outside.
    key = cursor_key(group, followed=follow is not None)
    cursor = Cursor.for_function(tuple(group), cache.get(key))
    listed = _list(client, group, mine, bounds, cursor, now, followed=follow is not None)
    cache.set(key, cursor.saved(), _STATE_SECONDS)
    with database():
        missing = list(
            store.with_events(
                mine.exclude(async_invocation_id__in=listed).filter(_passed(cursor, now))
            ).order_by("sent")[:_GETS_PER_POLL]
        )
    for row in missing:
        _look_up(client, group, row, now)
    return bounds["rows"]


def _passed(cursor: Cursor, now) -> Q:
    """Rows to look up one by one, of those this poll's page did not list (rows annotated with
    `sent`): the listing has gone past where FC would list them.

    The head page covers every task that started before its last record (all of them, when it
    was the last page); a task not placed yet may start up to START_SLACK after its send by FC's
    clock. A complete sweep pass lists every task sent (a send takes up to _GET_AFTER) before the
    pass started. Tasks sent less than _GET_AFTER ago wait. A task someone asked the console to
    stop is looked up at once: its end should not wait for the sweep (rare: a user asked).
    """
    vouched = Q(pk__in=[])
    if cursor.head_end == math.inf:
        vouched = Q(pk__isnull=False)
    elif cursor.head_end:
        head_end = from_ms(cursor.head_end)
        vouched |= Q(fc_started_at__lt=head_end) | Q(fc_started_at=None, sent__lt=head_end - START_SLACK)
    if cursor.swept_since is not None:
        since = datetime.fromtimestamp(cursor.swept_since, tz=UTC)
        vouched |= Q(fc_started_at=None, sent__lt=since - _GET_AFTER)
    return Q(stop_requested_at__isnull=False) | (Q(sent__lt=now - _GET_AFTER) & vouched)


def _list(client, group: Group, rows, bounds: dict, cursor: Cursor, now, *, followed: bool) -> set[str]:
    """This poll's one List call: the head page or the sweep's next; stores its news, moves the
    cursor on and returns the ids FC listed.

    Only our own tasks are listed (by their ids' common prefix) unless the function is followed:
    then every task is, and those no row knows join the history as started outside the console.
    Adopting every task of every function someone once sent an async task to would fill the
    history (and the head pages) with a whole team's batch jobs nobody asked to see.
    """
    sweeping = cursor.sweeps_now(settings.FC_TRACK_SWEEP_EVERY)
    if sweeping:
        query, token = cursor.sweep_page()
    else:
        query = {
            "started_time_begin": cursor.head_begin(bounds["placed"], bounds["unplaced_sent"]),
            "sort_order_by_time": "asc",
            "limit": PAGE,
        }
        if not followed:
            # The common prefix of all the ids is that of the first and the last.
            query["id_prefix"] = (
                os.path.commonprefix([bounds["first_id"] or "", bounds["last_id"] or ""]) or None
            )
        token = None
    try:
        records, next_token = client.async_page(group.target, next_token=token, **query)
    except FCError as exc:
        log.warning("async tracking of %s: list failed: %s (%s)", group.target, exc.code, exc.message)
        if sweeping:
            cursor.sweep_failed()
        return set()

    listed: set[str] = set()
    news = []
    with database():
        ids = [record.get("id") for record in records]
        wanted = {
            r.async_invocation_id: r for r in store.with_events(rows.filter(async_invocation_id__in=ids))
        }
        unknown = []
        for record in records:
            row = wanted.get(record.get("id"))
            if row is None:
                unknown.append(record)
                continue
            if row.async_invocation_id in listed:
                continue
            listed.add(row.async_invocation_id)
            if store.has_news(row, record, row.stored_events):
                news.append((row, record))
        # Every task of the function is listed, not only ours: those no row knows were started
        # outside the console (the SDK, FC's own console, a trigger) and join the history.
        adopted = store.adopt(unknown, **group._asdict()) if followed else []
        listed.update(row.async_invocation_id for row, _ in adopted)
        news += adopted
        if news:
            store.apply_records(news)

    if sweeping:
        cursor.after_sweep(records, next_token, query)
    else:
        cursor.after_head(records, next_token, query, now.timestamp())
    return listed


def _look_up(client, group: Group, row: Invocation, now) -> None:
    """One Get for a task the listing did not show; a task FC does not know for long ends unknown."""
    try:
        record = client.get_async(group.target, row.async_invocation_id)
    except FCError as exc:
        age = now - row.sent  # the poll's rows carry `sent`: sent_at, else created_at
        if exc.code not in ASYNC_NOT_FOUND or age < timedelta(seconds=settings.FC_TRACK_UNSEEN_MAX):
            log.info("async tracking: %s not found yet: %s", row.async_invocation_id, exc.code)
            return
        with database():
            Invocation.objects.finish(
                row.pk,
                from_state=InvocationState.TRACKING,
                invocation_type=InvocationType.ASYNC,
                state=InvocationState.UNKNOWN,
                state_reason=(
                    f"FC has no record of the async task {row.async_invocation_id}: "
                    f"{int(age.total_seconds() // 60)} minutes after it was sent, FC neither lists it "
                    f"nor finds it ({exc.code}). Whether it ran is unknown."
                ),
                finished_at=now,
            )
        return
    if store.has_news(row, record, row.stored_events):
        with database():
            store.apply_records([(row, record)])
