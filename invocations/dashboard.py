"""The home page's figures: what runs now, what fails, what the team uses — a fixed number of
queries, each bounded by an index or a LIMIT, however long the history grows.

Every function takes the user's visible history (`Invocation.objects.for_user(user)`), so a user
without a role gets empty answers without a query.

| part | query | found by |
| --- | --- | --- |
| running and queued | state IN (queued, running), newest LIMIT | `inv_state` |
| async in flight | state = tracking, newest LIMIT | `inv_state` |
| failures, 24 h | state IN (failed, error, unknown) AND created_at >= now - 24 h, grouped | `inv_state` |
| most used, 7 days | created_at >= now - 7 days, grouped by function | `inv_created` |
| p50/p95 per top function | its latest PERCENTILE_SAMPLE timed runs of those 7 days | `inv_function` |
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
from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from invocations.fc.targets import Target
from invocations.models import Invocation, InvocationState

ACTIVE_LIMIT = 20
RECENT_LIMIT = 10
FAILURE_WINDOW = timedelta(hours=24)
FAILURE_GROUPS = 10
USAGE_WINDOW = timedelta(days=7)
TOP_FUNCTIONS = 8
# Durations behind each top function's p50/p95: its latest runs in the usage window, at most this
# many. Bounded so the cost does not grow with traffic (8 x 500 index rows at worst); 500 runs put
# the p95 within about one percentile rank of the true one, and recent runs are the ones that
# tell how the function behaves now.
PERCENTILE_SAMPLE = 500
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


def target_name(service: str, function: str, qualifier: str = "") -> str:
    """`service/function` for FC 2.0, `function` (or `function:qualifier`) for FC 3.0."""
    return str(Target("", function, service, qualifier))


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
        row.name = str(row.target)
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


def most_used(visible, now: datetime) -> list[FunctionUsage]:
    """The functions run most since `now - USAGE_WINDOW`, with success rate and p50/p95 duration."""
    since = now - USAGE_WINDOW
    top = [
        FunctionUsage(**row)
        for row in visible.filter(created_at__gte=since)
        .values("service", "function")
        .annotate(
            runs=Count("id"),
            last_run=Max("created_at"),
            succeeded=Count("id", filter=Q(state=InvocationState.SUCCEEDED)),
            finished=Count("id", filter=Q(state__in=InvocationState.terminal())),
        )
        .order_by("-runs", "-last_run", "service", "function")[:TOP_FUNCTIONS]
    ]
    if top:
        pairs = [(u.service, u.function) for u in top]
        figures = percentiles_sql(pairs, since) if connection.vendor == "postgresql" else None
        if figures is None:
            figures = percentiles_python(visible, pairs, since)
        for usage in top:
            p50, p95, usage.timed = figures.get((usage.service, usage.function), (None, None, 0))
            # To a tenth of a millisecond: interpolation leaves float dust (88.00000000000001).
            usage.p50, usage.p95 = (None, None) if p50 is None else (round(p50, 1), round(p95, 1))
    return top


def percentiles_sql(pairs: list[tuple[str, str]], since: datetime) -> dict:
    """{(service, function): (p50, p95, n)} by PostgreSQL's percentile_cont, in one statement:
    for each function, its latest PERCENTILE_SAMPLE timed runs since `since`, read backwards
    along `inv_function` (service, function, -created_at)."""
    table = connection.ops.quote_name(Invocation._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(pairs))
    sql = f"""
        SELECT t.service, t.function,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY d.duration_ms),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY d.duration_ms),
            count(*)
        FROM (VALUES {values}) AS t (service, function)
        CROSS JOIN LATERAL (
            SELECT i.duration_ms FROM {table} i
            WHERE i.service = t.service AND i.function = t.function
                AND i.created_at >= %s AND i.duration_ms IS NOT NULL
            ORDER BY i.created_at DESC
            LIMIT %s
        ) AS d
        GROUP BY t.service, t.function
    """  # noqa: S608 - the table name is the model's; every value is a parameter
    params = [value for pair in pairs for value in pair] + [since, PERCENTILE_SAMPLE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(s, f): (p50, p95, n) for s, f, p50, p95, n in cursor.fetchall()}


def percentiles_python(visible, pairs: list[tuple[str, str]], since: datetime) -> dict:
    """The same figures on any database (SQLite has no percentile_cont): the same bounded
    window of durations in one query (a window function numbers each function's runs), the
    percentiles interpolated here as percentile_cont does."""
    which = reduce(or_, (Q(service=s, function=f) for s, f in pairs))
    rows = (
        visible.filter(which, created_at__gte=since, duration_ms__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("service"), F("function")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=PERCENTILE_SAMPLE)
        .order_by()
        .values_list("service", "function", "duration_ms")
    )
    durations: dict[tuple[str, str], list[float]] = {}
    for service, function, duration in rows:
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
    most_used: list[FunctionUsage]
    now: datetime

    @property
    def failures_since(self) -> datetime:
        return self.now - FAILURE_WINDOW


def home(user) -> Home:
    now = timezone.now()
    visible = Invocation.objects.for_user(user)
    groups, more = failures(visible, now)
    return Home(live(user), groups, more, most_used(visible, now), now)
