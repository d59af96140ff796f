"""Following async tasks until they end, and stopping them.

Every FC_TRACK_INTERVAL seconds, the tracking rows are grouped by function (profile, region,
service, qualifier, function) and each group gets one poll: exactly one
ListStatefulAsyncInvocations call (FC pages at 100 records and has no changed-since filter), in
ascending FC start order, whose news is stored in one INSERT of events and one UPDATE per kind
of change. Which page that call reads:

- Normally the **head**: the first 100 records from the function's earliest unfinished task.
  That is where FC changes tasks (the running ones end, the next queued ones start), so a change
  there reaches its row within one interval. Where the head starts is `_head_begin`.
- Every FC_TRACK_SWEEP_EVERY-th poll of a function (the functions on different beats), the next
  page of the **sweep**: a listing over the rest of the function's tasks, continuing where its
  previous page ended and starting again after the head when it reaches the last page. It sees
  what changes deep in the queue (a task stopped outside the console, an out-of-order end) and
  gives rows their FC start time before the head reaches them. A full pass over N unfinished
  tasks takes about ceil(N / 100) * FC_TRACK_SWEEP_EVERY intervals: that bounds how late such a
  change reaches its row.

A row just sent has no FC start time yet ("not placed"): FC (fclocal: startedTime is when it
accepted the task) puts it at the end of the queue, where the sweep or, later, the head lists
it and places it. It never pulls the head back to its send: see `_head_begin`.

Where the head starts and where the sweep goes on are kept per function in the Django cache
(`_State`); losing them costs one head page read from the rows' own bound and a sweep started
again. A task the listing has gone past without showing it, 30 s after its send, and a task
someone asked the console to stop that the page did not show, are looked up one by one (a few per
poll; rare): `_State.passed`.

A poll holds its function's lock in the cache (at most _LEASE: a poll that dies leaves it) and
notes there when it started, so overlapping tracker runs (or several beat schedulers, or a poll
slower than the interval) do not poll one function twice at once or twice in an interval. The
rows are written only when FC has news of them. Without a shared cache (no Redis: one worker
process on the embedded defaults) the lock and the note are per process.
"""

from __future__ import annotations

import logging
import math
import os
import zlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from invocations import activity, ended, locks, outcomes
from invocations.access import require_role
from invocations.db import database
from invocations.fc.errors import FCError
from invocations.models import AsyncStatusEvent, CredentialProfile, Invocation, InvocationState, Role

log = logging.getLogger(__name__)

# FC status -> our end state (fc-api.md §4.3); other statuses mean "still going".
END_STATES = {
    "Succeeded": InvocationState.SUCCEEDED,
    "Failed": InvocationState.FAILED,
    "Expired": InvocationState.FAILED,
    "Invalid": InvocationState.FAILED,
    "Stopped": InvocationState.STOPPED,
}
_END_REASONS = {
    "Failed": "The async task failed",
    "Expired": "FC discarded the async task: it waited longer than the function's maximum event age",
    "Invalid": "FC did not run the async task (invalid, e.g. the function was deleted)",
    "Stopped": "The async task was stopped",
}
NOT_FOUND = "StatefulAsyncInvocationNotFound"
# FC's page cap for ListStatefulAsyncInvocations (fc-api.md §4.1): the most a poll's one call sees.
_PAGE = 100
# FC's clocks and ours differ: a task whose FC start time we do not know yet is looked for from
# this long before our send.
_START_SLACK = timedelta(minutes=5)
# Tasks the listing went past without showing them this long after their send are looked up one
# by one (at most a few per poll).
_GET_AFTER = timedelta(seconds=30)
_GETS_PER_POLL = 5
# How long a poll holds its function's lock; a poll that dies leaves it after this.
_LEASE = timedelta(seconds=60)
# How long a function's polling state (`_State`) outlives its last poll.
_STATE_SECONDS = 24 * 3600
# What a poll reads of a row FC listed or it looks up (besides `sent` and its stored events).
_READ_FIELDS = (
    "pk",
    "async_invocation_id",
    "async_status",
    "request_id",
    "fc_started_at",
    "stop_requested_at",
)


