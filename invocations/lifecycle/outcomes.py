"""What FC's answer means for the row: the end state, its reason in plain words, and the fields.

Pure functions (no database, no network), so the mapping of every answer to a state is tested
on its own. See DESIGN.md "One invocation, end to end", step 5.
"""

from __future__ import annotations

from django.utils import timezone

from invocations import jsontext
from invocations.fc.errors import FCError
from invocations.models.states import InvocationState

ALREADY_EXISTS = "StatefulAsyncInvocationAlreadyExists"

# What a person should understand from FC's error codes; FC's own message follows.
_HINTS = {
    "SignatureNotMatch": "FC rejected the profile's AccessKey secret (the signature does not match).",
    "InvalidAccessKeyID": "FC does not know the profile's AccessKey ID.",
    "AccessDenied": "The profile's credential is not allowed to do this.",
    "ServiceNotFound": "There is no such service in this account and region.",
    "FunctionNotFound": "There is no such function in this service.",
    "AliasNotFound": "There is no such alias of this service.",
    "VersionNotFound": "There is no such version of this service.",
    "EntityTooLarge": "FC refused the event as too large.",
    "InvalidArgument": "FC refused the request as invalid.",
    "ResourceExhausted": "FC is throttling this function (too many concurrent invocations).",
    "ResourceThrottled": "FC has no capacity for this function right now.",
    "InternalServerError": "FC had an internal error.",
    "ConnectionRefused": "Could not connect to FC.",
    "ReadTimeout": "FC did not answer in time.",
    ALREADY_EXISTS: "FC already has an async task with this id; choose another id.",
}


def refused_reason(exc: FCError) -> str:
    hint = _HINTS.get(exc.code, "FC refused the call.")
    status = f", HTTP {exc.status}" if exc.status else ""
    return f"{hint} FC said: {exc.message} ({exc.code}{status})"


def from_error(exc: FCError, *, timeout: int, async_resend_of: str = "") -> dict:
    """Fields for a call that raised FCError and will not be retried.

    `async_resend_of`: the task id, when this was a repeated send of an async task: FC refusing
    the id as a duplicate then means the first send got through, and the task is followed.
    """
    if async_resend_of and exc.code == ALREADY_EXISTS:
        return already_sent(exc, async_resend_of)
    fields = {
        "error_code": exc.code or "",
        "error_message": exc.message or "",
        "http_status": exc.status,
        "request_id": exc.request_id or "",
        "finished_at": timezone.now(),
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
        # HTTP-trigger answers carry no metrics headers; the names are the same when they do.
        "duration_ms": getattr(result, "duration_ms", None),
        "billed_duration_ms": getattr(result, "billed_duration_ms", None),
        "memory_size_mb": getattr(result, "memory_size_mb", None),
        "max_memory_used_mb": getattr(result, "max_memory_used_mb", None),
        "instance_id": getattr(result, "instance_id", None) or "",
        "code_checksum": getattr(result, "code_checksum", None) or "",
        "resolved_qualifier": getattr(result, "resolved_qualifier", None) or "",
    }
    if is_async:
        async_id = getattr(result, "async_invocation_id", None) or async_invocation_id
        fields.update(
            state=InvocationState.TRACKING,
            state_reason=f"FC accepted the async task {async_id}; following its status.",
            async_invocation_id=async_id,
        )
    elif result.error_type:
        message = function_error_message(fields["response_body"])
        fields.update(
            state=InvocationState.FAILED,
            state_reason=f"The function failed ({result.error_type}){': ' + message if message else ''}.",
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
        "state_reason": f"FC already had the async task {async_invocation_id} from an earlier send; "
        "following its status.",
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
