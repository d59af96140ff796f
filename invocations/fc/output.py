"""Printing results the way `s invoke` (fc component) does (fc-api.md 10.4), and as JSON for `-o json`.

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
    return f"\x1b[{code}m{text}\x1b[39m" if color else text


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


def render(
    result: InvokeResult | HttpInvokeResult,
    service: str,
    function: str,
    *,
    invocation_type: str = "Sync",
    color: bool = False,
) -> str:
    """Whichever of the layouts above fits `result`."""
    if isinstance(result, HttpInvokeResult):
        return render_http(result, invocation_type=invocation_type, color=color)
    if invocation_type.capitalize() == "Async":
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
