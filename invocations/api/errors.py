"""Every API error is `{"code": <stable machine code>, "message": <for a human>}` (+ `fields`).

These are the console's refusals. What Function Compute answered is part of the invocation
itself: an invocation FC refused is created (201) in state `error`, with FC's ErrorCode in
`error_code` and its ErrorMessage in `error_message`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from invocations import rules

CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "parse_error",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "invalid",
}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class ItemsInvalid(exceptions.ValidationError):
    """A batch refused for some of its items: `fields.items` holds each one's field messages under
    its index (`{"items": {"3": {"function": ["…"]}}}`), the body BatchErrorSerializer describes."""


class Conflict(exceptions.APIException):
    """The request is valid but the object's state does not allow it (e.g. stop a sync invocation)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The invocation's state does not allow this."


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_messages(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(rules.too_big_message())
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not a refusal: the database away or a bug. Django logs it and the 500 handler
        # (views.errors.server_error) answers: 503 database_unavailable, or 500 server_error.
        return None
    response.data = _body(exc)
    return response


def _body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        # Only a batch's item errors stay nested; any other field's are a flat list (ErrorSerializer).
        nested = isinstance(exc, ItemsInvalid)
        fields = {name: _messages(msgs, nested) for name, msgs in fields.items()}
        name, first = _first(fields)
        return {
            "code": "invalid",
            "message": f"{name}: {first}" if name != "non_field_errors" else first,
            "fields": fields,
        }
    code = CODES.get(type(exc)) or getattr(exc.detail, "code", None) or exc.default_code
    return {"code": str(code), "message": str(exc.detail)}


def _messages(detail, nested: bool = False):
    """A field's messages as strings; with `nested`, a dict (a batch's items by index) stays one."""
    if nested and isinstance(detail, dict):
        return {str(key): _messages(value, nested) for key, value in detail.items()}
    return [str(m) for m in (detail if isinstance(detail, list) else [detail])]


def _first(fields: dict, prefix: str = "") -> tuple[str, str]:
    """The dotted name and message of the first problem (`items.3.function`)."""
    name, messages = next(iter(fields.items()))
    if isinstance(messages, dict):
        return _first(messages, f"{prefix}{name}.")
    return f"{prefix}{name}", messages[0]


def _django_messages(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}
