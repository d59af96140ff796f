import pytest
from django.utils import timezone

from invocations.lifecycle.rows import QUEUE_DOWN

pytestmark = pytest.mark.django_db

# Session, user with membership, the row with its related rows, its events, the profile grant.
QUERIES_PER_POLL = 6


def test_the_fragment_keeps_polling_while_running(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="running", started_at=timezone.now())
    response = login(viewer).get(f"/invocations/{inv.uuid}/live")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="live"')
    assert "every 1s" in html
    assert "<html" not in html


def test_the_fragment_answers_286_at_a_terminal_state(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded", response_body=b'{"ok": true}', log_tail="done")
    response = login(viewer).get(f"/invocations/{inv.uuid}/live")
    assert response.status_code == 286
    html = response.content.decode()
    assert "hx-get" not in html
    assert "Succeeded" in html and "done" in html


def test_it_polls_slower_while_the_queue_is_down(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="queued", state_reason=QUEUE_DOWN)
    html = login(viewer).get(f"/invocations/{inv.uuid}/live").content.decode()
    assert "every 5s" in html
    assert "Queued, will be sent when the queue is back." in html


def test_an_async_task_polls_while_tracked(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="tracking", invocation_type="async")
    response = login(viewer).get(f"/invocations/{inv.uuid}/live")
    assert response.status_code == 200
    assert "every 2s" in response.content.decode()


@pytest.mark.parametrize("events", [1, 20])
def test_the_fragment_polled_every_second_costs_a_fixed_number_of_queries(
    login, invoker, profile, make_invocation, django_assert_num_queries, events
):
    """However long its timeline: the fragment is fetched every second by every open page."""
    inv = make_invocation(
        invoker, profile, state="tracking", invocation_type="async", async_invocation_id="job"
    )
    for n in range(events):
        inv.status_events.create(status=f"Status{n}", at=timezone.now())
    client = login(invoker)
    with django_assert_num_queries(QUERIES_PER_POLL):
        assert client.get(f"/invocations/{inv.uuid}/live").status_code == 200
