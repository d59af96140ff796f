"""The function page (issue 17): charts with real axes and units, p50/p95, stopped apart."""

import datetime as dt

import pytest
from django.utils import timezone

from invocations.models import Invocation

pytestmark = pytest.mark.django_db


def at(invocation, minutes_ago: float) -> None:
    Invocation.objects.filter(pk=invocation.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )


def test_a_sub_millisecond_function_has_tenths_of_a_millisecond_on_its_axis(
    login, viewer, invoker, profile, make_invocation
):
    for minutes, duration in [(3, 0.31), (2, 0.56), (1, 0.42)]:
        at(
            make_invocation(invoker, profile, state="succeeded", duration_ms=duration, max_memory_used_mb=21),
            minutes,
        )
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    for label in ("0 ms", "0.2 ms", "0.4 ms", "0.6 ms"):
        assert f">{label}</text>" in html
    assert ">1 ms</text>" not in html
    assert "Duration (ms)" in html and "Memory (MB)" in html
    assert ">20 MB</text>" in html and ">30 MB</text>" in html
    assert "Time (UTC)" in html


def test_a_six_second_function_reads_in_seconds(login, viewer, invoker, profile, make_invocation):
    for minutes, duration in [(2, 3000.0), (1, 6000.0)]:
        at(make_invocation(invoker, profile, state="succeeded", duration_ms=duration), minutes)
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    assert [f">{s} s</text>" in html for s in (0, 2, 4, 6)] == [True] * 4
    assert "6603 ms" not in html and "6000 ms" not in html
    assert "Memory (" not in html  # nothing measured: no memory panel


def test_p50_and_p95_are_drawn_per_time_bucket(login, viewer, invoker, profile, make_invocation):
    hour = (timezone.now() - dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    # 36 minutes of runs: 5-minute buckets; three runs in the first, two in the last.
    for minute, duration in [(0, 100.0), (1, 300.0), (2, 200.0), (35, 40.0), (36, 60.0)]:
        run = make_invocation(invoker, profile, state="succeeded", duration_ms=duration)
        Invocation.objects.filter(pk=run.pk).update(created_at=hour + dt.timedelta(minutes=minute))
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    assert html.count('<circle class="mark p50"') == html.count('<circle class="mark p95"') == 2
    assert "3 runs · p50 200 ms" in html and "3 runs · p95 290 ms" in html
    assert "2 runs · p50 50 ms" in html


def test_a_stopped_task_is_neither_a_success_nor_a_failure(login, viewer, invoker, profile, make_invocation):
    for state in ["succeeded", "succeeded", "failed", "stopped", "unknown"]:
        make_invocation(invoker, profile, state=state)
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    assert "67%" in html
    assert "succeeded: 2 of 3 finished, 1 failed or errored." in html
    assert "1 stopped, 1 with an unknown outcome: neither succeeded nor failed, not counted." in html


def test_only_stopped_tasks_give_no_rate(login, viewer, invoker, profile, make_invocation):
    make_invocation(invoker, profile, state="stopped")
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    assert "No run has succeeded or failed yet." in html
    assert "failed or errored" not in html
    assert "1 stopped:" in html
