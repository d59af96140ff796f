"""The history page's filters stay answerable by an index as history grows (found by bench/history.py).

A filter that matches few rows must not walk the whole history, and an older page must start at
its cursor: the queries here are the ones the page sends, checked for results and for the index
PostgreSQL can use (sequential scans off, so the tiny test table does not hide a missing index).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from invocations.forms.history import HistoryFilterForm, encode_cursor
from invocations.models import Invocation
from tests.ui.conftest import make_profile


@pytest.fixture
def rows(invoker, other_invoker):
    profile = make_profile("scale", endpoint="http://127.0.0.1:9")
    at = timezone.now().replace(microsecond=0)
    made = []
    for i in range(6):
        made.append(
            Invocation.objects.create(
                user=invoker if i % 2 else other_invoker,
                profile=profile,
                region="cn-hangzhou",
                service="svc",
                function="rare" if i == 4 else "common",
                state="succeeded",
            )
        )
    # Three rows share one timestamp: the cursor must order them by id, skipping none.
    Invocation.objects.filter(pk__in=[r.pk for r in made[:3]]).update(created_at=at - timedelta(minutes=1))
    for n, r in enumerate(made[3:]):
        Invocation.objects.filter(pk=r.pk).update(created_at=at + timedelta(seconds=n))
    return list(Invocation.objects.order_by("-created_at", "-id"))


def _filtered(params):
    form = HistoryFilterForm(params)
    assert form.is_valid(), form.errors
    return form.filter(Invocation.objects.all())


def _plan(queryset, *, ordered=False) -> str:
    """`ordered`: the rows must come in the index's order (a page of the newest), so sorting is
    off too: on a few rows, a scan of any (x, created_at) index then a sort can look as cheap, as
    it did once earlier tests had grown the table's statistics."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
    return queryset.explain()


def test_the_user_filter_shows_only_that_users_rows(rows, invoker):
    got = list(_filtered({"user": invoker.username}))
    assert got and all(r.user_id == invoker.pk for r in got)
    assert len(got) == sum(1 for r in rows if r.user_id == invoker.pk)


def test_an_unknown_user_is_a_form_error_not_an_empty_page(rows):
    form = HistoryFilterForm({"user": "nobody-of-that-name"})
    assert not form.is_valid()
    assert "No user is called nobody-of-that-name." in form.errors["user"]


def test_the_user_filter_can_use_the_user_index(rows, invoker):
    # inv_user (user, created_at) or the plain foreign-key index: the planner picks by the tiny
    # table's statistics, which other tests change. Either answers by user, not by a scan.
    plan = _plan(_filtered({"user": invoker.username}))
    assert "Index Cond: (user_id = " in plan and "Seq Scan" not in plan, plan


def test_a_function_name_alone_can_use_an_index(rows):
    assert "inv_function_name" in _plan(_filtered({"function": "rare", "match": "exact"}))


def test_a_function_name_prefix_can_use_an_index(rows):
    assert [r.function for r in _filtered({"function": "ra"})] == ["rare"]
    assert "inv_function_name" in _plan(_filtered({"function": "ra"}))


def test_a_request_id_prefix_can_use_an_index(rows):
    Invocation.objects.filter(pk=rows[0].pk).update(request_id="1-6611aa-rare")
    assert [r.pk for r in _filtered({"request_id": "1-6611"})] == [rows[0].pk]
    assert "inv_request_id" in _plan(_filtered({"request_id": "1-6611"}))


def test_an_async_task_id_prefix_can_use_an_index(rows):
    Invocation.objects.filter(pk=rows[1].pk).update(async_invocation_id="nightly-42", invocation_type="async")
    assert [r.pk for r in _filtered({"async_invocation_id": "nightly"})] == [rows[1].pk]
    plan = _plan(_filtered({"async_invocation_id": "nightly"}))
    assert "async_invocation_id" in plan and "Index" in plan and "Seq Scan" not in plan, plan


def test_older_pages_continue_after_the_cursor_with_no_gap_and_no_repeat(rows):
    seen = []
    cursor = None
    for _ in range(len(rows)):
        page = list(_filtered({"cursor": cursor} if cursor else {})[:2])
        if not page:
            break
        seen += page
        cursor = encode_cursor(page[-1])
    assert [r.pk for r in seen] == [r.pk for r in rows]


def test_an_older_page_starts_at_its_cursor_in_the_index(rows):
    plan = _plan(_filtered({"cursor": encode_cursor(rows[2])})[:50], ordered=True)
    assert "inv_created" in plan
    assert "Index Cond" in plan


def test_newer_pages_continue_before_the_cursor_with_no_gap_and_no_repeat(rows):
    seen = []
    newer = encode_cursor(rows[-1])
    for _ in range(len(rows)):
        page = list(_filtered({"newer": newer})[:2])
        if not page:
            break
        seen += page
        newer = encode_cursor(page[-1])
    assert [r.pk for r in seen] == [r.pk for r in reversed(rows[:-1])]


def test_a_newer_page_starts_at_its_cursor_in_the_index(rows):
    plan = _plan(_filtered({"newer": encode_cursor(rows[2])})[:50], ordered=True)
    assert "inv_created" in plan
    assert "Index Cond" in plan


def test_the_history_page_with_a_user_filter_answers(client, rows, invoker):
    client.force_login(invoker)
    response = client.get(reverse("history"), {"user": invoker.username})
    assert response.status_code == 200
    shown = list(response.context["rows"])
    assert shown and {row.user_id for row in shown} == {invoker.pk}
    assert len(shown) == sum(1 for row in rows if row.user_id == invoker.pk)
