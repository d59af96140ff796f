"""The functions: every one the user's profiles reach, and one function's recent invocations.

FC 2.0 functions live in a service (/functions/<service>/<function>/); FC 3.0 functions have
none (/functions/<function>/), and their page counts only the rows without a service.

Outcomes are counted one way on both pages: the success rate is succeeded over the runs that
came to an outcome (succeeded, failed, error); a stopped task and an unknown outcome are neither
a success nor a failure, and are shown apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Max, Q
from django.shortcuts import render
from django.utils import timezone

from invocations import browse
from invocations.access import role_required
from invocations.charts import duration_memory_chart, percentile
from invocations.models import CredentialProfile, Invocation, InvocationState, Role
from invocations.views.history import ROW_FIELDS

RECENT = 100
WINDOW = dt.timedelta(days=7)
FAILED_STATES = (InvocationState.FAILED, InvocationState.ERROR)


@dataclass
class Outcomes:
    succeeded: int = 0
    failed: int = 0  # failed or error
    stopped: int = 0
    unknown: int = 0

    @property
    def decided(self) -> int:
        return self.succeeded + self.failed

    @property
    def success_percent(self) -> int | None:
        return round(100 * self.succeeded / self.decided) if self.decided else None


def _outcomes(states) -> Outcomes:
    counted = Outcomes()
    for state in states:
        if state == InvocationState.SUCCEEDED:
            counted.succeeded += 1
        elif state in FAILED_STATES:
            counted.failed += 1
        elif state == InvocationState.STOPPED:
            counted.stopped += 1
        elif state == InvocationState.UNKNOWN:
            counted.unknown += 1
    return counted


# -- the Functions page --------------------------------------------------------------------


class Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont (interpolating, as charts.percentile)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass
class FunctionRow:
    service: str
    function: str
    listed_by: list[tuple[str, str]] = field(default_factory=list)  # (profile name, region)
    runs: int = 0  # in the window
    outcomes: Outcomes = field(default_factory=Outcomes)
    p50: float | None = None
    p95: float | None = None
    last_run: dt.datetime | None = None  # ever

    @property
    def is_fc3(self) -> bool:
        return not self.service


def history_figures(user, since: dt.datetime) -> dict[tuple[str, str], FunctionRow]:
    """Per (service, function) of the user's visible history: runs, outcomes and p50/p95
    duration since `since`, and the last run ever. One query on PostgreSQL (two elsewhere:
    SQLite has no percentile, so the durations come back to Python), whatever the number of
    functions."""
    recent = Q(created_at__gte=since)
    on_postgres = connection.vendor == "postgresql"
    aggregates = {
        "runs": Count("id", filter=recent),
        "succeeded": Count("id", filter=recent & Q(state=InvocationState.SUCCEEDED)),
        "failed": Count("id", filter=recent & Q(state__in=FAILED_STATES)),
        "stopped": Count("id", filter=recent & Q(state=InvocationState.STOPPED)),
        "unknown": Count("id", filter=recent & Q(state=InvocationState.UNKNOWN)),
        "last_run": Max("created_at"),
    }
    if on_postgres:
        aggregates["p50"] = Percentile("duration_ms", 0.5, filter=recent)
        aggregates["p95"] = Percentile("duration_ms", 0.95, filter=recent)
    history = Invocation.objects.for_user(user)
    rows = {}
    for found in history.values("service", "function").annotate(**aggregates).order_by():
        rows[found["service"], found["function"]] = FunctionRow(
            found["service"],
            found["function"],
            runs=found["runs"],
            outcomes=Outcomes(found["succeeded"], found["failed"], found["stopped"], found["unknown"]),
            p50=found.get("p50"),
            p95=found.get("p95"),
            last_run=found["last_run"],
        )
    if not on_postgres:
        durations: dict[tuple[str, str], list[float]] = {}
        measured = history.filter(recent, duration_ms__isnull=False)
        for service, function, duration in measured.values_list("service", "function", "duration_ms"):
            durations.setdefault((service, function), []).append(duration)
        for key, values in durations.items():
            rows[key].p50, rows[key].p95 = percentile(values, 0.5), percentile(values, 0.95)
    return rows


@role_required(Role.VIEWER)
def function_list(request):
    profiles = list(CredentialProfile.objects.usable_by(request.user).order_by("name"))
    listings = browse.listings(profiles)
    rows = history_figures(request.user, timezone.now() - WINDOW)
    by_pk = {p.pk: p for p in profiles}
    for listed in listings:
        for key in listed.functions:
            row = rows.get(key) or rows.setdefault(key, FunctionRow(*key))
            row.listed_by.append((by_pk[listed.profile_pk].name, listed.region))
    ctx = {
        "rows": sorted(rows.values(), key=lambda r: (r.service, r.function)),
        "listings": [(by_pk[listed.profile_pk], listed) for listed in listings],
        "regions": sorted({listed.region for listed in listings}),
        "window_days": WINDOW.days,
        "cache_seconds": browse.CACHE_SECONDS,
        "max_items": browse.MAX_ITEMS,
        "unlisted": sum(1 for r in rows.values() if not r.listed_by),
    }
    return render(request, "invocations/functions.html", ctx)


# -- one function --------------------------------------------------------------------------


@role_required(Role.VIEWER)
def function_detail(request, function, service=""):
    recent = list(
        Invocation.objects.for_user(request.user)
        .filter(service=service, function=function)
        .select_related("user", "profile")
        .only(*ROW_FIELDS)
        .order_by("-created_at", "-id")[:RECENT]
    )
    ctx = {
        "service": service,
        "function": function,
        "is_fc3": not service,
        "recent": recent,
        "outcomes": _outcomes(i.state for i in recent),
        "chart": duration_memory_chart(list(reversed(recent))),
    }
    return render(request, "invocations/function.html", ctx)
