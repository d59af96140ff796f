"""The checks of a suite as stored, exported and accepted by the API: one rule for all of them.

A check is a JSON object:

    {"name": "hello answers", "profile": "local", "region": "cn-hangzhou",
     "service": "demo", "function": "hello", "qualifier": "",
     "event": {"saved": "hello-event"}  |  {"text": "{\"k\": 1}"},
     "invocation_type": "sync", "http": false,
     "expect": {... suites.expectations ...}}

`service` empty: an FC 3.0 function. `profile` names a credential profile (a run may override
it for every check). `event.saved` names a saved event, looked up when the suite runs among the
events the runner sees (their own first, then the team's): files stay portable between consoles.
`http`: the event describes an HTTP request ({method, path, headers, queries, body}) for a
function behind an HTTP trigger, sent as `s invoke` does.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from invocations import rules
from invocations.naming import target_name
from suites import expectations

MAX_CHECKS = 100


def _text(check: dict, key: str, default: str = "") -> str:
    value = check.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError(f"{key} is text")
    return value.strip()


def clean_check(check) -> dict:
    """One check as stored; ValidationError with a plain message otherwise."""
    if not isinstance(check, dict):
        raise ValidationError("a check is a JSON object")
    unknown = set(check) - {
        "name", "profile", "region", "service", "function", "qualifier", "event",
        "invocation_type", "http", "expect",
    }  # fmt: skip
    if unknown:
        raise ValidationError(f"unknown check fields: {', '.join(sorted(unknown))}")
    clean = {
        key: _text(check, key) for key in ("name", "profile", "region", "service", "function", "qualifier")
    }
    if not clean["name"]:
        clean["name"] = clean["function"]
    if not clean["function"]:
        raise ValidationError("a check names its function")
    if len(clean["name"]) > 200:
        raise ValidationError("a check's name is at most 200 characters")
    if clean["service"]:
        rules.validate_service_name(clean["service"])
    rules.validate_function_name(clean["function"], fc3=not clean["service"])
    if clean["region"]:
        rules.validate_region(clean["region"])
    if clean["qualifier"]:
        rules.validate_qualifier(clean["qualifier"])
    event = check.get("event") or {"text": ""}
    if not isinstance(event, dict) or len(event) != 1 or not set(event) <= {"saved", "text"}:
        raise ValidationError('event is {"saved": "<saved event name>"} or {"text": "<the event>"}')
    if not isinstance(next(iter(event.values())), str):
        raise ValidationError("event's value is text")
    if "saved" in event and not event["saved"].strip():
        raise ValidationError("name the saved event")
    clean["event"] = event
    clean["invocation_type"] = _text(check, "invocation_type", "sync").lower() or "sync"
    rules.validate_invocation_type(clean["invocation_type"])
    clean["http"] = bool(check.get("http", False))
    try:
        clean["expect"] = expectations.validate(check.get("expect") or {})
    except expectations.ExpectationError as exc:
        raise ValidationError(f"expectations of {clean['name']!r}: {exc}") from None
    return clean


def clean_checks(checks) -> list[dict]:
    if not isinstance(checks, list):
        raise ValidationError("checks are a JSON list")
    if len(checks) > MAX_CHECKS:
        raise ValidationError(f"a suite has at most {MAX_CHECKS} checks")
    cleaned = []
    for position, check in enumerate(checks, 1):
        try:
            cleaned.append(clean_check(check))
        except ValidationError as exc:
            raise ValidationError(f"check {position}: {' '.join(exc.messages)}") from None
    return cleaned


def target(check: dict) -> str:
    """`service/function`, `function` (FC 3.0), with the qualifier as the console writes it."""
    return target_name(check["service"], check["function"], check["qualifier"])
