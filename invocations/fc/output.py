"""Printing results the way `s invoke` does, and as JSON for `-o json`.

Two layouts, one function each: FC 2.0's (component `fc`, fc-api.md 10.4: `render_invoke`,
`render_async`, `render_http`) and FC 3.0's (component `fc3`, fc-api.md 10.5: `render_fc3_invoke`,
`render_fc3_async`). `render` is the one place that picks between them, by the target's version
(a service means FC 2.0, none FC 3.0).

Colours are ANSI escapes as chalk emits them; pass `color=False` when not writing to a terminal.
"""

from __future__ import annotations

import base64
from dataclasses import fields

from .results import HttpInvokeResult, InvokeResult

LOGS_BEGIN = "========= FC invoke Logs begin ========="
LOGS_END = "========= FC invoke Logs end ========="

_GREEN, _YELLOW, _RED = 32, 33, 31


def _paint(text: str, code: int, color: bool) -> str:
    # chalk leaves an empty string unpainted
    return f"\x1b[{code}m{text}\x1b[39m" if color and text else text


def _bold(text: str, color: bool) -> str:
    return f"\x1b[1m{text}\x1b[22m" if color else text


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def _log_block(log_tail: str | None, color: bool) -> str:
    """Printed only when FC returned a log tail; the tail itself verbatim (console.log adds the newline)."""
    if log_tail is None:
        return ""
    return f"\n{_paint(LOGS_BEGIN, _YELLOW, color)}\n{log_tail}\n{_paint(LOGS_END, _YELLOW, color)}\n\n"


def render_invoke(result: InvokeResult, service: str, function: str, *, color: bool = False) -> str:
    """A sync event invoke; a function error prints the same way, its error JSON as the result."""
    out = _log_block(result.log_tail, color)
    if result.instance_id:
        out += f"{_paint('FC Invoke instanceId:', _GREEN, color)} {result.instance_id}\n\n"
    return out + f"{_paint('FC Invoke Result:', _GREEN, color)}\n{_text(result.body)}\n\n\n"


def render_async(result: InvokeResult, service: str, function: str, *, color: bool = False) -> str:
    text = f"{service}/{function} async invoke success.\nrequest id: {result.request_id or ''}"
    return f"\n{_paint(text, _GREEN, color)}\n"


def render_http(result: HttpInvokeResult, *, invocation_type: str = "Sync", color: bool = False) -> str:
    """An HTTP-trigger invoke through the signed proxy path."""
    out = f"\nRequest url: {result.request_url}\n"
    if invocation_type.capitalize() == "Async":
        label = _paint("FC Invoke Result:", _GREEN, color)
        return out + f"{label}\nCode: {result.status}\nRequestId: {result.request_id or ''}\n"
    ok = 200 <= result.status < 300
    label = _paint(f"FC Invoke Result[Code: {result.status}]:", _GREEN if ok else _RED, color)
    return out + _log_block(result.log_tail, color) + f"{label}\n{_text(result.body)}\n\n\n"


def _fc3_line(label: str, value: str | None, value_code: int, color: bool) -> str:
    return f"{_bold(label, color)} {_paint(value or '', value_code, color)}\n"


def _fc3_result(result: InvokeResult, color: bool) -> str:
    """The tail both fc3 layouts share: `Error Type:` on a function error, then the body (red
    when the function failed); `logger.write` ends it with one newline."""
    if result.error_type:
        head = _fc3_line("Error Type:", result.error_type, _RED, color)
        return f"{head}\n{_bold('Invoke Result:', color)}\n{_paint(_text(result.body), _RED, color)}\n"
    return f"\n{_bold('Invoke Result:', color)}\n{_paint(_text(result.body), _GREEN, color)}\n"


def render_fc3_invoke(result: InvokeResult, *, color: bool = False) -> str:
    """A sync invoke as `s invoke` (component fc3) prints it. The log block is always there (fc3
    sends `x-fc-log-type: Tail`); where fc3 would print JavaScript's `undefined` for a header FC
    left out, the value is left empty."""
    return (
        f"{_paint(LOGS_BEGIN, _YELLOW, color)}\n{result.log_tail or ''}\n{_paint(LOGS_END, _YELLOW, color)}\n\n"
        + _fc3_line("Invoke instanceId:", result.instance_id, _GREEN, color)
        + _fc3_line("Code Checksum:", result.code_checksum, _GREEN, color)
        + _fc3_line("Qualifier:", result.resolved_qualifier or "LATEST", _GREEN, color)
        + _fc3_line("RequestId:", result.request_id, _GREEN, color)
        + _fc3_result(result, color)
    )


def render_fc3_async(result: InvokeResult, *, color: bool = False) -> str:
    """An async invoke (component fc3): qualifier, request id and the task's id, then the (empty)
    result. The task id is the one FC answered, else the one sent."""
    return (
        _fc3_line("Qualifier:", result.resolved_qualifier or "LATEST", _GREEN, color)
        + _fc3_line("RequestId:", result.request_id, _GREEN, color)
        + _fc3_line("AsyncTaskId:", result.async_id, _GREEN, color)
        + _fc3_result(result, color)
    )


def render(
    result: InvokeResult | HttpInvokeResult,
    service: str,
    function: str,
    *,
    invocation_type: str = "Sync",
    color: bool = False,
) -> str:
    """Whichever of the layouts above fits `result`: the target's version (no `service`: FC 3.0,
    component fc3), then the kind of call."""
    is_async = invocation_type.capitalize() == "Async"
    if not service and isinstance(result, InvokeResult):
        return render_fc3_async(result, color=color) if is_async else render_fc3_invoke(result, color=color)
    if isinstance(result, HttpInvokeResult):
        return render_http(result, invocation_type=invocation_type, color=color)
    if is_async:
        return render_async(result, service, function, color=color)
    return render_invoke(result, service, function, color=color)


def to_json(result: InvokeResult | HttpInvokeResult) -> dict:
    """A JSON-ready dict of every field. The body is text when it is UTF-8, else base64
    (`body_base64: true`), so no byte is lost either way."""
    data = {f.name: getattr(result, f.name) for f in fields(result)}
    try:
        data["body"] = result.body.decode("utf-8")
        data["body_base64"] = False
    except UnicodeDecodeError:
        data["body"] = base64.b64encode(result.body).decode("ascii")
        data["body_base64"] = True
    data["function_failed"] = result.function_failed
    return data
