import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invocations.forms.history import PAGE_SIZE
from invocations.models import Invocation

pytestmark = pytest.mark.django_db


def rows(html: str) -> int:
    return html.count('<tr>\n        <td class="when"><a href="/invocations/')


def at(minutes_ago: int):
    return timezone.now() - dt.timedelta(minutes=minutes_ago)


def backdate(invocation, when):
    Invocation.objects.filter(pk=invocation.pk).update(created_at=when)


def test_it_lists_newest_first(login, viewer, invoker, profile, make_invocation):
    old = make_invocation(invoker, profile, function="old-one")
    new = make_invocation(invoker, profile, function="new-one")
    backdate(old, at(10))
    html = login(viewer).get("/history/").content.decode()
    assert html.index(str(new.uuid)) < html.index(str(old.uuid))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("function=hello", {"a"}),
        ("service=other", {"b"}),
        ("state=failed", {"b"}),
        ("invocation_type=async", {"c"}),
        ("request_id=req-b", {"b"}),
        ("user=olga-invoker", {"c"}),
        ("function=hel", {"a"}),  # names and ids match by their start
        ("request_id=req-", {"b"}),
        ("async_invocation_id=job-", {"c"}),
        ("function=hello&match=exact", {"a"}),
        ("function=hel&match=exact", set()),
    ],
)
def test_it_filters(login, viewer, invoker, other_invoker, profile, make_invocation, query, expected):
    made = {
        "a": make_invocation(invoker, profile, function="hello", state="succeeded"),
        "b": make_invocation(
            invoker, profile, service="other", function="x", state="failed", request_id="req-b"
        ),
        "c": make_invocation(
            other_invoker,
            profile,
            function="job",
            invocation_type="async",
            state="tracking",
            async_invocation_id="job-7",
        ),
    }
    html = login(viewer).get(f"/history/?{query}").content.decode()
    shown = {name for name, inv in made.items() if str(inv.uuid) in html}
    assert shown == expected


def test_it_filters_by_profile(login, admin, invoker, profile, foreign_profile, make_invocation):
    mine = make_invocation(invoker, profile)
    theirs = make_invocation(admin, foreign_profile)
    html = login(admin).get(f"/history/?profile={foreign_profile.uuid}").content.decode()
    assert str(theirs.uuid) in html and str(mine.uuid) not in html


