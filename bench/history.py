"""History at scale: the history page, its filters and the invocation page over 1,000,000 rows.

Baseline: the same requests over the first 1,000 rows of the same generated history, measured in
this run before the rest is loaded — so the ratio says how much the page slows as history grows
(1.0 = not at all), and the query counts must match (constant queries per page).
Server time is measured in-process: the view through Django's test client (middleware, view,
template), or, until the page exists, the queries the page needs. p50/p95 from BENCH_HISTORY_SAMPLES
requests per case after a warm-up; the EXPLAIN of each case is written to the work directory and
its top plan node quoted in the note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bench import dataset, profiling
from bench.common import Row, Target, percentile, sample_note, timed_samples

TITLE = "history page, filters and invocation page over generated rows (vs the same at 1,000 rows)"
PAGE_SIZE = 50
BASELINE_ROWS = 1_000


@dataclass
class Case:
    name: str
    filters: dict  # query-string parameters of the history page


def cases(history: dataset.History) -> list[Case]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    # A function and a user of middling popularity (the generator skews towards low indexes).
    fn = 40
    user = get_user_model().objects.get(pk=history.user_ids[8])
    day = (timezone.now() - timedelta(days=60)).replace(hour=0, minute=0, second=0, microsecond=0)
    function = {"service": history.service_of(fn), "function": history.function_of(fn)}
    return [
        Case("all", {}),
        Case("function", function),
        Case("user", {"user": user.username}),
        Case("state=failed (5%)", {"state": "failed"}),
        Case("state=stopped (1%)", {"state": "stopped"}),
        Case(
            "time range (1 day)", {"since": day.isoformat(), "until": (day + timedelta(days=1)).isoformat()}
        ),
        Case(
            "function+state+30 days",
            {**function, "state": "succeeded", "since": (day - timedelta(days=30)).isoformat()},
        ),
    ]


class QuerysetPage:
    """The queries a history page needs (a count for the pager, one page of rows with who/which
    profile), for trees where the page itself has not landed."""

    kind = "queryset (no history page in this tree)"

    def __init__(self, history: dataset.History):
        self.history = history

    def _filtered(self, filters: dict):
        from django.contrib.auth import get_user_model

        from invocations.models import Invocation

        qs = Invocation.objects.select_related("user", "profile").order_by("-created_at", "-id")
        if "service" in filters:
            qs = qs.filter(service=filters["service"], function=filters["function"])
        if "user" in filters:
            qs = qs.filter(user=get_user_model().objects.get(username=filters["user"]))
        if "state" in filters:
            qs = qs.filter(state=filters["state"])
        if "since" in filters:
            qs = qs.filter(created_at__gte=filters["since"])
        if "until" in filters:
            qs = qs.filter(created_at__lt=filters["until"])
        return qs

    def list(self, filters: dict):
        qs = self._filtered(filters)
        return lambda: (qs.count(), list(qs[:PAGE_SIZE]))

    def detail(self, uuid):
        from invocations.models import Invocation

        return lambda: Invocation.objects.select_related("user", "profile").get(uuid=uuid)


def measure(page, history, n: int, warmup: int) -> dict[str, tuple[list[float], list[str], Callable]]:
    """Per case: (samples in ms, the SQL of one request, the request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from invocations.models import Invocation

    out = {}
    targets = [(c.name, page.list(c.filters)) for c in cases(history)]
    newest = Invocation.objects.order_by("-created_at").values_list("uuid", flat=True).first()
    targets.append(("invocation page", page.detail(newest)))
    for name, request in targets:
        with CaptureQueriesContext(connection) as queries:
            request()
        samples = timed_samples(request, n, warmup)
        out[name] = (samples, [q["sql"] for q in queries.captured_queries], request)
    return out


def explain(statements: list[str]) -> list[tuple[float, str]]:
    """(execution ms, plan text) of each SELECT, by EXPLAIN ANALYZE."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            text = "\n".join(line for (line,) in cursor.fetchall())
            ms = float(text.rsplit("Execution Time: ", 1)[1].split(" ")[0])
            plans.append((ms, f"{sql}\n{text}"))
    return plans


def access_path(plan: str) -> str:
    """How the rows are found: 'Incremental Sort < Index Scan using inv_user', from a plan."""
    nodes = []
    for line in plan.splitlines():
        text = line.strip()
        if not (text.startswith("->") or (not nodes and "(cost=" in text)):
            continue
        text = text.removeprefix("->").strip().split("  (")[0].removesuffix(" on invocations_invocation")
        if any(word in text for word in ("Sort", "Scan", "Aggregate")):
            nodes.append(text)
        if "Scan" in text:
            break
    return " < ".join(nodes)


def run(ctx) -> list[Row]:
    rows_wanted = ctx.scale("HISTORY_ROWS", 1_000_000)
    n = ctx.scale("HISTORY_SAMPLES", 200)
    warmup = 20
    history = dataset.history(ctx)
    page = QuerysetPage(history)

    dataset.add_rows(history, BASELINE_ROWS)
    baseline = measure(page, history, n, warmup)
    dataset.add_rows(history, rows_wanted)
    ctx.note(f"history: {rows_wanted:,} rows generated and indexed in {history.load_seconds:.0f} s")
    measured = measure(page, history, n, warmup)

    report = []
    out = []
    for name, (samples, statements, request) in measured.items():
        base_samples, base_statements, _ = baseline[name]
        plans = explain(statements)
        report.append(f"== {name}\n" + "\n\n".join(plan for _, plan in plans))
        slowest_ms, slowest = max(plans, default=(0.0, ""))
        kind = "count" if "COUNT(" in slowest.upper() else "query"
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        target = Target("<=", 50)
        profile = ""
        if not target.met(p95):
            slug = "".join(c if c.isalnum() else "-" for c in name)
            profile = "; " + profiling.in_process(request, 20, ctx.workdir / f"history-{slug}.profile.txt")
        queries = len(statements)
        same = "same as" if queries == len(base_statements) else f"NOT constant: {len(base_statements)} at"
        out.append(
            Row(
                "history",
                f"{name} p95",
                p95,
                "ms",
                baseline=f"{BASELINE_ROWS:,} rows",
                baseline_value=percentile(base_samples, 95),
                target=target,
                note=f"p50 {p50:.1f} ms (base {percentile(base_samples, 50):.1f}); {queries} queries "
                f"({same} {BASELINE_ROWS:,}); slowest: {kind} {slowest_ms:.1f} ms, {access_path(slowest)}; "
                f"{page.kind}; {sample_note(n, warmup)}{profile}",
            )
        )
    (ctx.workdir / "history-plans.txt").write_text("\n\n".join(report))
    return out
