"""Every console page with an FC 3.0 row (no service) beside an FC 2.0 row: 3.0 targets are named
`hello` / `hello:prod`, never `/hello`; 2.0 rows look as they always did."""

import csv
import io
import re

import pytest
from django.utils import timezone

from invocations.models import Invocation

pytestmark = pytest.mark.django_db

FC3_STATUSES = [
    "Enqueued", "Dequeued", "Running", "Retrying", "Stopping", "Stopped", "Succeeded", "Failed",
    "Invalid", "Expired",
]  # fmt: skip


@pytest.fixture
def both(invoker, profile, make_invocation):
    """An FC 3.0 row and an FC 2.0 row of the same function name and alias."""
    fc3 = make_invocation(invoker, profile, service="", function="hello", qualifier="prod", state="succeeded")
    fc2 = make_invocation(
        invoker, profile, service="demo", function="hello", qualifier="prod", state="succeeded"
    )
    return fc3, fc2


# -- history ---------------------------------------------------------------------------------


def test_history_names_a_3_0_row_by_its_function_and_a_2_0_row_by_service(login, viewer, both):
    html = login(viewer).get("/history/").content.decode()
    assert '<a href="/functions/hello/">hello:prod</a>' in html
    assert '<a href="/functions/demo/hello/">demo.prod/hello</a>' in html
    assert ">/hello<" not in html and "/functions//" not in html


@pytest.mark.parametrize("api, shown", [("fc3", {0}), ("fc2", {1}), ("", {0, 1})])
def test_history_filters_by_api(login, viewer, both, api, shown):
    html = login(viewer).get(f"/history/?api={api}&function=hello").content.decode()
    assert {i for i, inv in enumerate(both) if str(inv.uuid) in html} == shown


def test_history_export_keeps_a_3_0_row_without_a_service(login, viewer, both):
    fc3, _ = both
    response = login(viewer).get("/team/history.csv?api=fc3")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["id"], r["service"], r["function"], r["qualifier"]) for r in rows] == [
        (str(fc3.uuid), "", "hello", "prod")
    ]


def test_home_names_both(login, invoker, both):
    html = login(invoker).get("/").content.decode()
    assert "hello:prod" in html and "demo.prod/hello" in html


# -- the invocation page ---------------------------------------------------------------------


def test_the_page_of_a_3_0_invocation_names_it_without_a_service(login, viewer, both):
    fc3, fc2 = both
    html = login(viewer).get(f"/invocations/{fc3.uuid}/").content.decode()
    assert "<title>hello:prod" in html
    assert 'id="target">cn-hangzhou · hello:prod</span>' in html
    assert '<span class="badge api">FC 3.0</span>' in html
    assert 'href="/functions/hello/">function history' in html
    html2 = login(viewer).get(f"/invocations/{fc2.uuid}/").content.decode()
    assert 'id="target">cn-hangzhou · demo.prod/hello</span>' in html2
    assert '<span class="badge api">FC 2.0</span>' in html2
    assert 'href="/functions/demo/hello/">function history' in html2


def test_a_3_0_async_task_shows_every_status_of_fc3_in_its_words(
    login, viewer, invoker, profile, make_invocation
):
    inv = make_invocation(
        invoker,
        profile,
        service="",
        function="async-job",
        invocation_type="async",
        state="tracking",
        async_invocation_id="job-1",
        async_status="Running",
    )
    for status in FC3_STATUSES:
        inv.status_events.create(status=status, at=timezone.now())
    html = login(viewer).get(f"/invocations/{inv.uuid}/").content.decode()
    assert "<h2>Async task" in html and "Async status" not in html
    assert "<dt>Async task ID</dt>" in html
    assert "FC accepted the async task; it is Running." in html
    for status in FC3_STATUSES:
        assert f'<span class="badge {status.lower()}">{status}</span>' in html
    assert "waiting in FC&#x27;s queue" in html and "waited longer than the maximum event age" in html


def test_a_2_0_async_invocation_keeps_its_words(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker,
        profile,
        function="stateful-job",
        invocation_type="async",
        state="tracking",
        async_invocation_id="j",
    )
    html = login(viewer).get(f"/invocations/{inv.uuid}/").content.decode()
    assert "<h2>Async status" in html and "<dt>Async invocation ID</dt>" in html
    assert "FC accepted the async invocation." in html


def test_a_3_0_async_task_offers_stop_and_a_queued_one_is_cancelled(login, invoker, profile, make_invocation):
    tracking = make_invocation(
        invoker, profile, service="", function="async-job", invocation_type="async", state="tracking"
    )
    client = login(invoker)
    assert (
        'button type="submit" class="danger">Stop</button>'
        in client.get(f"/invocations/{tracking.uuid}/").content.decode()
    )
    queued = make_invocation(
        invoker, profile, service="", function="async-job", invocation_type="async", state="queued"
    )
    client.post(f"/invocations/{queued.uuid}/stop")
    queued.refresh_from_db()
    assert queued.state == "stopped"


