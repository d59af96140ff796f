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
        return None  # a bug: Django's 500 handling (and logging) takes over
    response.data = _body(exc)
    return response


def _body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {
            name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for name, msgs in fields.items()
        }
        first = next(
            (f"{name}: {msgs[0]}" if name != "non_field_errors" else msgs[0]) for name, msgs in fields.items()
        )
        return {"code": "invalid", "message": first, "fields": fields}
    code = CODES.get(type(exc)) or getattr(exc.detail, "code", None) or exc.default_code
    return {"code": str(code), "message": str(exc.detail)}


def _django_messages(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}
