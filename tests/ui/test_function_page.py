import datetime as dt

import pytest
from django.utils import timezone

from invocations.models import Invocation

pytestmark = pytest.mark.django_db


def test_it_charts_duration_and_memory_of_recent_invocations(
    login, viewer, invoker, profile, make_invocation
):
    for minutes, (duration, memory) in enumerate([(10.0, 20.0), (30.0, 25.0), (20.0, 22.0)]):
        inv = make_invocation(
            invoker, profile, state="succeeded", duration_ms=duration, max_memory_used_mb=memory
        )
        Invocation.objects.filter(pk=inv.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=10 - minutes)
        )
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    assert '<svg class="chart"' in html
    # Each run's duration as a dot; p50 and p95 per time bucket as lines (issue 17).
    assert html.count('<polyline class="series p50"') == 1
    assert html.count('<polyline class="series p95"') == 1
    assert html.count('<polyline class="series memory"') == 1
    assert html.count('<circle class="dot duration"') == 3
    assert "Duration: " in html and "30 ms" in html


def test_it_shows_the_success_ratio(login, viewer, invoker, profile, make_invocation):
    for state in ["succeeded", "succeeded", "succeeded", "failed", "running"]:
        make_invocation(invoker, profile, state=state)
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    assert "75%" in html
    assert "succeeded: 3 of 4 finished, 1 failed or errored." in html


def test_it_only_counts_this_function(login, viewer, invoker, profile, make_invocation):
    make_invocation(invoker, profile, function="hello", state="succeeded")
    other = make_invocation(invoker, profile, function="fail", state="failed")
    html = login(viewer).get("/functions/demo/hello/").content.decode()
    assert str(other.uuid) not in html
    assert "100%" in html


def test_it_says_when_nothing_was_measured(login, viewer):
    html = login(viewer).get("/functions/demo/never-run/").content.decode()
    assert "No measured invocations yet." in html
    assert "Nothing finished yet." in html