class Group(NamedTuple):
    profile_id: int
    region: str
    service: str
    function: str
    qualifier: str


def due_groups() -> list[Group]:
    """The functions with tracked tasks whose last poll started half an interval ago or more.

    Half, not a whole one: the beat sets the pace, and a poll that started late (a busy worker
    took the task 0.3 s after the beat) must not make its function skip the next beat.
    """
    groups = [
        Group(*row)
        for row in Invocation.objects.filter(state=InvocationState.TRACKING)
        .order_by()
        .values_list("profile_id", "region", "service", "function", "qualifier")
        .distinct()
    ]
    polled = cache.get_many([_polled_key(group) for group in groups])
    now = timezone.now().timestamp()
    return [group for group in groups if not _recent(polled.get(_polled_key(group)), now)]


def _polled_key(group: Group) -> str:
    return f"{_State.key(group)}:polled"


def _lock_key(group: Group) -> str:
    return f"{_State.key(group)}:lock"


def _recent(polled: float | None, now: float) -> bool:
    return polled is not None and now - polled < settings.FC_TRACK_INTERVAL / 2


def poll(group: Group) -> int:
    """One status poll for one function's tracking rows; returns how many rows it looked at."""
    now = timezone.now()
    # One poll of a function at a time, and one per interval (two beats' fan-outs can overlap).
    # When it polled is kept per function, not stamped on its rows: at 10,000 tracked tasks that
    # was 10,000 row updates a second, each writing every index of the invocations table once
    # the history is large, and polls that outlasted the interval (bench/RESULTS.md, 2026-12-03).
    with locks.held(_lock_key(group), _LEASE.total_seconds()) as mine:
        if not mine or _recent(cache.get(_polled_key(group)), now.timestamp()):
            return 0
        cache.set(_polled_key(group), now.timestamp(), _STATE_SECONDS)
        return _poll(group, now)


def _poll(group: Group, now) -> int:
    mine = Invocation.objects.filter(state=InvocationState.TRACKING, **group._asdict())
    with database():
        # A page shows at most 100 of the function's tasks: the poll reads only the bounds of its
        # rows here, and the rows themselves once it knows which ones FC listed.
        mine = mine.annotate(sent=Coalesce("sent_at", "created_at"))
        bounds = mine.aggregate(
            rows=Count("pk"),
            first_id=Min("async_invocation_id"),
            last_id=Max("async_invocation_id"),
            placed=Min("fc_started_at"),
            unplaced_sent=Min("sent", filter=Q(fc_started_at=None)),
        )
        if not bounds["rows"]:
            return 0
        client = CredentialProfile.objects.get(pk=group.profile_id).client(group.region)

    state = _State.load(group)
    listed = _list(client, group, mine, bounds, state, now)
    state.save(group)
    with database():
        missing = list(
            _with_events(mine.exclude(async_invocation_id__in=listed).filter(state.passed(now))).order_by(
                "sent"
            )[:_GETS_PER_POLL]
        )
    for row in missing:
        _look_up(client, group, row, now)
    return bounds["rows"]


def _with_events(rows):
    # With each row, its stored events: a record whose status is unchanged may still carry news
    # (Retrying came and went); without news a row is not written at all.
    return rows.only(*_READ_FIELDS).annotate(stored_events=Count("status_events")).order_by()


def has_news(invocation: Invocation, record: dict, stored_events: int) -> bool:
    """Whether FC's record of a task says something the row does not hold yet."""
    status = record.get("status") or ""
    return (
        status != invocation.async_status
        or status in END_STATES
        or len(record.get("events") or []) > stored_events
        or (invocation.fc_started_at is None and bool(record.get("startedTime")))
    )


