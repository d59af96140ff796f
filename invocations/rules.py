"""What a valid invocation request looks like: the one place forms, the REST API and the CLI ask.

It holds the one validator of each field a request or a profile names (region, service,
function, qualifier, async id, profile name, account id, AccessKey ID, endpoint): model fields,
forms, serializers, the CLI and the importers (`import_access`, `import_syaml`) all call these.
Patterns are matched whole (`fullmatch`): a trailing newline or a control character is never a
name. Names, ids and limits follow FC 2.0 (fc-api.md §6.3) and FC 3.0 (fc3-api.md §2, §9): a
target with a service is FC 2.0, one without is FC 3.0. Every check raises Django's
`ValidationError` keyed by the field it is about, with a message a person can act on; `check()`
runs them all and reports every problem at once, so nothing the user typed is lost to a
first-error-only answer.
"""

from __future__ import annotations

import re
import uuid
from fnmatch import fnmatch
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError

from invocations.fc import http_trigger

SYNC_PAYLOAD_LIMIT = 32 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 128 * 1024
# FC's maximum function timeout (86 400 s) plus the 600 s `s invoke` adds for the round trip.
MAX_CLIENT_TIMEOUT = 86_400 + 600

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_REGION = re.compile(r"[a-z][a-z0-9-]{1,31}")
_VERSION = re.compile(r"[0-9]+")
# A Serverless Devs access alias (`s config add -a NAME`): it is the profile's name.
_PROFILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
_ACCOUNT_ID = re.compile(r"[0-9]{1,32}")
# Temporary (STS) key ids carry the `STS.` prefix.
_ACCESS_KEY_ID = re.compile(r"(?:STS\.)?[A-Za-z0-9]{1,124}")
ASYNC_ID_PREFIX = "fcconsole-"
# Invocations one batch submit may carry (issue 18): one transaction, one publish.
BATCH_LIMIT = 1000


def _name(value: str, what: str, max_length: int) -> None:
    if not value:
        raise ValidationError(f"Enter the {what} name.", code="required")
    if len(value) > max_length:
        raise ValidationError(f"A {what} name has at most {max_length} characters.", code="max_length")
    if not _NAME.fullmatch(value):
        raise ValidationError(
            f"A {what} name uses letters, digits, '_' and '-', and starts with a letter or '_'.",
            code="invalid",
        )


def validate_profile_name(value: str) -> None:
    if not _PROFILE_NAME.fullmatch(value or ""):
        raise ValidationError(
            "Use letters, digits, '_', '.' or '-' (up to 64), like a Serverless Devs access alias.",
            code="invalid",
        )


def validate_account_id(value: str) -> None:
    if not _ACCOUNT_ID.fullmatch(value or ""):
        raise ValidationError(
            "An Alibaba Cloud account ID is digits only, e.g. 1234567890123456.", code="invalid"
        )


def validate_access_key_id(value: str) -> None:
    if not _ACCESS_KEY_ID.fullmatch(value or ""):
        raise ValidationError(
            "An AccessKey ID is letters and digits only (STS ids start with STS.).", code="invalid"
        )


def validate_region(value: str) -> None:
    if not _REGION.fullmatch(value or ""):
        raise ValidationError("Enter a region id such as cn-hangzhou.", code="invalid")


def validate_service_name(value: str) -> None:
    _name(value, "service", 128)


def validate_function_name(value: str, *, fc3: bool = False) -> None:
    # FC 2.0: the 2021-04-06 docstring says 64, older docs 128: FC is the judge of length, we only
    # stop names it cannot possibly accept. FC 3.0 says 1 to 64 (fc3-api.md §2).
    _name(value, "function", 64 if fc3 else 128)


def validate_qualifier(value: str) -> None:
    """Empty (LATEST), `LATEST`, a version number, or an alias name."""
    if not value or value == "LATEST" or _VERSION.fullmatch(value):
        return
    _name(value, "alias", 128)


def validate_async_invocation_id(value: str) -> None:
    if len(value) > 128:
        raise ValidationError("An async task id has at most 128 characters.", code="max_length")
    if not _NAME.fullmatch(value):
        raise ValidationError(
            "An async task id uses letters, digits, '_' and '-', and starts with a letter or '_'.",
            code="invalid",
        )


def new_async_invocation_id() -> str:
    """An id FC accepts, recognisably ours, unique: every async invocation can be tracked."""
    return f"{ASYNC_ID_PREFIX}{uuid.uuid4().hex}"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def validate_payload(event: bytes, invocation_type: str) -> None:
    limit = ASYNC_PAYLOAD_LIMIT if invocation_type == "async" else SYNC_PAYLOAD_LIMIT
    if len(event) > limit:
        size, most = _size(len(event)), _size(limit)
        if size == most:  # rounding hides the difference: say it in bytes
            size, most = f"{len(event):,} bytes", f"{limit:,} bytes ({most})"
        raise ValidationError(
            f"The event is {size}; FC accepts at most {most} "
            f"for a{'n async' if invocation_type == 'async' else ' sync'} invocation.",
            code="too_large",
        )


def too_big_message() -> str:
    """What a request body over DATA_UPLOAD_MAX_MEMORY_SIZE is told (the API's 413, the web's page)."""
    return (
        f"The request body is larger than the console accepts ({_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}). "
        f"FC accepts an event of at most {_size(SYNC_PAYLOAD_LIMIT)} for a sync invocation and "
        f"{_size(ASYNC_PAYLOAD_LIMIT)} for an async one."
    )


