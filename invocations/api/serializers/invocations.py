"""The invocation shapes of the API. Output is always `Invocation.to_dict()` (the one JSON shape);
the fields declared here describe it for the OpenAPI schema, which the schemathesis test holds
the responses to."""

import base64
import binascii
import json
import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from fcconsole import statements
from invocations import rules
from invocations.api.serializers.flat import FlatSerializer
from invocations.models import CredentialProfile
from invocations.models.invocations import InvocationState, InvocationType, Source

ENCODINGS = ["utf-8", "base64"]
MAX_WAIT = 60
SERVICE_HELP = "FC 2.0 only; omit for an FC 3.0 function (a target without a service is FC 3.0)"
ASYNC_ID_HELP = (
    "the stateful async invocation id (FC 2.0) or the async task id (FC 3.0) of an async invocation"
)


class TimelineEventSerializer(serializers.Serializer):
    status = serializers.CharField()
    at = serializers.DateTimeField()
    detail = serializers.CharField(allow_blank=True)


class InvocationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    user = serializers.CharField(help_text="username of who invoked")
    profile = serializers.CharField(help_text="credential profile name")
    source = serializers.ChoiceField(Source.choices)
    rerun_of = serializers.UUIDField(allow_null=True)
    region = serializers.CharField()
    service = serializers.CharField(
        allow_blank=True, help_text="the FC 2.0 service; empty for an FC 3.0 function (API 2023-03-30)"
    )
    qualifier = serializers.CharField(allow_blank=True, help_text="version or alias; empty: LATEST")
    function = serializers.CharField()
    invocation_type = serializers.ChoiceField(InvocationType.choices)
    event = serializers.CharField(allow_blank=True, help_text="text, or base64 per event_encoding")
    event_encoding = serializers.ChoiceField(ENCODINGS)
    http_request = serializers.JSONField(allow_null=True)
    client_timeout = serializers.IntegerField(allow_null=True)
    async_invocation_id = serializers.CharField(
        allow_blank=True, help_text=f"{ASYNC_ID_HELP}; empty when sync"
    )
    state = serializers.ChoiceField(InvocationState.choices)
    state_reason = serializers.CharField(allow_blank=True)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    http_status = serializers.IntegerField(allow_null=True)
    request_id = serializers.CharField(allow_blank=True)
    request_url = serializers.CharField(allow_blank=True)
    request_method = serializers.CharField(allow_blank=True, help_text="the HTTP method sent to FC")
    request_headers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        allow_null=True,
        help_text="the request headers as sent to FC, signature, AccessKey ID and security token masked",
    )
    response_body = serializers.CharField(allow_null=True, allow_blank=True)
    response_body_encoding = serializers.ChoiceField(ENCODINGS)
    response_headers = serializers.DictField(child=serializers.CharField(allow_blank=True), allow_null=True)
    log_tail = serializers.CharField(allow_blank=True)
    error_type = serializers.CharField(allow_blank=True, help_text="X-Fc-Error-Type of a function error")
    error_code = serializers.CharField(allow_blank=True, help_text="FC's ErrorCode when FC refused")
    error_message = serializers.CharField(allow_blank=True)
    duration_ms = serializers.FloatField(allow_null=True)
    billed_duration_ms = serializers.IntegerField(allow_null=True)
    memory_size_mb = serializers.IntegerField(allow_null=True)
    max_memory_used_mb = serializers.FloatField(allow_null=True)
    instance_id = serializers.CharField(allow_blank=True)
    code_checksum = serializers.CharField(allow_blank=True)
    resolved_qualifier = serializers.CharField(allow_blank=True)
    async_status = serializers.CharField(
        allow_blank=True, help_text="FC's last status of the async invocation or task, e.g. Running"
    )
    stop_requested_at = serializers.DateTimeField(allow_null=True)
    stopped_by = serializers.CharField(allow_null=True)

    def to_representation(self, instance):
        return instance.to_dict()


class InvocationDetailSerializer(InvocationSerializer):
    timeline = TimelineEventSerializer(many=True, help_text="async status changes, oldest first")

    def to_representation(self, instance):
        return instance.to_dict(with_timeline=True)


def confirm_function_field():
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default=None,
        max_length=128,
        help_text="the function name again, required when the profile is protected "
        "(the invoke form's “type the function name to confirm”); refused with "
        "`fields.confirm_function` when missing or different",
    )


class ProfileField(serializers.SlugRelatedField):
    """A profile by name. A batch looks every name up at once and puts them in the context
    (`profiles`); a single request asks the database, once the name passed the profile-name rule
    (a NUL byte would otherwise reach PostgreSQL and answer 500)."""

    def to_internal_value(self, data):
        known = self.context.get("profiles")
        if known is not None and isinstance(data, str) and data in known:
            return known[data]
        if not isinstance(data, str):
            return super().to_internal_value(data)  # DRF's answer to a number, a list, an object
        try:
            rules.validate_profile_name(data)
        except DjangoValidationError:
            self.fail("does_not_exist", slug_name=self.slug_field, value="(not a profile name)")
        try:
            # The API's hottest lookup, in one statement built once (fcconsole/statements.py).
            return statements.get_by(CredentialProfile, self.slug_field, data)
        except CredentialProfile.DoesNotExist:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)