class _State:
    """What one function's polls remember between them, in the cache (lost: start afresh).

    polls: polls so far, the sweep's turn when a multiple of FC_TRACK_SWEEP_EVERY; it starts at
        a number drawn from the function's name, so functions take their sweep turns on
        different beats.
    floor: FC start time (ms) of the first unfinished record the last head page showed: every
        record before it has ended (an ended record never changes) or is no task of ours.
    sweep: the sweep's next page: {"query", "token", "last"} (the filters it lists with, FC's
        nextToken, the FC start time of its page's last record); None between passes.
    pass_started, swept_since: when (epoch s, our clock) the sweep's current pass started, and
        when the last complete pass had started: every task sent well before that was listed.
    """

    def __init__(self, group: Group, **saved):
        self.polls = saved.get("polls", zlib.crc32(repr(tuple(group)).encode()))
        self.floor = saved.get("floor")
        self.sweep = saved.get("sweep")
        self.pass_started = saved.get("pass_started")
        self.swept_since = saved.get("swept_since")
        # This poll's head page showed every task that started before this (FC start time, ms;
        # infinite when it was the last page); None when this poll read the sweep.
        self.head_end: float | None = None

    @staticmethod
    def key(group: Group) -> str:
        return "tracking:" + ":".join(str(part) for part in group)

    @classmethod
    def load(cls, group: Group) -> _State:
        return cls(group, **(cache.get(cls.key(group)) or {}))

    def save(self, group: Group) -> None:
        keep = ("polls", "floor", "sweep", "pass_started", "swept_since")
        cache.set(self.key(group), {name: getattr(self, name) for name in keep}, _STATE_SECONDS)

    def sweeps_now(self) -> bool:
        self.polls += 1
        return self.sweep is not None and self.polls % settings.FC_TRACK_SWEEP_EVERY == 0

    def passed(self, now) -> Q:
        """Rows to look up one by one, of those this poll's page did not list (rows annotated
        with `sent`): the listing has gone past where FC would list them.

        The head page covers every task that started before its last record (all of them, when
        it was the last page); a task not placed yet may start up to _START_SLACK after its send
        by FC's clock. A complete sweep pass lists every task sent (a send takes up to
        _GET_AFTER) before the pass started. Tasks sent less than _GET_AFTER ago wait. A task
        someone asked the console to stop is looked up at once: its end should not wait for the
        sweep (rare: a user asked).
        """
        vouched = Q(pk__in=[])
        if self.head_end == math.inf:
            vouched = Q(pk__isnull=False)
        elif self.head_end:
            head_end = _from_ms(self.head_end)
            vouched |= Q(fc_started_at__lt=head_end) | Q(fc_started_at=None, sent__lt=head_end - _START_SLACK)
        if self.swept_since is not None:
            since = datetime.fromtimestamp(self.swept_since, tz=UTC)
            vouched |= Q(fc_started_at=None, sent__lt=since - _GET_AFTER)
        return Q(stop_requested_at__isnull=False) | (Q(sent__lt=now - _GET_AFTER) & vouched)


def _head_begin(bounds: dict, state: _State) -> int:
    """Where the head page starts (FC start time, ms): the one rule for it.

    No tracked task can be listed before the earliest FC start time of a placed row, nor before
    a row not placed yet was sent (less _START_SLACK for FC's clock against ours; a just sent
    task comes last in its function's queue: fclocal's startedTime is its acceptance time). The
    floor, where the last head page found its first unfinished record, is later still once the
    queue moves: starting there keeps the head moving with the queue and never fills it with
    tasks that ended before the earliest unfinished one (which a slack of minutes before a
    burst of sends would do, page after page, until the sweep had placed every row).
    """
    unplaced = bounds["unplaced_sent"] and bounds["unplaced_sent"] - _START_SLACK
    begin = _to_ms(min(at for at in (bounds["placed"], unplaced) if at))
    return _from_start(max(begin, state.floor or 0))