def test_a_3_0_http_trigger_invocation_shows_what_was_sent_and_what_came_back(
    login, viewer, invoker, profile, make_invocation
):
    inv = make_invocation(
        invoker,
        profile,
        service="",
        function="http-echo",
        event=b"",
        http_request={
            "method": "POST",
            "path": "/greet",
            "headers": {"X-Hi": "1"},
            "queries": {"lang": "en"},
            "body": "hi",
        },
        state="succeeded",
        http_status=201,
        request_url="http://127.0.0.1:9/2023-03-30/proxy/http-echo/greet?lang=en",
        response_headers={"X-Demo": "http-echo"},
        response_body=b'{"ok": true}',
    )
    html = login(viewer).get(f"/invocations/{inv.uuid}/").content.decode()
    assert "HTTP request sent" in html
    assert "/2023-03-30/proxy/http-echo/greet?lang=en" in html
    assert '<p class="mono small request-line">POST /greet?lang=en</p>' in html
    assert "X-Hi: 1" in html and '<pre class="body">hi</pre>' in html
    assert '<p class="mono small response-line">HTTP 201</p>' in html
    assert "X-Demo: http-echo" in html and "&quot;ok&quot;: true" in html


# -- the function pages ----------------------------------------------------------------------


def test_a_3_0_function_page_counts_only_rows_without_a_service(
    login, viewer, invoker, profile, make_invocation
):
    make_invocation(invoker, profile, service="", function="hello", state="succeeded")
    make_invocation(invoker, profile, service="demo", function="hello", state="failed")
    fc3 = login(viewer).get("/functions/hello/").content.decode()
    assert "100%" in fc3 and '<span class="badge api">FC 3.0</span>' in fc3
    assert "<title>hello" in fc3
    assert "/history/?api=fc3&amp;function=hello" in fc3
    fc2 = login(viewer).get("/functions/demo/hello/").content.decode()
    assert "0%" in fc2 and '<span class="badge api">FC 2.0</span>' in fc2
    assert "/history/?service=demo&amp;function=hello" in fc2


# -- the invoke form -------------------------------------------------------------------------


def test_the_form_says_the_service_is_for_fc_2_0_only(login, invoker, profile):
    html = login(invoker).get("/invoke/").content.decode()
    assert "Service (FC 2.0 only)" in html
    assert '<input type="text" name="service" maxlength="128" list="services-list"' in html
    assert 'name="service"' in html and 'id="id_service" required' not in html


def test_a_target_without_a_service_is_submitted_as_fc_3_0(login, invoker, profile):
    response = login(invoker).post(
        "/invoke/",
        {"profile": str(profile.uuid), "function": "hello", "qualifier": "prod", "event_text": "{}"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    invocation = Invocation.objects.get()
    assert (invocation.service, invocation.function, invocation.qualifier, invocation.is_fc3) == (
        "",
        "hello",
        "prod",
        True,
    )


def test_an_fc3_function_name_over_64_characters_is_refused(login, invoker, profile):
    html = (
        login(invoker)
        .post("/invoke/", {"profile": str(profile.uuid), "function": "f" * 65, "event_text": "{}"})
        .content.decode()
    )
    assert "at most 64 characters" in html
    assert not Invocation.objects.exists()


def test_edit_and_run_of_a_3_0_row_leaves_the_service_empty(login, invoker, profile, both):
    fc3, _ = both
    html = login(invoker).get(f"/invoke/?from={fc3.uuid}").content.decode()
    assert "Prefilled from" in html and "hello:prod at" in html
    (service,) = re.findall(r'<input[^>]*name="service"[^>]*>', html)
    assert "value=" not in service


def test_the_s_invoke_line_of_a_3_0_row_names_no_service(
    login, viewer, invoker, profile, both, make_invocation
):
    fc3, fc2 = both
    client = login(viewer)
    line = client.get(f"/invocations/{fc3.uuid}/s-invoke").content.decode()
    assert line.startswith("s invoke -a demo --region cn-hangzhou --function-name hello --qualifier prod")
    assert "--service-name" not in line
    assert "--service-name demo" in client.get(f"/invocations/{fc2.uuid}/s-invoke").content.decode()
    task = make_invocation(
        invoker,
        profile,
        service="",
        function="async-job",
        invocation_type="async",
        async_invocation_id="job_1",
    )
    assert "--invocation-type Async --async-task-id job_1" in task.s_invoke_command()