def validate_invocation_type(value: str) -> None:
    if value not in ("sync", "async"):
        raise ValidationError("Choose sync or async.", code="invalid")


def validate_client_timeout(value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CLIENT_TIMEOUT:
        raise ValidationError(
            f"The timeout is a whole number of seconds from 1 to {MAX_CLIENT_TIMEOUT}.", code="invalid"
        )


def validate_http_request(value: dict, invocation_type: str = "sync") -> None:
    """The HTTP-trigger request `s invoke` takes: {method, path, headers, queries, body}.

    Checked by building it exactly as the invoker will send it, so what passes here is sendable.
    """
    if not isinstance(value, dict):
        raise ValidationError("The HTTP request is a JSON object with method, path, headers, queries, body.")
    unknown = set(value) - {"method", "path", "headers", "queries", "body"}
    if unknown:
        raise ValidationError(f"Unknown HTTP request keys: {', '.join(sorted(unknown))}.", code="invalid")
    try:
        request = http_trigger.build(value, "service", "function", None)
    except http_trigger.HttpRequestError as exc:
        raise ValidationError(f"The HTTP request cannot be sent: {exc}.", code="invalid") from None
    validate_payload(request.body, invocation_type)


def validate_endpoint(value: str) -> None:
    """A profile's endpoint override must be http(s) to a host in FC_ENDPOINT_ALLOWED_HOSTS.

    The allow-list stops an admin (or a stolen admin session) from pointing a profile, and
    the secret it signs with, at an arbitrary server.
    """
    if not value:
        return
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValidationError("The endpoint is an http:// or https:// URL.", code="invalid")
    if parsed.username or parsed.password or parsed.query or parsed.fragment or parsed.path.strip("/"):
        raise ValidationError(
            "The endpoint is scheme, host and port only: no user, path or query.", code="invalid"
        )
    host = parsed.hostname.lower()
    allowed = settings.FC_ENDPOINT_ALLOWED_HOSTS
    if not any(fnmatch(host, pattern.lower()) for pattern in allowed):
        raise ValidationError(
            f"{host} is not an allowed FC endpoint host (allowed: {', '.join(allowed)}; "
            "set FC_ENDPOINT_ALLOWED_HOSTS to change).",
            code="not_allowed",
        )


def validate_confirmation(profile_name: str, function: str, confirm_function: str | None) -> None:
    """A protected profile runs a function only when the caller typed that function's name.

    Every source asks here through `submit`: the invoke form's field, the API's
    `confirm_function`, the CLI's `--confirm-function`, the Re-run form.
    """
    if (confirm_function or "").strip() != function:
        raise ValidationError(
            f"The profile {profile_name} is protected: type the function name “{function}” to confirm.",
            code="confirm",
        )


def check(
    *,
    region: str,
    service: str,
    function: str,
    qualifier: str,
    event: bytes,
    invocation_type: str,
    client_timeout: int | None,
    async_invocation_id: str,
    http_request: dict | None,
    protected_profile: str | None = None,
    confirm_function: str | None = None,
) -> None:
    """Run every rule; raise one ValidationError holding all problems, keyed by field.

    `protected_profile` names the profile when it is protected: then `confirm_function` must be
    the function's name.
    """
    errors: dict[str, list[ValidationError]] = {}

    def run(field, rule, *args):
        try:
            rule(*args)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.error_list)

    run("region", validate_region, region)
    if service:  # FC 2.0; without a service the target is an FC 3.0 function
        run("service", validate_service_name, service)
    run("function", lambda name: validate_function_name(name, fc3=not service), function)
    run("qualifier", validate_qualifier, qualifier)
    run("invocation_type", validate_invocation_type, invocation_type)
    run("event", validate_payload, event, invocation_type)
    run("client_timeout", validate_client_timeout, client_timeout)
    if async_invocation_id:
        if invocation_type != "async":
            errors.setdefault("async_invocation_id", []).append(
                ValidationError("An async task id only applies to async invocations.", code="invalid")
            )
        run("async_invocation_id", validate_async_invocation_id, async_invocation_id)
    if http_request is not None:
        run("http_request", validate_http_request, http_request, invocation_type)
        if event:
            errors.setdefault("event", []).append(
                ValidationError("Send either an event or an HTTP request, not both.", code="invalid")
            )
    if protected_profile and "function" not in errors:
        run("confirm_function", validate_confirmation, protected_profile, function, confirm_function)
    if errors:
        raise ValidationError(errors)


def validate_batch_size(count: int) -> None:
    if count < 1:
        raise ValidationError("Send at least one invocation.", code="required")
    if count > BATCH_LIMIT:
        raise ValidationError(
            f"A batch carries at most {BATCH_LIMIT:,} invocations; this one has {count:,}.",
            code="max_length",
        )


class ItemsRefused(ValidationError):
    """A batch refused whole because of some of its items.

    `items` maps the index (from 0) of each refused item to its ValidationError, keyed by field as
    `check()` raises it; the flat form (`items.3.function`) is what `message_dict` shows.
    """

    def __init__(self, items: dict[int, ValidationError]):
        self.items = items
        flat: dict[str, list[ValidationError]] = {}
        for index, exc in items.items():
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    flat[f"items.{index}.{field}"] = errors
            else:
                flat[f"items.{index}"] = exc.error_list
        super().__init__(flat)
