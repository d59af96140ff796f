"""Printed output matches `s invoke`: component fc as laid out in fc-api.md 10.4, fc3 in 10.5."""

from __future__ import annotations

from invocations.fc.output import (
    render,
    render_async,
    render_fc3_async,
    render_fc3_invoke,
    render_http,
    render_invoke,
    to_json,
)
from invocations.fc.results import HttpInvokeResult, InvokeResult

DOC_TAIL = (
    "FC Invoke Start RequestId: 68f15da2-a453-4f7e-90d3-91198b76afbf\n"
    "FC Invoke End RequestId: 68f15da2-a453-4f7e-90d3-91198b76afbf\n"
    "\n"
    "Duration: 2.96 ms, Billed Duration: 3 ms, Memory Size: 128 MB, Max Memory Used: 10.83 MB"
)


def _result(**kw):
    base = dict(status=200, request_id="68f15da2-a453-4f7e-90d3-91198b76afbf", body=b"Hello world!")
    return InvokeResult(**(base | kw))


def test_sync_output_is_the_documented_example():
    # devsapp/fc docs/zh/command/invoke.md, with the blank line before the log block
    expected = (
        "\n"
        "========= FC invoke Logs begin =========\n"
        "FC Invoke Start RequestId: 68f15da2-a453-4f7e-90d3-91198b76afbf\n"
        "FC Invoke End RequestId: 68f15da2-a453-4f7e-90d3-91198b76afbf\n"
        "\n"
        "Duration: 2.96 ms, Billed Duration: 3 ms, Memory Size: 128 MB, Max Memory Used: 10.83 MB\n"
        "========= FC invoke Logs end =========\n"
        "\n"
        "FC Invoke Result:\n"
        "Hello world!\n"
        "\n"
        "\n"
    )
    assert render_invoke(_result(log_tail=DOC_TAIL), "demo", "hello") == expected


def test_sync_output_shows_the_instance_id_between_logs_and_result():
    text = render_invoke(
        _result(log_tail="x", instance_id="c-62b761c4-5a85e238b3ce404c817d"), "demo", "hello"
    )
    assert text.endswith(
        "========= FC invoke Logs end =========\n"
        "\n"
        "FC Invoke instanceId: c-62b761c4-5a85e238b3ce404c817d\n"
        "\n"
        "FC Invoke Result:\nHello world!\n\n\n"
    )


def test_without_a_log_tail_there_is_no_log_block():
    assert render_invoke(_result(), "demo", "hello") == "FC Invoke Result:\nHello world!\n\n\n"


def test_a_function_error_prints_its_error_json_as_the_result():
    body = b'{"errorMessage":"boom","errorType":"Exception"}'
    text = render_invoke(_result(body=body, error_type="UnhandledInvocationError"), "demo", "fail")
    assert text == 'FC Invoke Result:\n{"errorMessage":"boom","errorType":"Exception"}\n\n\n'


def test_async_output():
    r = _result(status=202, body=b"", request_id="1-abc")
    assert (
        render_async(r, "demo", "stateful-job")
        == "\ndemo/stateful-job async invoke success.\nrequest id: 1-abc\n"
    )
    assert render(r, "demo", "stateful-job", invocation_type="async") == render_async(
        r, "demo", "stateful-job"
    )


def test_http_output_through_the_proxy():
    url = "http://1234567890123456.cn-hangzhou.fc.aliyuncs.com/2016-08-15/proxy/demo.LATEST/http-hello/"
    r = HttpInvokeResult(status=200, headers={}, body=b"hi", request_url=url, request_id="r", log_tail="L")
    assert render_http(r) == (
        f"\nRequest url: {url}\n"
        "\n========= FC invoke Logs begin =========\nL\n========= FC invoke Logs end =========\n\n"
        "FC Invoke Result[Code: 200]:\nhi\n\n\n"
    )


def test_async_http_output_lists_code_and_request_id():
    r = HttpInvokeResult(status=202, headers={}, body=b"", request_url="http://h/p", request_id="r-1")
    assert (
        render_http(r, invocation_type="Async")
        == "\nRequest url: http://h/p\nFC Invoke Result:\nCode: 202\nRequestId: r-1\n"
    )