class InvocationRequestSerializer(FlatSerializer):
    """What to invoke; checked by the same rules as the web form (Invocation.objects.submit)."""

    profile = ProfileField(
        slug_field="name", queryset=CredentialProfile.objects.all(), help_text="profile name (the `-a` alias)"
    )
    region = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="default: the profile's"
    )
    service = serializers.CharField(required=False, allow_blank=True, default="", help_text=SERVICE_HELP)
    function = serializers.CharField(
        help_text="function name (FC 3.0: at most 64 characters; FC 2.0: at most 128)"
    )
    qualifier = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="version or alias"
    )
    invocation_type = serializers.ChoiceField(InvocationType.choices, default=InvocationType.SYNC)
    event = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    event_encoding = serializers.ChoiceField(ENCODINGS, default="utf-8", help_text="base64 for binary events")
    http_request = serializers.JSONField(
        required=False,
        allow_null=True,
        default=None,
        help_text="HTTP-trigger request {method, path, headers, queries, body}",
    )
    client_timeout = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="seconds"
    )
    async_invocation_id = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"{ASYNC_ID_HELP}, to give it yourself (async only; generated when empty)",
    )
    confirm_function = confirm_function_field()

    def validate_http_request(self, value):
        # PostgreSQL's jsonb cannot hold U+0000; say so instead of failing on save.
        if value is not None and "\\u0000" in json.dumps(value):
            raise serializers.ValidationError("The HTTP request may not contain NUL characters.")
        return value

    def validate(self, attrs):
        event = attrs.pop("event")
        if attrs.pop("event_encoding") == "base64":
            try:
                attrs["event"] = base64.b64decode(event, validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError({"event": ["Not valid base64."]}) from None
        else:
            attrs["event"] = event  # text: submit encodes it
        return attrs


class BatchItems(serializers.ListSerializer):
    """The items of a batch: each profile name is looked up once for all of them."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            try:
                rules.validate_batch_size(len(data))  # the manager's words, before DRF's min/max_length
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
            names = {
                item.get("profile")
                for item in data
                if isinstance(item, dict) and isinstance(item.get("profile"), str)
            }
            # The root serializer's context, which every item's ProfileField reads.
            self.context["profiles"] = {p.name: p for p in CredentialProfile.objects.filter(name__in=names)}
        return super().to_internal_value(data)


class BatchRequestSerializer(serializers.Serializer):
    """Up to 1,000 invocations (rules.BATCH_LIMIT), each the body of `POST /api/v1/invocations/`."""

    items = BatchItems(
        child=InvocationRequestSerializer(),
        min_length=1,
        max_length=rules.BATCH_LIMIT,
        help_text=f"1 to {rules.BATCH_LIMIT:,} invocations, each checked like a single one; one refused "
        "item refuses the batch (`fields.items.<index>.<field>`, index from 0)",
    )


def errors_by_index(errors: dict | list) -> dict:
    """A list serializer's item errors keyed by index as a string (DRF 3.18 keys them by int)."""
    pairs = errors.items() if isinstance(errors, dict) else enumerate(errors)
    return {str(index): error for index, error in pairs if error}


class BatchResponseSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.UUIDField(), help_text="the invocations' ids, in the order of `items`"
    )


class RerunRequestSerializer(serializers.Serializer):
    """The body of a re-run: empty, unless the profile is protected."""

    confirm_function = confirm_function_field()


class WaitSerializer(FlatSerializer):
    wait = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_WAIT,
        help_text=f"hold the response up to this many seconds (max {MAX_WAIT}) until the invocation ends",
    )


class HistoryFilterSerializer(serializers.Serializer):
    """The history page's filters, as query parameters (same names and meanings)."""

    user = serializers.CharField(required=False, help_text="username")
    profile = serializers.CharField(required=False, help_text="profile name or id")
    service = serializers.CharField(required=False, help_text="FC 2.0 service")
    function = serializers.CharField(required=False)
    qualifier = serializers.CharField(required=False)
    state = serializers.ChoiceField(InvocationState.choices, required=False)
    source = serializers.ChoiceField(Source.choices, required=False)
    invocation_type = serializers.ChoiceField(InvocationType.choices, required=False)
    request_id = serializers.CharField(required=False)
    async_invocation_id = serializers.CharField(required=False, help_text=ASYNC_ID_HELP)
    since = serializers.DateTimeField(required=False, help_text="created at or after")
    until = serializers.DateTimeField(required=False, help_text="created at or before")

    LOOKUPS = {"user": "user__username", "since": "created_at__gte", "until": "created_at__lte"}

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": ["The end of the time range is before its start."]})
        return attrs

    def filter(self, queryset):
        self.is_valid(raise_exception=True)
        conditions = dict(self.validated_data)
        profile = conditions.pop("profile", None)
        if profile is not None:
            try:
                queryset = queryset.filter(profile__uuid=uuid.UUID(profile))
            except ValueError:
                queryset = queryset.filter(profile__name=profile)
        return queryset.filter(**{self.LOOKUPS.get(name, name): value for name, value in conditions.items()})
