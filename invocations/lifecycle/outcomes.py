"""What FC's answer means for the row: the end state, its reason in plain words, and the fields.

Pure functions (no database, no network), so the mapping of every answer to a state is tested
on its own. See DESIGN.md "One invocation, end to end", step 5.
"""

from __future__ import annotations

from django.utils import timezone

from invocations import jsontext
from invocations.fc.errors import ASYNC_ID_TAKEN, FCError
from invocations.models.states import InvocationState

# What a person should understand from FC's error codes; FC's own message follows.
_HINTS = {
    "SignatureNotMatch": "FC rejected the profile's AccessKey secret (the signature does not match).",
    "InvalidAccessKeyID": "FC does not know the profile's AccessKey ID.",
    "AccessDenied": "The profile's credential is not allowed to do this.",
    "ServiceNotFound": "There is no such service in this account and region.",
    "FunctionNotFound": "There is no such function in this region (or, for FC 2.0, in this service).",
    "AliasNotFound": "The function has no such alias.",
    "VersionNotFound": "The function has no such version.",
    "EntityTooLarge": "FC refused the event as too large.",
    "InvalidArgument": "FC refused the request as invalid.",
    "ResourceExhausted": "FC is throttling this function (too many concurrent invocations).",
    "ResourceThrottled": "FC has no capacity for this function right now.",
    "InternalServerError": "FC had an internal error.",
    "ConnectionRefused": "Could not connect to FC.",
    "ReadTimeout": "FC did not answer in time.",
    **dict.fromkeys(ASYNC_ID_TAKEN, "FC already has an async task with this id; choose another id."),
}


def sentence(text: str) -> str:
    """`text` ending in exactly one full stop, whether or not FC's or the function's words had one."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def refused_reason(exc: FCError) -> str:
    hint = _HINTS.get(exc.code, "FC refused the call.")
    status = f", HTTP {exc.status}" if exc.status else ""
    return f"{hint} FC said: {exc.message} ({exc.code}{status})"


def _sent(exchange) -> dict:
    """The request as it went over the wire (secrets already masked), when there was an answer."""
    if exchange is None:
        return {}
    return {
        "request_method": exchange.method,
        "request_url": exchange.url,
        "request_headers": exchange.request_headers,
        "response_headers": exchange.response_headers,
    }


def from_error(exc: FCError, *, timeout: int, async_resend_of: str = "") -> dict:
    """Fields for a call that raised FCError and will not be retried.

    `async_resend_of`: the task id, when this was a repeated send of an async task: FC refusing
    the id as a duplicate then means the first send got through, and the task is followed.
    """
    if async_resend_of and exc.code in ASYNC_ID_TAKEN:
        return already_sent(exc, async_resend_of)
    fields = {
        "error_code": exc.code or "",
        "error_message": exc.message or "",
        "http_status": exc.status,
        "request_id": exc.request_id or "",
        "finished_at": timezone.now(),
        **_sent(getattr(exc, "exchange", None)),
    }
    if exc.outcome_unknown:
        fields["state"] = InvocationState.UNKNOWN
        fields["state_reason"] = (
            f"No answer from FC ({exc.code}, waited up to {timeout} s): the function may have run. "
            "Look for it in FC's logs before running it again."
        )
    else:
        fields["state"] = InvocationState.ERROR
        fields["state_reason"] = refused_reason(exc)
    return fields


def from_result(result, *, is_async: bool, async_invocation_id: str = "") -> dict:
    """Fields for an answer FC gave (InvokeResult or HttpInvokeResult)."""
    fields = {
        "http_status": result.status,
        "request_id": result.request_id or "",
        "request_url": result.request_url or "",
        "response_body": bytes(result.body or b""),
        "response_headers": dict(result.headers or {}),
        "log_tail": result.log_tail or "",
        "error_type": result.error_type or "",
        "duration_ms": result.duration_ms,
        "billed_duration_ms": result.billed_duration_ms,
        "memory_size_mb": result.memory_size_mb,
        "max_memory_used_mb": result.max_memory_used_mb,
        "instance_id": result.instance_id or "",
        "code_checksum": result.code_checksum or "",
        "resolved_qualifier": result.resolved_qualifier or "",
        **_sent(result.exchange),
    }
    if is_async:
        async_id = getattr(result, "async_id", None) or async_invocation_id
        # No reason: the status line says it (accepted, FC's status, followed) from the fields.
        fields.update(state=InvocationState.TRACKING, state_reason="", async_invocation_id=async_id)
    elif result.error_type:
        message = function_error_message(fields["response_body"])
        fields.update(
            state=InvocationState.FAILED,
            state_reason=sentence(
                f"The function failed ({result.error_type}){': ' + message if message else ''}"
            ),
            error_message=message,
            finished_at=timezone.now(),
        )
    else:
        fields.update(state=InvocationState.SUCCEEDED, state_reason="", finished_at=timezone.now())
    return fields


def already_sent(exc: FCError, async_invocation_id: str) -> dict:
    """A re-send of an async task FC already holds: it was sent before, so follow it."""
    return {
        "state": InvocationState.TRACKING,
        "state_reason": f"FC already had the async task {async_invocation_id} from an earlier send.",
        "request_id": exc.request_id or "",
    }


def function_error_message(body: bytes) -> str:
    """The runtime's errorMessage from a function error body (fc-api.md §3.4), when it has one."""
    try:
        data = jsontext.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("errorMessage"), str):
        return data["errorMessage"]
    return ""