def test_colours_only_when_asked():
    r = _result(log_tail="x", instance_id="c-1")
    plain = render_invoke(r, "demo", "hello")
    coloured = render_invoke(r, "demo", "hello", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[33m========= FC invoke Logs begin =========\x1b[39m" in coloured
    assert "\x1b[32mFC Invoke Result:\x1b[39m" in coloured
    assert "\x1b[32mFC Invoke instanceId:\x1b[39m c-1" in coloured


def test_a_failed_http_status_is_labelled_red():
    r = HttpInvokeResult(status=500, headers={}, body=b"", request_url="u")
    assert "\x1b[31mFC Invoke Result[Code: 500]:\x1b[39m" in render_http(r, color=True)


def test_json_output_keeps_every_field_and_text_bodies_as_text():
    data = to_json(_result(log_tail=DOC_TAIL, duration_ms=2.96, error_type="UnhandledInvocationError"))
    assert data["body"] == "Hello world!" and data["body_base64"] is False
    assert data["request_id"] == "68f15da2-a453-4f7e-90d3-91198b76afbf"
    assert data["duration_ms"] == 2.96
    assert data["function_failed"] is True
    assert data["log_tail"] == DOC_TAIL


def test_json_output_keeps_binary_bodies_as_base64():
    data = to_json(_result(body=b"\xff\x00"))
    assert (data["body"], data["body_base64"]) == ("/wA=", True)


# -- FC 3.0: `s invoke` of the fc3 component (fc-api.md 10.5) -------------------------------------


def _fc3(**kw):
    base = dict(
        status=200,
        request_id="1-64e70cf1-5cbef92ea8fc8c42899cf5d1",
        body=b"Hello world!",
        log_tail=DOC_TAIL,
        instance_id="c-65a0e9d7-1a2b3c4d",
        code_checksum="1234567890123456789",
        resolved_qualifier="1",
    )
    return InvokeResult(**(base | kw))


def test_fc3_sync_output():
    assert render_fc3_invoke(_fc3()).split("\n") == [
        "========= FC invoke Logs begin =========",
        *DOC_TAIL.split("\n"),
        "========= FC invoke Logs end =========",
        "",
        "Invoke instanceId: c-65a0e9d7-1a2b3c4d",
        "Code Checksum: 1234567890123456789",
        "Qualifier: 1",
        "RequestId: 1-64e70cf1-5cbef92ea8fc8c42899cf5d1",
        "",
        "Invoke Result:",
        "Hello world!",
        "",
    ]


def test_fc3_function_error_prints_the_error_type_then_the_result():
    text = render_fc3_invoke(_fc3(body=b'{"errorMessage":"boom"}', error_type="UnhandledInvocationError"))
    assert text.endswith(
        "RequestId: 1-64e70cf1-5cbef92ea8fc8c42899cf5d1\n"
        "Error Type: UnhandledInvocationError\n"
        "\n"
        "Invoke Result:\n"
        '{"errorMessage":"boom"}\n'
    )


def test_fc3_qualifier_defaults_to_latest_and_missing_headers_print_empty():
    text = render_fc3_invoke(_fc3(resolved_qualifier=None, instance_id=None, log_tail=None))
    assert text.startswith(
        "========= FC invoke Logs begin =========\n\n========= FC invoke Logs end =========\n\n"
        "Invoke instanceId: \nCode Checksum: 1234567890123456789\nQualifier: LATEST\n"
    )


def test_fc3_async_output_names_the_task():
    r = _fc3(status=202, body=b"", log_tail=None, resolved_qualifier=None, async_invocation_id="task-1")
    expected = "Qualifier: LATEST\nRequestId: 1-64e70cf1-5cbef92ea8fc8c42899cf5d1\nAsyncTaskId: task-1\n\nInvoke Result:\n\n"
    assert render_fc3_async(r) == expected


def test_render_picks_the_layout_by_the_targets_version():
    sync, queued = _fc3(), _fc3(status=202, body=b"", async_invocation_id="t")
    assert render(sync, "", "hello") == render_fc3_invoke(sync)
    assert render(queued, "", "async-job", invocation_type="async") == render_fc3_async(queued)
    assert render(sync, "demo", "hello") == render_invoke(sync, "demo", "hello")
    assert render(queued, "demo", "job", invocation_type="Async") == render_async(queued, "demo", "job")


def test_fc3_colours_as_chalk_paints_them():
    coloured = render_fc3_invoke(_fc3(error_type="UnhandledInvocationError"), color=True)
    assert "\x1b[33m========= FC invoke Logs begin =========\x1b[39m" in coloured
    assert "\x1b[1mInvoke instanceId:\x1b[22m \x1b[32mc-65a0e9d7-1a2b3c4d\x1b[39m" in coloured
    assert "\x1b[1mError Type:\x1b[22m \x1b[31mUnhandledInvocationError\x1b[39m" in coloured
    assert coloured.endswith("\x1b[1mInvoke Result:\x1b[22m\n\x1b[31mHello world!\x1b[39m\n")
    assert "\x1b[" not in render_fc3_invoke(_fc3())
