"""Presentation helpers for the console pages: payload views, durations, the function chart."""

import json

from django import template
from django.utils.html import format_html

from invocations import jsontext
from invocations.lifecycle.rows import QUEUE_DOWN
from invocations.models import InvocationState

register = template.Library()

# Larger bodies are offered as a download rather than put into the page.
INLINE_LIMIT = 256 * 1024


@register.filter
def payload(data) -> dict:
    """How to show a body: {"kind": "json"|"text"|"binary"|"empty"|"large", "text": str, "size": int}."""
    raw = bytes(data or b"")
    if not raw:
        return {"kind": "empty", "text": "", "size": 0}
    if len(raw) > INLINE_LIMIT:
        return {"kind": "large", "text": "", "size": len(raw)}
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return {"kind": "binary", "text": "", "size": len(raw)}
    try:
        value = jsontext.loads(text)
    except ValueError:
        return {"kind": "text", "text": text, "size": len(raw)}
    if not isinstance(value, (dict, list)):
        return {"kind": "text", "text": text, "size": len(raw)}
    return {"kind": "json", "text": json.dumps(value, indent=2, ensure_ascii=False), "size": len(raw)}


@register.filter
def ms(value) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.0f} ms" if value == int(value) else f"{value:.2f} ms"


@register.filter
def mb(value) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


@register.simple_tag
def state_badge(invocation):
    label = InvocationState(invocation.state).label
    if invocation.state == InvocationState.QUEUED and invocation.state_reason == QUEUE_DOWN:
        label = "Queued · queue unreachable"
    return format_html(
        '<span class="badge {}" data-state="{}">{}</span>', invocation.state, invocation.state, label
    )


@register.filter
def is_terminal_state(state) -> bool:
    return state in InvocationState.terminal()
