"""The home page over 1,000,000 history rows: server time p50/p95 and its queries, beside the
history page measured in the same run.

Baseline: the history page (no filter) at the same size, same run, same client — the page the
home's figures are compared with. The home is also measured over the first 1,000 rows when this
benchmark generates them itself, so that the query count is shown constant as history grows.
The generated history is all finished (bench/dataset.py); some rows in flight are added (running,
queued, async tasks tracking), as a busy team would have them. Every SELECT of one request is
EXPLAIN ANALYZEd into the work directory; the note names each one's access path.
"""

from __future__ import annotations

from bench import dataset, profiling
from bench import history as history_bench
from bench.common import Row, Target, percentile, sample_note, timed_samples

TITLE = "home page over generated rows (vs the history page in the same run)"
BASELINE_ROWS = 1_000
# In flight at the time of measuring: more than the page shows, so the LIMITs are exercised.
IN_FLIGHT = {"running": 30, "queued": 200, "tracking": 500}


def add_in_flight(history: dataset.History) -> None:
    """Rows a busy team has in flight (the generated history has none), once per run."""
    from django.utils import timezone

    from invocations.models import Invocation

    if Invocation.objects.filter(state__in=list(IN_FLIGHT)).exists():
        return
    now = timezone.now()
    rows = []
    for state, count in IN_FLIGHT.items():
        for i in range(count):
            fn = i % 40
            rows.append(
                Invocation(
                    user_id=history.user_ids[i % len(history.user_ids)],
                    profile_id=history.profile_ids[i % len(history.profile_ids)],
                    region="cn-hangzhou",
                    # FC 2.0 like the generated rows: the history page (the baseline) cannot
                    # yet render a row without a service (its function link needs one).
                    service=history.service_of(fn),
                    function=history.function_of(fn),
                    invocation_type="async" if state == "tracking" else "sync",
                    async_invocation_id=f"bench-in-flight-{state}-{i}" if state == "tracking" else "",
                    async_status="Running" if state == "tracking" else "",
                    state=state,
                    started_at=None if state == "queued" else now,
                )
            )
    Invocation.objects.bulk_create(rows, batch_size=500)


def measure(client, url: str, n: int, warmup: int) -> tuple[list[float], list[str], object]:
    from django.db import connection

    def request() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    statements: list[str] = []
    with connection.execute_wrapper(history_bench._recorder(statements)):
        request()
    return timed_samples(request, n, warmup), statements, request


def run(ctx) -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    rows_wanted = ctx.scale("HISTORY_ROWS", 1_000_000)
    n = ctx.scale("HOME_SAMPLES", 200)
    warmup = 20
    history = dataset.history(ctx)
    client = Client()
    client.force_login(get_user_model().objects.get(pk=history.user_ids[0]))
    home, live, history_page = reverse("home"), reverse("home-live"), reverse("history")

    small = None
    if history.rows < BASELINE_ROWS:
        dataset.add_rows(history, BASELINE_ROWS)
        add_in_flight(history)
        small = measure(client, home, n, warmup)
    dataset.add_rows(history, rows_wanted)
    add_in_flight(history)
    ctx.note(f"home: {history.rows:,} generated rows plus {sum(IN_FLIGHT.values())} in flight")

    measured = {
        "home": measure(client, home, n, warmup),
        "home live fragment": measure(client, live, n, warmup),
        "history (baseline)": measure(client, history_page, n, warmup),
    }
    base_samples = measured["history (baseline)"][0]
    base_p95 = percentile(base_samples, 95)
    report, out = [], []
    for name in ("home", "home live fragment"):
        samples, statements, request = measured[name]
        plans = history_bench.explain(statements)
        report.append(f"== {name}\n" + "\n\n".join(plan for _, plan in plans))
        paths = "; ".join(f"{ms:.1f} ms {history_bench.access_path(plan) or 'no scan'}" for ms, plan in plans)
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        target = Target("<=", 50)
        constant = ""
        if small is not None and name == "home":
            same = len(small[1]) == len(statements)
            constant = (
                f" ({'same as' if same else 'NOT constant: ' + str(len(small[1])) + ' at'} {BASELINE_ROWS:,} rows,"
                f" where p95 was {percentile(small[0], 95):.1f} ms)"
            )
        profile = ""
        if not target.met(p95):
            repeat = max(1, min(20, int(2000 / p50)))
            slug = name.replace(" ", "-")
            profile = "; " + profiling.in_process(request, repeat, ctx.workdir / f"{slug}.profile.txt")
        out.append(
            Row(
                "home",
                f"{name} p95",
                p95,
                "ms",
                baseline=f"history page p95, {history.rows:,} rows, same run",
                baseline_value=base_p95,
                target=target,
                note=f"p50 {p50:.1f} ms (history {percentile(base_samples, 50):.1f}); "
                f"{len(statements)} queries{constant}; SELECTs by EXPLAIN ANALYZE: {paths}; "
                f"{sample_note(len(samples), warmup, n)}{profile}",
            )
        )
    (ctx.workdir / "home-plans.txt").write_text("\n\n".join(report))
    return out
