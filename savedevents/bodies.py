"""Event bodies: the three kinds a saved event can hold, their limits and their bytes.

JSON and text bodies are stored as the text the user wrote; binary bodies as base64 text, so
one TextField holds all three and versions can be diffed. The bytes sent to FC are
`payload(kind, body)`.
"""

import base64
import binascii

from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat

from invocations import jsontext
from invocations.models.invocations import text_or_base64
from invocations.rules import ASYNC_PAYLOAD_LIMIT as ASYNC_LIMIT
from invocations.rules import SYNC_PAYLOAD_LIMIT as SYNC_LIMIT


class Kind(models.TextChoices):
    JSON = "json", "JSON"
    TEXT = "text", "Text"
    BINARY = "binary", "Binary"


class InvocationType(models.TextChoices):
    SYNC = "sync", "Sync"
    ASYNC = "async", "Async"


def payload(kind: str, body: str) -> bytes:
    if kind == Kind.BINARY:
        return base64.b64decode(body)
    return body.encode("utf-8")


def limit_for(invocation_type: str) -> int:
    return ASYNC_LIMIT if invocation_type == InvocationType.ASYNC else SYNC_LIMIT


def validate(kind: str, body: str, invocation_type: str) -> None:
    """Raise ValidationError (keyed `body`) unless the body is a valid `kind` within FC's limit."""
    if kind == Kind.JSON:
        try:
            jsontext.loads(body)
        except ValueError as exc:
            raise ValidationError({"body": f"Not valid JSON: {exc}."}, code="json") from None
    if kind == Kind.BINARY:
        try:
            base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(
                {"body": "Binary bodies are stored as base64; this is not base64."}
            ) from None
    size = len(payload(kind, body))
    limit = limit_for(invocation_type)
    if size > limit:
        raise ValidationError(
            {
                "body": f"The event is {filesizeformat(size)}; FC takes at most {filesizeformat(limit)} "
                f"for a {invocation_type} invocation."
            },
            code="too_large",
        )


def from_bytes(data: bytes) -> tuple[str, str]:
    """(kind, body) for raw bytes: JSON when it parses, text when it is UTF-8, else binary."""
    text, encoding = text_or_base64(data)
    if encoding == "base64":
        return Kind.BINARY, text
    return (Kind.JSON if is_json(text) else Kind.TEXT), text


def is_json(text: str) -> bool:
    try:
        jsontext.loads(text)
    except ValueError:
        return False
    return True