def test_it_filters_by_time_range(login, viewer, invoker, profile, make_invocation):
    old = make_invocation(invoker, profile)
    backdate(old, timezone.make_aware(dt.datetime(2026, 1, 1, 12, 0)))
    recent = make_invocation(invoker, profile)
    html = login(viewer).get("/history/?since=2026-01-01T11:00&until=2026-01-01T13:00").content.decode()
    assert str(old.uuid) in html and str(recent.uuid) not in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("since=yesterday", "Enter a valid date/time."),
        ("state=exploded", "Select a valid choice."),
        ("user=nobody-here", "No user is called nobody-here."),
        ("profile=nonexistent", "There is no such profile: choose one from the list."),
        (
            "profile=8d1b6a52-2c3f-4b8e-9d59-1f0c7a2d4e11",
            "There is no such profile: choose one from the list.",
        ),
        ("since=2026-02-01T00:00&until=2026-01-01T00:00", "The end of the time range is before its start."),
        ("cursor=not-a-cursor", "This page link is damaged"),
        ("newer=not-a-cursor", "This page link is damaged"),
    ],
)
def test_it_explains_bad_filters(login, viewer, query, message):
    response = login(viewer).get(f"/history/?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "not a valid UUID" not in response.content.decode()


def test_cursor_pagination_walks_every_row_once(login, viewer, invoker, profile, make_invocation):
    made = [make_invocation(invoker, profile, function=f"f{i}") for i in range(PAGE_SIZE + 5)]
    # Several rows in the same instant: the id breaks the tie, none is skipped or repeated.
    Invocation.objects.filter(pk__in=[m.pk for m in made[:10]]).update(created_at=at(5))
    client = login(viewer)
    first = client.get("/history/").content.decode()
    assert rows(first) == PAGE_SIZE
    next_link = first.split('<a href="?')[-1].split('">Older')[0].replace("&amp;", "&")
    second = client.get(f"/history/?{next_link}").content.decode()
    assert rows(second) == 5
    assert "Older »" not in second and "« Newest" in second
    for inv in made:
        assert (str(inv.uuid) in first) != (str(inv.uuid) in second)


def _link(html: str, label: str) -> str:
    return html.split(f'">{label}')[0].rsplit('<a href="?', 1)[1].replace("&amp;", "&")


def _uuids(html: str, made) -> list[str]:
    shown = [str(inv.uuid) for inv in made if str(inv.uuid) in html]
    return sorted(shown, key=html.index)


def test_newer_pages_walk_back_to_the_same_pages(login, viewer, invoker, profile, make_invocation):
    made = [make_invocation(invoker, profile, function=f"f{i}") for i in range(2 * PAGE_SIZE + 5)]
    # Ties in time across a page boundary: the id orders them, both ways.
    Invocation.objects.filter(pk__in=[m.pk for m in made[40:60]]).update(created_at=at(5))
    client = login(viewer)
    first = client.get("/history/").content.decode()
    assert "‹ Newer" not in first
    second = client.get(f"/history/?{_link(first, 'Older')}").content.decode()
    third = client.get(f"/history/?{_link(second, 'Older')}").content.decode()
    assert rows(third) == 5 and "Older »" not in third

    back_to_second = client.get(f"/history/?{_link(third, '‹ Newer')}").content.decode()
    assert _uuids(back_to_second, made) == _uuids(second, made)
    assert "‹ Newer" in back_to_second and "Older »" in back_to_second
    back_to_first = client.get(f"/history/?{_link(back_to_second, '‹ Newer')}").content.decode()
    assert _uuids(back_to_first, made) == _uuids(first, made)
    assert "‹ Newer" not in back_to_first  # nothing newer than the newest page
    # And forward again from there lands on the same second page.
    again = client.get(f"/history/?{_link(back_to_first, 'Older')}").content.decode()
    assert _uuids(again, made) == _uuids(second, made)


def test_newer_keeps_the_filters(login, viewer, invoker, profile, make_invocation):
    for _ in range(PAGE_SIZE + 1):
        make_invocation(invoker, profile, function="hello")
    make_invocation(invoker, profile, function="other")
    client = login(viewer)
    first = client.get("/history/?function=hello").content.decode()
    second = client.get(f"/history/?{_link(first, 'Older')}").content.decode()
    assert "function=hello" in _link(second, "‹ Newer")
    back = client.get(f"/history/?{_link(second, '‹ Newer')}").content.decode()
    assert rows(back) == PAGE_SIZE and "other" not in back


def test_the_cursor_keeps_the_filters(login, viewer, invoker, profile, make_invocation):
    for _ in range(PAGE_SIZE + 1):
        make_invocation(invoker, profile, function="hello")
    make_invocation(invoker, profile, function="other")
    html = login(viewer).get("/history/?function=hello").content.decode()
    assert "function=hello" in html.split("Older »")[0].rsplit("<a", 1)[1]


def test_it_takes_a_constant_number_of_queries(
    login, admin, invoker, other_invoker, profile, foreign_profile, make_invocation
):
    client = login(admin)
    make_invocation(invoker, profile)
    client.get("/history/")  # warm up: session, content types
    with CaptureQueriesContext(connection) as few:
        assert client.get("/history/").status_code == 200
    for i in range(30):
        make_invocation(
            [invoker, other_invoker, admin][i % 3], [profile, foreign_profile][i % 2], state="succeeded"
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get("/history/").status_code == 200
    assert len(many) == len(few)


def test_the_query_count_is_fixed(login, admin, invoker, profile, make_invocation, django_assert_num_queries):
    for _ in range(10):
        make_invocation(invoker, profile)
    client = login(admin)
    client.get("/history/")
    # session, user, membership, rows (joined with user and profile), usable profiles, filter profiles
    with django_assert_num_queries(6):
        client.get("/history/?state=queued")


def test_rows_leave_the_payloads_in_the_database(login, admin, invoker, profile, make_invocation):
    make_invocation(invoker, profile, event=b"x" * 1000, response_body=b"y" * 1000, log_tail="z" * 1000)
    client = login(admin)
    with CaptureQueriesContext(connection) as queries:
        client.get("/history/")
    row_query = next(
        q["sql"] for q in queries if "invocations_invocation" in q["sql"] and "LIMIT" in q["sql"]
    )
    for column in ('"event"', '"response_body"', '"log_tail"'):
        assert column not in row_query


def test_rerun_and_copy_are_offered_per_row(login, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded")
    html = login(invoker).get("/history/").content.decode()
    assert f"/invocations/{inv.uuid}/rerun" in html
    assert f'data-copy-url="/invocations/{inv.uuid}/s-invoke"' in html


def test_viewers_get_no_rerun_button(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded")
    assert f"/invocations/{inv.uuid}/rerun" not in login(viewer).get("/history/").content.decode()


def test_it_offers_the_whole_filtered_selection_as_an_export(
    login, viewer, invoker, profile, make_invocation
):
    for _ in range(PAGE_SIZE + 1):
        make_invocation(invoker, profile, function="hello")
    client = login(viewer)
    first = client.get("/history/?function=hello").content.decode()
    second = client.get(f"/history/?{_link(first, 'Older')}").content.decode()
    assert 'href="/team/history.csv?function=hello"' in second
    assert 'href="/team/history.jsonl?function=hello"' in second