def _from_start(ms: int) -> int:
    """startedTimeBegin for a listing that must show the record starting at `ms`.

    Whether FC's startedTimeBegin is inclusive is unconfirmed (fc-api.md §4.1; fclocal's is):
    every listing asks from one millisecond earlier, so it shows that record either way, at the
    cost of the odd record listed twice.
    """
    return ms - 1


def _sweep_page(sweep: dict) -> tuple[dict, str | None]:
    """The query and token that read the sweep's next page.

    The sweep goes on from the FC start time of its last record, not with FC's nextToken: the
    token comes back a few polls later, and whether FC still takes a token that old is
    unconfirmed (fc-api.md §4.1 says nothing of its lifetime). Starting there lists its last
    record again (`_from_start`), which costs a place on the page. Only when a whole page
    started within one millisecond does the time not move, and the token is used; a token FC
    refuses starts the sweep again after the head (`_list`).
    """
    query, last = sweep["query"], sweep["last"]
    if last is not None and _from_start(last) > query["started_time_begin"]:
        return {**query, "started_time_begin": _from_start(last)}, None
    return query, sweep["token"]


def _list(client, group: Group, rows, bounds: dict, state: _State, now) -> set[str]:
    """This poll's one List call: the head page or the sweep's next; stores its news, moves the
    state on and returns the ids FC listed."""
    sweeping = state.sweeps_now()
    if sweeping:
        query, token = _sweep_page(state.sweep)
    else:
        query = {
            "qualifier": group.qualifier or None,
            "started_time_begin": _head_begin(bounds, state),
            "sort_order_by_time": "asc",
            # The common prefix of all the ids is that of the first and the last.
            "invocation_id_prefix": os.path.commonprefix([bounds["first_id"], bounds["last_id"]]) or None,
            "limit": _PAGE,
        }
        token = None
    try:
        records, next_token = client.stateful_async_invocation_page(
            group.service, group.function, next_token=token, **query
        )
    except FCError as exc:
        log.warning(
            "async tracking of %s/%s: list failed: %s (%s)",
            group.service,
            group.function,
            exc.code,
            exc.message,
        )
        if sweeping:
            state.sweep = None  # a token FC no longer takes: the sweep starts again after the head
        return set()

    listed: set[str] = set()
    news = []
    with database():
        ids = [record.get("invocationId") for record in records]
        wanted = {r.async_invocation_id: r for r in _with_events(rows.filter(async_invocation_id__in=ids))}
        for record in records:
            row = wanted.get(record.get("invocationId"))
            if row is None or row.async_invocation_id in listed:
                continue
            listed.add(row.async_invocation_id)
            if has_news(row, record, row.stored_events):
                news.append((row, record))
        if news:
            apply_records(news)

    starts = [record["startedTime"] for record in records if record.get("startedTime")]
    last = starts[-1] if starts else None
    if sweeping:
        if next_token:
            state.sweep = {"query": query, "token": next_token, "last": last}
        else:
            state.sweep, state.swept_since = None, state.pass_started
        return listed

    state.head_end = (last or 0) if next_token else math.inf
    unfinished = [
        r["startedTime"] for r in records if r.get("status") not in END_STATES and r.get("startedTime")
    ]
    if unfinished:
        state.floor = unfinished[0]
    elif next_token and last:
        state.floor = last  # a whole page of ended records: the first unfinished one is further on
    if not next_token:
        state.sweep = None  # the head showed every task: nothing left to sweep
    elif state.sweep is None or (state.sweep["last"] or 0) < (last or 0):
        # The sweep goes on after the head; a sweep the head has caught up with skips to it.
        if state.sweep is None:
            state.pass_started = now.timestamp()
        state.sweep = {"query": query, "token": next_token, "last": last}
    return listed


