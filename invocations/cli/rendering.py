"""What `manage.py invoke` prints for a finished row: `s invoke`'s layouts (invocations.fc.output),
the console's JSON shape, or the body alone; and the exit status that goes with it."""

from __future__ import annotations

import json

from invocations.fc import http_trigger, output
from invocations.fc.results import HttpInvokeResult, InvokeResult
from invocations.fc.signing import API_VERSION
from invocations.models import Invocation, InvocationState

EXIT_OK, EXIT_FUNCTION_ERROR, EXIT_FC_ERROR, EXIT_USAGE = 0, 1, 2, 64
# sysexits' EX_UNAVAILABLE, beside EX_USAGE: the console's database could not be reached.
EXIT_UNAVAILABLE = 69
# FC refused, or never answered: there is no result to print, only the reason.
REFUSED = (InvocationState.ERROR, InvocationState.UNKNOWN)


def exit_status(invocation: Invocation) -> int:
    if invocation.state == InvocationState.FAILED:
        return EXIT_FUNCTION_ERROR
    if invocation.state in REFUSED:
        return EXIT_FC_ERROR
    return EXIT_OK


def _result(invocation: Invocation) -> InvokeResult | HttpInvokeResult:
    body = bytes(invocation.response_body or b"")
    headers = dict(invocation.response_headers or {})
    if invocation.http_request is not None:
        return HttpInvokeResult(
            status=invocation.http_status or 0,
            headers=headers,
            body=body,
            request_url=invocation.request_url,
            request_id=invocation.request_id or None,
            log_tail=invocation.log_tail or None,
            error_type=invocation.error_type or None,
        )
    return InvokeResult(
        status=invocation.http_status or 0,
        request_id=invocation.request_id or None,
        body=body,
        log_tail=invocation.log_tail or None,
        error_type=invocation.error_type or None,
        duration_ms=invocation.duration_ms,
        billed_duration_ms=invocation.billed_duration_ms,
        memory_size_mb=invocation.memory_size_mb,
        max_memory_used_mb=invocation.max_memory_used_mb,
        instance_id=invocation.instance_id or None,
        code_checksum=invocation.code_checksum or None,
        resolved_qualifier=invocation.resolved_qualifier or None,
        request_url=invocation.request_url,
        headers=headers,
        async_invocation_id=invocation.async_invocation_id or None,
    )


def s_invoke_layout(invocation: Invocation, *, color: bool) -> str:
    """stdout as `s invoke` prints it for an answer FC gave (sync, async or HTTP trigger)."""
    return output.render(
        _result(invocation),
        invocation.service,
        invocation.function,
        invocation_type=invocation.invocation_type,
        color=color,
    )


def failure_text(invocation: Invocation) -> str:
    """stderr for a call FC refused or never answered: the SDK's error line, then the code."""
    if invocation.http_status and invocation.is_fc3:
        # The 3.0 SDK's message (tea-openapi, fc3-api.md 6.1 step 3) for the error `s` shows.
        line = (
            f"code: {invocation.http_status}, {invocation.error_message} request id: {invocation.request_id}"
        )
        return f"{line}\nErrorCode: {invocation.error_code}\n"
    if invocation.http_status:
        request, qualifier = invocation.http_request, invocation.qualifier or None
        if request is not None:
            method = str(request.get("method") or "GET").upper()
            path = http_trigger.proxy_path(
                invocation.service, invocation.function, qualifier, request.get("path") or ""
            )
        else:
            target = f"{invocation.service}.{qualifier}" if qualifier else invocation.service
            method, path = (
                "POST",
                f"/{API_VERSION}/services/{target}/functions/{invocation.function}/invocations",
            )
        line = (
            f"{method} {path} failed with {invocation.http_status}. "
            f"requestid: {invocation.request_id}, message: {invocation.error_message}."
        )
        return f"{line}\nErrorCode: {invocation.error_code}\n"
    return f"Error: {invocation.state_reason}\n"


def as_json(invocation: Invocation) -> str:
    return json.dumps(invocation.to_dict(with_timeline=True), indent=2, ensure_ascii=False) + "\n"
