"""Presentation helpers for the console pages: payload views, durations, the function chart."""

import datetime as dt
import json

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from invocations import jsontext, naming
from invocations.lifecycle import outcomes
from invocations.lifecycle.rows import QUEUE_DOWN
from invocations.models import CredentialProfile, FollowedFunction, InvocationState, Role, role_of

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
def request_body(body) -> dict:
    """`payload` of an HTTP-trigger request's body (text, or JSON the template kept as a value)."""
    if body is None or body == "":
        return payload(b"")
    if not isinstance(body, str):
        body = json.dumps(body, ensure_ascii=False)
    return payload(body.encode())


@register.filter
def sentence(text) -> str:
    """Words ending in one full stop (FC's or a function's message may bring its own)."""
    return outcomes.sentence(str(text or ""))


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


@register.filter
def target_name(target) -> str:
    """`demo.prod/hello` for an FC 2.0 row, `hello:prod` for an FC 3.0 one (anything with
    service, function and qualifier: an invocation, a pinned target)."""
    return naming.target_name(target.service, target.function, getattr(target, "qualifier", ""))


@register.filter
def api_label(target) -> str:
    return naming.api_label(target.service)


@register.simple_tag
def function_url(service: str, function: str) -> str:
    """The function page: /functions/<service>/<function>/ in FC 2.0, /functions/<function>/ in 3.0."""
    if service:
        return reverse("function", args=[service, function])
    return reverse("function-fc3", args=[function])


@register.inclusion_tag("invocations/_follow.html", takes_context=True)
def follow_box(context, service: str, function: str):
    """Who follows this function's async tasks, and a form to follow it through one of my profiles."""
    user = context["request"].user
    usable = (
        list(CredentialProfile.objects.usable_by(user)) if role_of(user) in (Role.INVOKER, Role.ADMIN) else []
    )
    follows = (
        FollowedFunction.objects.active().filter(service=service, function=function).select_related("profile")
    )
    return {
        "service": service,
        "function": function,
        "follows": list(follows),
        "profiles": usable,
        "csrf_token": context.get("csrf_token"),
        "next": context["request"].get_full_path(),
    }


# FC 3.0's async task statuses (fc3-api.md §5.3), in FC's words, for the timeline.
ASYNC_TASK_STATUSES = {
    "Enqueued": "accepted, waiting in FC's queue",
    "Dequeued": "taken from the queue, about to run",
    "Running": "an instance is running it",
    "Succeeded": "the function returned",
    "Failed": "the function failed, retries used up",
    "Stopping": "a stop was asked for; FC is stopping it",
    "Stopped": "stopped before it ended",
    "Invalid": "not run: the function or its configuration is gone",
    "Expired": "not run: it waited longer than the maximum event age",
    "Retrying": "it failed and FC will run it again",
}


@register.filter
def async_status_words(status: str) -> str:
    return ASYNC_TASK_STATUSES.get(status, "")


@register.filter
def ago(moment) -> str:
    """`3 hours ago` (the largest unit only); under a minute, `just now` (rather than timesince's `0 minutes`)."""
    if moment is None:
        return ""
    if timezone.now() - moment < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