def _look_up(client, group: Group, row: Invocation, now) -> None:
    """One Get for a task the listing did not show; a task FC does not know for long ends unknown."""
    try:
        record = client.get_stateful_async_invocation(
            group.service, group.function, row.async_invocation_id, qualifier=group.qualifier or None
        )
    except FCError as exc:
        age = now - row.sent  # the poll's rows carry `sent`: sent_at, else created_at
        if exc.code != NOT_FOUND or age < timedelta(seconds=settings.FC_TRACK_UNSEEN_MAX):
            log.info("async tracking: %s not found yet: %s", row.async_invocation_id, exc.code)
            return
        with database():
            Invocation.objects.finish(
                row.pk,
                from_state=InvocationState.TRACKING,
                state=InvocationState.UNKNOWN,
                state_reason=(
                    f"FC has no record of the async task {row.async_invocation_id}: "
                    f"{int(age.total_seconds() // 60)} minutes after it was sent, FC neither lists it "
                    f"nor finds it ({exc.code}). Whether it ran is unknown."
                ),
                finished_at=now,
            )
        return
    if has_news(row, record, row.stored_events):
        with database():
            apply_records([(row, record)])


def _from_ms(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def _to_ms(value: datetime) -> int:
    return round(value.timestamp() * 1000)


def apply_records(pairs: list[tuple[Invocation, dict]]) -> None:
    """Store FC's view of many tasks at once: each new status as an event, and each end.

    One INSERT for all the events (those already stored are skipped by their unique key) and one
    UPDATE per set of changed fields, only of rows still tracking: an ended row is never rewritten.
    The in-memory rows take the new values.
    """
    events, by_fields, ends = [], defaultdict(list), []
    for invocation, record in pairs:
        events += _events(invocation, record)
        fields = _changes(invocation, record)
        for name, value in fields.items():
            setattr(invocation, name, value)
        by_fields[tuple(sorted(fields))].append(invocation)
        if "state" in fields:
            ends.append(invocation.pk)
    with transaction.atomic():
        AsyncStatusEvent.objects.bulk_create(events, ignore_conflicts=True)
        for names, rows in by_fields.items():
            _update_tracking(rows, names)
        # Whoever waits on a row that ended (the API's `?wait`) is woken once this commits.
        transaction.on_commit(lambda: ended.announce(*ends))


def _update_tracking(rows: list[Invocation], names: tuple[str, ...]) -> None:
    """Write `names` of each row (its own values) in one UPDATE, to rows still tracking only.

    PostgreSQL gets UPDATE ... FROM (VALUES ...): bulk_update's CASE WHEN per field and row cost
    the tracker more Python time building expressions than the database spent running them.
    """
    if connection.vendor != "postgresql":
        Invocation.objects.filter(state=InvocationState.TRACKING).bulk_update(rows, names)
        return
    quote = connection.ops.quote_name
    fields = [Invocation._meta.get_field(name) for name in names]
    pk = Invocation._meta.pk
    casts = [f"%s::{pk.rel_db_type(connection)}", *(f"%s::{field.db_type(connection)}" for field in fields)]
    values = ", ".join([f"({', '.join(casts)})"] * len(rows))
    params = []
    for row in rows:
        params.append(row.pk)
        params += [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    columns = [quote(field.column) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Invocation._meta.db_table)} AS row SET "
            + ", ".join(f"{column} = new.{column}" for column in columns)
            + f" FROM (VALUES {values}) AS new(pk, {', '.join(columns)})"
            + f" WHERE row.{quote(pk.column)} = new.pk AND row.{quote('state')} = %s",
            [*params, InvocationState.TRACKING.value],
        )


def _events(invocation: Invocation, record: dict) -> list[AsyncStatusEvent]:
    status = record.get("status") or ""
    events = [
        AsyncStatusEvent(
            invocation=invocation,
            status=event.get("status", ""),
            at=_from_ms(event.get("timestamp")) or timezone.now(),
            detail=event.get("eventDetail") or "",
            fc_event_id=event.get("eventId"),
        )
        for event in record.get("events") or []
    ]
    if not events and status and status != invocation.async_status:
        events = [AsyncStatusEvent(invocation=invocation, status=status, at=timezone.now())]
    return events


