"""History at scale: the history page, its filters and the invocation page over 1,000,000 rows.

Baseline: the same requests over the first 1,000 rows of the same generated history, measured in
this run before the rest is loaded — so the ratio says how much the page slows as history grows
(1.0 = not at all), and the query counts must match (constant queries per page).
Server time is measured in-process: the view through Django's test client (middleware, session,
view, template), logged in as an invoker. p50/p95 from BENCH_HISTORY_SAMPLES requests per case
after a warm-up; every SELECT of one request is EXPLAIN ANALYZEd into the work directory and the
slowest one's access path quoted in the note.
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

    from invocations.forms.history import encode_cursor
    from invocations.models import Invocation

    # A function and a user of middling popularity (the generator skews towards low indexes).
    fn = 40
    user = get_user_model().objects.get(pk=history.user_ids[8])
    day = (timezone.now() - timedelta(days=60)).replace(hour=0, minute=0, second=0, microsecond=0)
    since = (day - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    function = {"service": history.service_of(fn), "function": history.function_of(fn)}
    # A page deep in the history: the cursor of a row ~half-way back in time.
    middle = Invocation.objects.filter(created_at__lt=day).order_by("-created_at", "-id").first()
    return [
        Case("all", {}),
        Case("service+function", function),
        Case("function name only", {"function": function["function"]}),
        Case("user", {"user": user.username}),
        Case("rare user (1 in 100k rows)", {"user": "rare-user"}),
        Case("rare function name only", {"function": dataset.RARE_FUNCTION}),
        Case("state=failed (5%)", {"state": "failed"}),
        Case("state=stopped (1%)", {"state": "stopped"}),
        Case(
            "time range (1 day)",
            {
                "since": day.strftime("%Y-%m-%dT%H:%M"),
                "until": (day + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            },
        ),
        Case("function+state+30 days", {**function, "state": "succeeded", "since": since}),
        Case("older page, 60 days back", {"cursor": encode_cursor(middle)}),
    ]


class Pages:
    """The history and invocation pages through Django's test client: middleware, view, template."""

    def __init__(self, history: dataset.History):
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.client = Client()
        self.client.force_login(get_user_model().objects.get(pk=history.user_ids[0]))

    def _get(self, url: str, params: dict | None = None) -> Callable[[], int]:
        def request() -> int:
            response = self.client.get(url, params or {})
            if response.status_code != 200:
                raise RuntimeError(f"{url} {params} answered {response.status_code}")
            return response.content.count(b'<a href="/invocations/')

        return request

    def list(self, filters: dict):
        from django.urls import reverse

        return self._get(reverse("history"), filters)

    def detail(self, uuid):
        from django.urls import reverse

        return self._get(reverse("invocation", args=[uuid]))


def measure(pages, history, n: int, warmup: int) -> dict[str, tuple[list[float], list[str], Callable, int]]:
    """Per case: (samples in ms, the SQL of one request, the request, rows linked on the page)."""
    from django.db import connection

    from invocations.models import Invocation

    out = {}
    targets = [(c.name, pages.list(c.filters)) for c in cases(history)]
    newest = Invocation.objects.order_by("-created_at").values_list("uuid", flat=True).first()
    targets.append(("invocation page", pages.detail(newest)))
    for name, request in targets:
        statements: list[str] = []
        # Not CaptureQueriesContext: the request_started signal empties the log it reads.
        with connection.execute_wrapper(_recorder(statements)):
            linked = request()
        samples = timed_samples(request, n, warmup)
        out[name] = (samples, statements, request, linked)
    return out


def _recorder(statements: list[str]):
    """An execute wrapper that keeps each statement with its parameters bound, as sent."""

    def record(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        statements.append(
            context["connection"].ops.last_executed_query(context["cursor"].cursor, sql, params)
        )
        return result

    return record


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
    pages = Pages(history)

    dataset.add_rows(history, BASELINE_ROWS)
    baseline = measure(pages, history, n, warmup)
    dataset.add_rows(history, rows_wanted)
    ctx.note(f"history: {rows_wanted:,} rows generated and indexed in {history.load_seconds:.0f} s")
    measured = measure(pages, history, n, warmup)

    report = []
    out = []
    for name, (samples, statements, request, linked) in measured.items():
        base_samples, base_statements, _, _ = baseline[name]
        plans = explain(statements)
        report.append(f"== {name}\n" + "\n\n".join(plan for _, plan in plans))
        slowest_ms, slowest = max(plans, default=(0.0, ""))
        kind = "count" if "COUNT(" in slowest.upper() else "query"
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        shown = "" if name == "invocation page" else f"{linked} rows shown; "
        target = Target("<=", 50)
        profile = ""
        if not target.met(p95):
            slug = "".join(c if c.isalnum() else "-" for c in name)
            repeat = max(1, min(20, int(2000 / p50)))  # about two seconds of profile
            profile = "; " + profiling.in_process(
                request, repeat, ctx.workdir / f"history-{slug}.profile.txt"
            )
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
                note=f"p50 {p50:.1f} ms (base {percentile(base_samples, 50):.1f}); {shown}{queries} queries "
                f"({same} {BASELINE_ROWS:,}); slowest: {kind} {slowest_ms:.1f} ms, {access_path(slowest)}; "
                f"{sample_note(len(samples), warmup, n)}{profile}",
            )
        )
    (ctx.workdir / "history-plans.txt").write_text("\n\n".join(report))
    return out
