import uuid

from django.conf import settings
from django.db import models


class InvocationState(models.TextChoices):
    QUEUED = "queued", "Queued"  # row written; task not yet (or not yet successfully) sent
    RUNNING = "running", "Running"  # a worker claimed it and is calling FC
    TRACKING = "tracking", "Tracking"  # async accepted by FC; following its stateful status
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"  # the function raised (200 + X-Fc-Error-Type), or async task failed
    ERROR = "error", "Error"  # FC refused (4xx/5xx) or could not be reached
    UNKNOWN = "unknown", "Unknown"  # may have reached FC, no answer came
    STOPPED = "stopped", "Stopped"  # async task stopped

    @classmethod
    def terminal(cls) -> list[str]:
        return [cls.SUCCEEDED, cls.FAILED, cls.ERROR, cls.UNKNOWN, cls.STOPPED]


class InvocationType(models.TextChoices):
    SYNC = "sync", "Sync"
    ASYNC = "async", "Async"


class Source(models.TextChoices):
    WEB = "web", "Console"
    API = "api", "REST API"
    CLI = "cli", "CLI"


class Invocation(models.Model):
    """One call to a function: who, with which profile, what target, the full payload, the result.

    Written first (queued), then a Celery task carrying only the pk does the call. Immutable
    once terminal.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # who and how
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invocations")
    profile = models.ForeignKey(
        "invocations.CredentialProfile", on_delete=models.PROTECT, related_name="invocations"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    # target
    region = models.CharField(max_length=32)
    service = models.CharField(max_length=128)
    qualifier = models.CharField(max_length=128, blank=True)
    function = models.CharField(max_length=128)
    # request
    invocation_type = models.CharField(
        max_length=8, choices=InvocationType.choices, default=InvocationType.SYNC
    )
    event = models.BinaryField(default=b"", blank=True)
    http_request = models.JSONField(null=True, blank=True, help_text="HTTP-trigger request, when used")
    client_timeout = models.PositiveIntegerField(null=True, blank=True, help_text="seconds")
    async_invocation_id = models.CharField(max_length=128, blank=True, db_index=True)
    # progress
    state = models.CharField(max_length=16, choices=InvocationState.choices, default=InvocationState.QUEUED)
    state_reason = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    send_attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # result
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    request_url = models.TextField(blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(null=True, blank=True)
    log_tail = models.TextField(blank=True)
    error_type = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=128, blank=True)
    error_message = models.TextField(blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    billed_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    memory_size_mb = models.PositiveIntegerField(null=True, blank=True)
    max_memory_used_mb = models.FloatField(null=True, blank=True)
    instance_id = models.CharField(max_length=128, blank=True)
    code_checksum = models.CharField(max_length=64, blank=True)
    resolved_qualifier = models.CharField(max_length=128, blank=True)
    async_status = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="inv_created"),
            models.Index(fields=["service", "function", "-created_at"], name="inv_function"),
            models.Index(fields=["user", "-created_at"], name="inv_user"),
            models.Index(fields=["profile", "-created_at"], name="inv_profile"),
            models.Index(fields=["state", "-created_at"], name="inv_state"),
            models.Index(fields=["request_id"], name="inv_request_id"),
        ]

    def __str__(self):
        return f"{self.service}/{self.function} {self.state} {self.created_at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_terminal(self) -> bool:
        return self.state in InvocationState.terminal()


class AsyncStatusEvent(models.Model):
    """One status change of an async (stateful) invocation, as FC reported it."""

    invocation = models.ForeignKey(Invocation, on_delete=models.CASCADE, related_name="status_events")
    status = models.CharField(max_length=16)
    at = models.DateTimeField()
    detail = models.TextField(blank=True)
    fc_event_id = models.IntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invocation", "status", "at"], name="async_event_once"),
        ]

    def __str__(self):
        return f"{self.status} at {self.at:%H:%M:%S}"
