"""The home page's figures: what runs now, what fails, what the team uses — a fixed number of
queries, each bounded by an index or a LIMIT, however long the history grows.

Every function takes the user's visible history (`Invocation.objects.for_user(user)`), so a user
without a role gets empty answers without a query.

| part | query | found by |
| --- | --- | --- |
| running and queued | state IN (queued, running), newest LIMIT | `inv_state` |
| async in flight | state = tracking, newest LIMIT | `inv_state` |
| failures, 24 h | state IN (failed, error, unknown) AND created_at >= now - 24 h, grouped | `inv_state` |
| usage window start | the USAGE_ROWS-th newest created_at of 7 days | `inv_created` (index only) |
| most used | created_at >= window start, grouped by function | `inv_recent_usage` (index only) |
| p50/p95 of the top ones | the same window, their timed runs | `inv_recent_usage` (index only) |
| mine | user = me, newest LIMIT | `inv_user` |
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Max, Q
from django.utils import timezone

from invocations.models import Invocation, InvocationState
from invocations.naming import target_name

ACTIVE_LIMIT = 10
RECENT_LIMIT = 10
FAILURE_WINDOW = timedelta(hours=24)
FAILURE_GROUPS = 10
USAGE_WINDOW = timedelta(days=7)
TOP_FUNCTIONS = 8
# The usage window's bound: at most the team's latest USAGE_ROWS invocations of the 7 days. Counts,
# success rates and p50/p95 all come from that one window, so its cost does not grow with traffic
# (a 10,000-row window took 25 ms at 1M rows on 2 loaded cores, see bench/RESULTS.md); 5,000 runs
# are a week of a small team, or the last hours of a busy one, and the page says which.
USAGE_ROWS = 5_000
FAILED_STATES = [InvocationState.FAILED, InvocationState.ERROR, InvocationState.UNKNOWN]

# What a row on the home page shows (the history's row, plus when it started running).
LIVE_FIELDS = [
    "uuid",
    "created_at",
    "started_at",
    "state",
    "state_reason",
    "invocation_type",
    "source",
    "region",
    "service",
    "qualifier",
    "function",
    "duration_ms",
    "error_code",
    "error_type",
    "async_status",
    "async_invocation_id",
    "user__username",
    "profile__name",
]


@dataclass
class Bounded:
    """The newest `limit` rows of a selection, and whether there were more."""

    rows: list
    more: bool


def _newest(queryset, limit: int) -> Bounded:
    rows = list(
        queryset.select_related("user", "profile")
        .only(*LIVE_FIELDS)
        .order_by("-created_at", "-id")[: limit + 1]
    )
    for row in rows:
        row.name = target_name(row.service, row.function, row.qualifier)
    return Bounded(rows[:limit], len(rows) > limit)


def running(visible) -> Bounded:
    """Invocations waiting for or held by a worker, anyone's."""
    return _newest(visible.filter(state__in=[InvocationState.QUEUED, InvocationState.RUNNING]), ACTIVE_LIMIT)


def async_in_flight(visible) -> Bounded:
    """Async tasks FC accepted and the tracker follows, with the status FC last reported."""
    return _newest(visible.filter(state=InvocationState.TRACKING), ACTIVE_LIMIT)


def mine(visible, user) -> Bounded:
    return _newest(visible.filter(user=user), RECENT_LIMIT)


@dataclass
class FailureGroup:
    service: str
    function: str
    state: str
    error_type: str
    error_code: str
    count: int
    last_seen: datetime
    history_query: str = ""  # the history filtered on this group (no error filter there: by state)

    @property
    def name(self) -> str:
        return target_name(self.service, self.function)

    @property
    def error(self) -> str:
        """What went wrong in FC's words: the error code (FC refused), else the function's error type."""
        return self.error_code or self.error_type


def failures(visible, now: datetime) -> tuple[list[FailureGroup], bool]:
    """Failures since `now - FAILURE_WINDOW`, grouped by function and error, most frequent first."""
    groups = (
        visible.filter(state__in=FAILED_STATES, created_at__gte=now - FAILURE_WINDOW)
        .values("service", "function", "state", "error_type", "error_code")
        .annotate(count=Count("id"), last_seen=Max("created_at"))
        .order_by("-count", "-last_seen", "service", "function")[: FAILURE_GROUPS + 1]
    )
    found = [FailureGroup(**g) for g in groups]
    # The history's time filter is to the minute, in the console's time zone.
    since = timezone.localtime(now - FAILURE_WINDOW).strftime("%Y-%m-%dT%H:%M")
    for group in found:
        query = {"function": group.function, "state": group.state, "since": since}
        if group.service:
            query["service"] = group.service
        group.history_query = urlencode(query)
    return found[:FAILURE_GROUPS], len(found) > FAILURE_GROUPS


