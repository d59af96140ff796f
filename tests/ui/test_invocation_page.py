import json

import pytest
from django.utils import timezone

from invocations.lifecycle.rows import QUEUE_DOWN
from invocations.models import AsyncStatusEvent

pytestmark = pytest.mark.django_db


def page(client, invocation):
    response = client.get(f"/invocations/{invocation.uuid}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_target_profile_who_and_when(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, qualifier="prod", state="succeeded")
    html = page(login(viewer), inv)
    assert "cn-hangzhou · demo.prod/hello" in html
    assert "demo" in html and "LTAI****oKey" in html
    assert invoker.username in html
    assert inv.created_at.strftime("%Y-%m-%d %H:%M:%S") in html


def test_it_pretty_prints_a_json_result(login, viewer, invoker, profile, make_invocation):
    body = json.dumps({"greeting": "hello world", "n": 1}).encode()
    inv = make_invocation(invoker, profile, state="succeeded", response_body=body)
    html = page(login(viewer), inv)
    assert '"greeting": "hello world",\n  "n": 1' in html.replace("&quot;", '"')


def test_it_shows_a_text_result_as_is(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded", response_body=b"plain <b>text</b>")
    html = page(login(viewer), inv)
    assert "plain &lt;b&gt;text&lt;/b&gt;" in html


def test_it_offers_a_binary_result_as_a_download(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded", response_body=b"\x89PNG\r\n\x1a\n\xff\xfe")
    client = login(viewer)
    html = page(client, inv)
    assert f"/invocations/{inv.uuid}/response.bin" in html
    download = client.get(f"/invocations/{inv.uuid}/response.bin")
    assert download.status_code == 200
    assert download.content == b"\x89PNG\r\n\x1a\n\xff\xfe"
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_download_knows_only_response_and_event(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded")
    assert login(viewer).get(f"/invocations/{inv.uuid}/secrets.bin").status_code == 404


def test_it_shows_the_log_tail_and_the_four_metrics(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker,
        profile,
        state="succeeded",
        log_tail="FC Invoke Start RequestId: r-1\nhello from the function\nFC Invoke End RequestId: r-1",
        duration_ms=12.5,
        billed_duration_ms=13,
        memory_size_mb=128,
        max_memory_used_mb=31.4,
        request_id="r-1",
        instance_id="c-instance-1",
        code_checksum="1234567890",
    )
    html = page(login(viewer), inv)
    assert '<pre class="log" id="log-tail">FC Invoke Start RequestId: r-1\nhello from the function' in html
    for text in ("12.50 ms", "13 ms", "128 MB", "31.4 MB", "r-1", "c-instance-1", "1234567890"):
        assert text in html


def test_it_says_in_plain_words_what_fc_refused(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker,
        profile,
        state="error",
        http_status=404,
        error_code="FunctionNotFound",
        error_message="function 'nope' does not exist in service 'demo'",
    )
    html = page(login(viewer), inv)
    assert "FC did not run it" in html
    assert "FunctionNotFound" in html
    assert "function &#x27;nope&#x27; does not exist in service &#x27;demo&#x27;" in html


def test_it_names_the_function_error_type(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="failed", error_type="UnhandledInvocationError")
    assert "The function failed (UnhandledInvocationError)" in page(login(viewer), inv)


def test_a_queued_row_waiting_for_the_broker_says_so(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="queued", state_reason=QUEUE_DOWN)
    html = page(login(viewer), inv)
    assert "Queued, will be sent when the queue is back." in html


def test_a_running_invocation_polls_and_shows_elapsed_time(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="running", started_at=timezone.now())
    html = page(login(viewer), inv)
    assert f'hx-get="/invocations/{inv.uuid}/live"' in html
    assert 'hx-trigger="every 1s, refresh"' in html
    assert "data-elapsed-since=" in html


def test_a_terminal_invocation_does_not_poll(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded")
    assert "hx-get=" not in page(login(viewer), inv).split('id="live"')[1].split(">")[0]


def test_an_async_invocation_shows_its_timeline(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker, profile, state="tracking", invocation_type="async", async_invocation_id="job-1"
    )
    now = timezone.now()
    AsyncStatusEvent.objects.create(invocation=inv, status="Enqueued", at=now)
    AsyncStatusEvent.objects.create(invocation=inv, status="Running", at=now + timezone.timedelta(seconds=1))
    html = page(login(viewer), inv)
    assert html.index(">Enqueued<") < html.index(">Running<")
    assert "job-1" in html


def test_the_stop_button_is_offered_to_invokers_of_running_async_tasks(
    login, viewer, invoker, profile, make_invocation
):
    inv = make_invocation(
        invoker, profile, state="tracking", invocation_type="async", async_invocation_id="job-1"
    )
    assert f"/invocations/{inv.uuid}/stop" in page(login(invoker), inv)
    assert f"/invocations/{inv.uuid}/stop" not in page(login(viewer), inv)


def test_it_offers_rerun_and_the_s_invoke_command(login, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded")
    html = page(login(invoker), inv)
    assert f"/invocations/{inv.uuid}/rerun" in html
    assert f"/invoke/?from={inv.uuid}" in html
    assert "s invoke" in html
    assert "--function-name hello" in html


def test_an_unknown_uuid_is_404(login, viewer):
    assert login(viewer).get("/invocations/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_s_invoke_endpoint_answers_the_command_as_text(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, qualifier="prod", event=b'{"a": 1}', state="succeeded")
    response = login(viewer).get(f"/invocations/{inv.uuid}/s-invoke")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "s invoke -a demo --region cn-hangzhou --service-name demo --function-name hello "
        "--qualifier prod -e '{\"a\": 1}'"
    )


def test_it_shows_the_raw_exchange_as_stored(login, viewer, invoker, profile, make_invocation):
    inv = make_invocation(
        invoker, profile, state="succeeded", http_status=200, request_method="POST",
        request_url="http://127.0.0.1:9/2016-08-15/services/demo/functions/hello/invocations",
        request_headers={"Authorization": "FC LTAI****oKey:****", "x-fc-invocation-type": "Sync"},
        response_headers={"X-Fc-Request-Id": "req-1"},
    )  # fmt: skip
    html = login(viewer).get(f"/invocations/{inv.uuid}/").content.decode()
    assert "Raw exchange" in html
    assert "&gt; POST http://127.0.0.1:9/2016-08-15/services/demo/functions/hello/invocations" in html
    assert "&gt; Authorization: FC LTAI****oKey:****" in html
    assert "&lt; HTTP 200" in html and "&lt; X-Fc-Request-Id: req-1" in html


def test_an_http_trigger_row_shows_the_request_it_sent_not_an_empty_event(
    login, viewer, invoker, profile, make_invocation
):
    request = {
        "method": "POST",
        "path": "/greet",
        "queries": {"lang": "en"},
        "headers": {"X-A": "1"},
        "body": "hi",
    }
    inv = make_invocation(
        invoker, profile, function="http-hello", event=b"", http_request=request, state="succeeded"
    )
    html = login(viewer).get(f"/invocations/{inv.uuid}/").content.decode()
    assert "POST /greet?lang=en" in html and "X-A: 1" in html and "hi" in html
    assert "<h2>Event" not in html  # not "Event 0 bytes (empty)"
