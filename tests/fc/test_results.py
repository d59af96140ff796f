"""Reading an InvokeFunction answer: headers of fc-api.md 3.2, log tail and summary line of 3.3."""

from __future__ import annotations

import base64

from requests.structures import CaseInsensitiveDict

from invocations.fc.results import HttpInvokeResult, InvokeResult, decode_log_result, parse_summary

TAIL = (
    "FunctionCompute python3 runtime inited.\n"
    "FC Invoke Start RequestId: 1-658af93f-a6c876063a36f1d872097e6a\n"
    "hello\n"
    "FC Invoke End RequestId: 1-658af93f-a6c876063a36f1d872097e6a\n"
    "\n"
    "Duration: 3.87 ms, Billed Duration: 4 ms, Memory Size: 128 MB, Max Memory Used: 100.26 MB"
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_it_parses_the_summary_line():
    s = parse_summary(TAIL)
    assert (s.duration_ms, s.billed_duration_ms, s.memory_size_mb, s.max_memory_used_mb) == (
        3.87,
        4,
        128,
        100.26,
    )


def test_it_takes_the_last_summary_when_user_output_imitates_one():
    fake = "Duration: 1.00 ms, Billed Duration: 1 ms, Memory Size: 1 MB, Max Memory Used: 1.00 MB\n"
    assert parse_summary(fake + TAIL).duration_ms == 3.87


def test_it_parses_the_2019_layout_with_crlf_and_100ms_billing():
    tail = "FC Invoke Start RequestId: r\r\nFC Invoke End RequestId: r\r\n\nDuration: 17.45 ms, Billed Duration: 100 ms, Memory Size: 512 MB, Max Memory Used: 25.31 MB"
    s = parse_summary(tail)
    assert (s.duration_ms, s.billed_duration_ms, s.memory_size_mb, s.max_memory_used_mb) == (
        17.45,
        100,
        512,
        25.31,
    )


def test_a_tail_without_summary_gives_no_figures():
    s = parse_summary("FC Invoke Start RequestId: r\n")
    assert (s.duration_ms, s.billed_duration_ms, s.memory_size_mb, s.max_memory_used_mb) == (None,) * 4
    assert parse_summary(None).duration_ms is None


def test_log_result_is_base64_decoded_and_garbage_kept_as_sent():
    assert decode_log_result(_b64("héllo")) == "héllo"
    assert decode_log_result("not base64!") == "not base64!"
    assert decode_log_result(None) is None
    assert decode_log_result("") is None


def test_an_invoke_result_carries_every_fc_response_header():
    headers = CaseInsensitiveDict(
        {
            "X-Fc-Request-Id": "1-658af93f-a6c876063a36f1d872097e6a",
            "X-Fc-Log-Result": _b64(TAIL),
            "X-Fc-Code-Checksum": "5697641582914695457",
            "X-Fc-Invocation-Duration": "23",
            "X-Fc-Max-Memory-Usage": "66.61",
            "X-Fc-Invocation-Service-Version": "LATEST",
            "X-Fc-Instance-Id": "c-62b761c4-5a85e238b3ce404c817d",
            "Content-Type": "application/octet-stream",
        }
    )
    r = InvokeResult.from_response(200, headers, b"hi", "http://x/invocations")
    assert r.request_id == "1-658af93f-a6c876063a36f1d872097e6a"
    assert r.log_tail == TAIL
    assert r.code_checksum == "5697641582914695457"
    assert r.resolved_qualifier == "LATEST"
    assert r.instance_id == "c-62b761c4-5a85e238b3ce404c817d"
    # the summary line wins over the coarser headers
    assert (r.duration_ms, r.billed_duration_ms, r.memory_size_mb, r.max_memory_used_mb) == (
        3.87,
        4,
        128,
        100.26,
    )
    assert r.error_type is None and not r.function_failed
    assert r.headers["X-Fc-Request-Id"] == r.request_id
    assert (r.status, r.body, r.request_url) == (200, b"hi", "http://x/invocations")


def test_without_a_log_tail_the_figures_come_from_headers():
    headers = CaseInsensitiveDict({"x-fc-invocation-duration": "23", "x-fc-max-memory-usage": "66.61"})
    r = InvokeResult.from_response(200, headers, b"", "u")
    assert (r.duration_ms, r.max_memory_used_mb) == (23.0, 66.61)
    assert (r.billed_duration_ms, r.memory_size_mb, r.log_tail) == (None, None, None)


def test_malformed_figure_headers_are_ignored():
    headers = CaseInsensitiveDict({"x-fc-invocation-duration": "soon", "x-fc-max-memory-usage": ""})
    r = InvokeResult.from_response(200, headers, b"", "u")
    assert (r.duration_ms, r.max_memory_used_mb) == (None, None)


def test_a_function_error_is_a_200_with_error_type():
    headers = CaseInsensitiveDict({"X-Fc-Error-Type": "UnhandledInvocationError"})
    r = InvokeResult.from_response(200, headers, b'{"errorMessage": "boom"}', "u")
    assert r.function_failed and r.error_type == "UnhandledInvocationError"


def test_the_async_id_is_the_echoed_one_else_the_one_sent():
    echoed = CaseInsensitiveDict({"X-Fc-Stateful-Async-Invocation-Id": "job-9"})
    assert InvokeResult.from_response(202, echoed, b"", "u", "job-1").async_invocation_id == "job-9"
    assert (
        InvokeResult.from_response(202, CaseInsensitiveDict(), b"", "u", "job-1").async_invocation_id
        == "job-1"
    )


def test_an_http_result_keeps_status_headers_body_and_tail():
    headers = CaseInsensitiveDict(
        {"X-Fc-Request-Id": "r", "X-Fc-Log-Result": _b64("log"), "Content-Type": "text/html"}
    )
    r = HttpInvokeResult.from_response(404, headers, b"<h1>no</h1>", "http://h/2016-08-15/proxy/s/f/x")
    assert (r.status, r.body, r.request_id, r.log_tail, r.error_type) == (
        404,
        b"<h1>no</h1>",
        "r",
        "log",
        None,
    )
    assert r.headers["Content-Type"] == "text/html"
