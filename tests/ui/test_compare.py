"""The compare page: two invocations side by side, and history's link to the previous run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invocations import compare


def compare_url(a, b):
    return reverse("invocation-compare", args=[a.uuid, b.uuid])


@pytest.fixture
def pair(make_invocation, invoker, profile):
    def make(body_a: bytes, body_b: bytes, **fields):
        a = make_invocation(invoker, profile, state="succeeded", response_body=body_a, **fields)
        b = make_invocation(invoker, profile, state="succeeded", response_body=body_b, **fields)
        return a, b

    return make


def test_json_results_are_diffed_pretty_printed_with_keys_sorted(login, viewer, pair):
    a, b = pair(b'{"b": 1, "a": {"x": [1, 2]}}', b'{"a":{"x":[1,3]},"b":1}')
    diff = compare.result_diff(a, b)
    assert diff.kind == "json" and not diff.same
    changed = [line for cls, line in diff.lines if cls in ("add", "del")]
    assert changed == ["-      2", "+      3"]

    page = login(viewer).get(compare_url(a, b)).content.decode()
    assert "JSON, keys sorted" in page
    assert '<span class="del">-      2</span>' in page and '<span class="add">+      3</span>' in page


def test_json_that_only_differs_in_key_order_or_spacing_is_the_same(pair):
    a, b = pair(b'{"a": 1, "b": 2}', b'{"b":2,"a":1}')
    assert compare.result_diff(a, b).same


def test_text_results_get_a_text_diff(login, viewer, pair):
    a, b = pair(b"hello\nworld\n", b"hello\nthere\n")
    diff = compare.result_diff(a, b)
    assert diff.kind == "text"
    assert [line for cls, line in diff.lines if cls in ("add", "del")] == ["-world", "+there"]
    # JSON on one side only: both are compared as text.
    a, b = pair(b'{"a": 1}', b"not json")
    assert compare.result_diff(a, b).kind == "text"
    page = login(viewer).get(compare_url(a, b)).content.decode()
    assert '<span class="add">+not json</span>' in page


def test_binary_results_are_said_to_differ_not_diffed(pair):
    a, b = pair(b"\xff\xfe", b"\xff\xfd")
    diff = compare.result_diff(a, b)
    assert (diff.kind, diff.same, diff.lines) == ("binary", False, [])


def test_metric_deltas_show_sign_and_percent(login, viewer, pair):
    a, b = pair(b"1", b"1")
    for row, values in ((a, (200.0, 200, 40.0)), (b, (150.0, 300, 40.0))):
        row.duration_ms, row.billed_duration_ms, row.max_memory_used_mb = values
        row.memory_size_mb = 128
        row.save()
    deltas = {d.label: d for d in compare.metric_deltas(a, b)}
    assert (deltas["Duration"].sign, deltas["Duration"].magnitude, deltas["Duration"].percent) == (
        "−",
        50.0,
        25.0,
    )
    assert (deltas["Billed duration"].sign, deltas["Billed duration"].percent) == ("+", 50.0)
    assert deltas["Max memory used"].sign == "" and deltas["Max memory used"].change == 0

    page = login(viewer).get(compare_url(a, b)).content.decode()
    assert "−50 ms (−25.0%)" in page
    assert "+100 ms (+50.0%)" in page
    assert "±0" in page


def test_state_errors_and_log_tails_are_side_by_side(login, viewer, make_invocation, invoker, profile):
    a = make_invocation(invoker, profile, state="succeeded", log_tail="FC Invoke Start A\nall good")
    b = make_invocation(
        invoker, profile, state="failed", log_tail="FC Invoke Start B\nTraceback",
        error_type="UnhandledInvocationError", error_message="boom",
    )  # fmt: skip
    page = login(viewer).get(compare_url(a, b)).content.decode()
    assert page.index("all good") < page.index("Traceback")
    assert 'data-state="succeeded"' in page and 'data-state="failed"' in page
    assert "UnhandledInvocationError: boom" in page


def test_the_previous_run_is_the_last_terminal_row_of_the_same_target_and_profile(
    make_invocation, invoker, profile, foreign_profile
):
    now = timezone.now()

    def at(minutes, **fields):
        row = make_invocation(invoker, fields.pop("via", profile), **{"state": "succeeded", **fields})
        type(row).objects.filter(pk=row.pk).update(created_at=now - timedelta(minutes=minutes))
        row.refresh_from_db()
        return row

    older = at(50)
    previous = at(40)
    at(30, state="running")  # not terminal
    at(25, function="other")  # another function
    at(24, qualifier="prod")  # another alias
    at(23, via=foreign_profile)  # another account's function of the same name
    current = at(20)
    at(10)  # later
    assert compare.previous_run(current) == previous
    assert compare.previous_run(previous) == older
    assert compare.previous_run(older) is None


def test_history_links_each_row_to_its_comparison_with_the_previous_run(
    login, viewer, make_invocation, invoker, profile
):
    first = make_invocation(invoker, profile, state="succeeded")
    second = make_invocation(invoker, profile, state="failed")
    client = login(viewer)
    history = client.get(reverse("history")).content.decode()
    link = reverse("invocation-compare-previous", args=[second.uuid])
    assert f'class="compare-previous" href="{link}"' in history

    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == compare_url(first, second)
    # The first run has nothing before it: back to its page, saying so.
    response = client.get(reverse("invocation-compare-previous", args=[first.uuid]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("invocation", args=[first.uuid])
    assert "no earlier finished run" in response.content.decode()


def test_comparing_needs_a_role_and_existing_rows(
    as_user, outsider, viewer, make_invocation, invoker, profile
):
    a = make_invocation(invoker, profile, state="succeeded")
    b = make_invocation(invoker, profile, state="succeeded")
    assert as_user(outsider).get(compare_url(a, b)).status_code == 403
    assert as_user(None).get(compare_url(a, b)).status_code == 302
    missing = reverse("invocation-compare", args=[a.uuid, "00000000-0000-0000-0000-000000000000"])
    assert as_user(viewer).get(missing).status_code == 404
