"""The small fixed vocabularies of an invocation: its state, its type, where it came from."""

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

    @classmethod
    def active(cls) -> list[str]:
        return [cls.QUEUED, cls.RUNNING, cls.TRACKING]


class InvocationType(models.TextChoices):
    SYNC = "sync", "Sync"
    ASYNC = "async", "Async"


class Source(models.TextChoices):
    WEB = "web", "Console"
    API = "api", "REST API"
    CLI = "cli", "CLI"
    # An async task FC lists for a function the console follows, that the console did not send.
    OUTSIDE = "outside", "outside the console"