@dataclass
class FunctionUsage:
    service: str
    function: str
    runs: int
    last_run: datetime
    succeeded: int
    finished: int
    p50: float | None = None
    p95: float | None = None
    timed: int = 0  # durations the percentiles come from

    @property
    def name(self) -> str:
        return target_name(self.service, self.function)

    @property
    def success_percent(self) -> int | None:
        return round(100 * self.succeeded / self.finished) if self.finished else None


@dataclass
class Usage:
    """The most used functions of a window: the last USAGE_WINDOW, or, when the team ran more than
    USAGE_ROWS invocations in it, the latest USAGE_ROWS of them (`since` is then later)."""

    functions: list[FunctionUsage]
    since: datetime
    capped: bool


def usage_window(visible, now: datetime) -> tuple[datetime, bool]:
    """Where the usage window starts: `now - USAGE_WINDOW`, or the time of the USAGE_ROWS-th newest
    invocation when that is later (read from `inv_created` alone: an index-only scan)."""
    since = now - USAGE_WINDOW
    cutoff = list(
        visible.filter(created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[USAGE_ROWS - 1 : USAGE_ROWS]
    )
    return (cutoff[0], True) if cutoff else (since, False)


def most_used(visible, now: datetime) -> Usage:
    """The functions run most in the usage window, with last run, success rate and p50/p95 duration.

    Three queries, each over at most about USAGE_ROWS entries of `inv_recent_usage` (which holds
    every column they read, so PostgreSQL never visits the table): a busy team's week costs no
    more than a quiet one's.
    """
    since, capped = usage_window(visible, now)
    window = visible.filter(created_at__gte=since)
    top = [
        FunctionUsage(**row)
        for row in window.values("service", "function")
        .annotate(
            # Counting `state` (never null), not `id`: the index holds no id, and one column
            # outside it sent PostgreSQL to the table (a 10 ms bitmap heap scan at 1M rows).
            runs=Count("state"),
            last_run=Max("created_at"),
            succeeded=Count("state", filter=Q(state=InvocationState.SUCCEEDED)),
            finished=Count("state", filter=Q(state__in=InvocationState.terminal())),
        )
        .order_by("-runs", "-last_run", "service", "function")[:TOP_FUNCTIONS]
    ]
    if top:
        timed = window.filter(
            reduce(or_, (Q(service=u.service, function=u.function) for u in top)), duration_ms__isnull=False
        )
        figures = percentiles_sql(timed) if connection.vendor == "postgresql" else percentiles_python(timed)
        for usage in top:
            p50, p95, usage.timed = figures.get((usage.service, usage.function), (None, None, 0))
            # To a tenth of a millisecond: interpolation leaves float dust (88.00000000000001).
            usage.p50, usage.p95 = (None, None) if p50 is None else (round(p50, 1), round(p95, 1))
    return Usage(top, since, capped)


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles_sql(timed) -> dict:
    """{(service, function): (p50, p95, n)} of the durations in `timed`, by percentile_cont."""
    rows = (
        timed.values("service", "function")
        .annotate(
            p50=PercentileCont("duration_ms", 0.5),
            p95=PercentileCont("duration_ms", 0.95),
            n=Count("duration_ms"),
        )
        .order_by()
    )
    return {(r["service"], r["function"]): (r["p50"], r["p95"], r["n"]) for r in rows}


def percentiles_python(timed) -> dict:
    """The same figures on a database without percentile_cont (SQLite, the embedded default):
    the window's durations (at most about USAGE_ROWS) interpolated here as percentile_cont does."""
    durations: dict[tuple[str, str], list[float]] = {}
    for service, function, duration in timed.order_by().values_list("service", "function", "duration_ms"):
        durations.setdefault((service, function), []).append(duration)
    return {
        key: (percentile_cont(values, 0.5), percentile_cont(values, 0.95), len(values))
        for key, values in durations.items()
    }


def percentile_cont(values: list[float], fraction: float) -> float:
    """PostgreSQL's percentile_cont: linear interpolation between the ranks around `fraction`."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Live:
    """The part of the home page that polls: what runs now and the user's latest invocations."""

    running: Bounded
    async_in_flight: Bounded
    mine: Bounded

    @property
    def active(self) -> bool:
        return bool(self.running.rows or self.async_in_flight.rows)


def live(user) -> Live:
    visible = Invocation.objects.for_user(user)
    return Live(running(visible), async_in_flight(visible), mine(visible, user))


@dataclass
class Home:
    live: Live
    failures: list[FailureGroup]
    more_failures: bool
    usage: Usage
    now: datetime

    @property
    def failures_since(self) -> datetime:
        return self.now - FAILURE_WINDOW


def home(user) -> Home:
    now = timezone.now()
    visible = Invocation.objects.for_user(user)
    groups, more = failures(visible, now)
    return Home(live(user), groups, more, most_used(visible, now), now)