def _changes(invocation: Invocation, record: dict) -> dict:
    status = record.get("status") or ""
    fields = {"async_status": status}
    if record.get("requestId") and not invocation.request_id:
        fields["request_id"] = record["requestId"]
    if record.get("startedTime") and not invocation.fc_started_at:
        fields["fc_started_at"] = _from_ms(record["startedTime"])
    end_state = END_STATES.get(status)
    if end_state:
        error = record.get("invocationErrorMessage") or ""
        reason = _END_REASONS.get(status, "")
        fields.update(
            state=end_state,
            state_reason=f"{reason}: {error}." if reason and error else (f"{reason}." if reason else ""),
            finished_at=_from_ms(record.get("endTime")) or timezone.now(),
            duration_ms=record.get("durationMs"),
            instance_id=record.get("instanceId") or "",
            error_message=error,
        )
        if record.get("returnPayload") is not None:
            fields["response_body"] = str(record["returnPayload"]).encode()
    return fields


def may_stop(invocation: Invocation, user) -> bool:
    """Whether `user` may stop this invocation now (what the page offers; `stop` enforces it)."""
    if not invocation.is_async or invocation.is_terminal:
        return False
    try:
        _check_may_stop(invocation, user)
    except PermissionDenied:
        return False
    return True


def _check_may_stop(invocation: Invocation, user) -> None:
    """Its starter or an admin, with a profile they may still use; else PermissionDenied."""
    role = require_role(user, Role.INVOKER)
    if invocation.user_id != user.pk and role != Role.ADMIN:
        raise PermissionDenied("Only the person who started it or an admin may stop it.")
    if not invocation.profile.is_usable_by(user):
        raise PermissionDenied(f"You may no longer use the profile {invocation.profile.name}.")


def stop(invocation: Invocation, user) -> None:
    """Stop an async task: its starter or an admin, with a profile they may still use.

    A row not yet handed to FC (queued) is simply cancelled here; a task FC is running gets
    StopStatefulAsyncInvocation, and the tracker records Stopping/Stopped as FC reports them.
    """
    _check_may_stop(invocation, user)
    now = timezone.now()
    cancelled = Invocation.objects.finish(
        invocation.pk,
        from_state=InvocationState.QUEUED,
        state=InvocationState.STOPPED,
        state_reason=f"Stopped by {user.get_username()} before it was sent to FC.",
        stop_requested_at=now,
        stopped_by=user,
        finished_at=now,
    )
    if cancelled:
        activity.record("invocation.stopped", actor=user, obj=invocation, after={"before_sending": True})
        return
    invocation.refresh_from_db(fields=["state"])
    if invocation.state != InvocationState.TRACKING or not invocation.is_async:
        raise ValidationError(f"Only a running async task can be stopped; this one is {invocation.state}.")
    task_id = invocation.async_invocation_id
    try:
        invocation.profile.client(invocation.region).stop_stateful_async_invocation(
            invocation.service, invocation.function, task_id, qualifier=invocation.qualifier or None
        )
    except FCError as exc:
        if exc.code == "StatefulAsyncInvocationAlreadyCompleted":
            raise ValidationError("The task had already finished; its final status shows shortly.") from None
        raise ValidationError(outcomes.refused_reason(exc)) from None
    Invocation.objects.filter(pk=invocation.pk, state=InvocationState.TRACKING).update(
        stop_requested_at=now,
        stopped_by=user,
        state_reason=f"Stop requested by {user.get_username()}; waiting for FC to stop the task.",
    )
    activity.record("invocation.stopped", actor=user, obj=invocation, after={"async_invocation_id": task_id})
