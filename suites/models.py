"""Suites: named, ordered lists of checks run as ordinary invocations, judged against expectations.

Ownership, visibility, versions, soft deletion and the audit trail are saved events' own
(savedevents/ownership.py): a private suite exists for its owner only, a team suite is readable by
every console role and editable by its owner and admins; every change to the checks is a new
version, and history only grows. A run keeps the checks it ran (a copy), so editing a suite
never changes what an old run says.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from invocations.models import Invocation
from savedevents.models import name_validator
from savedevents.ownership import OwnedQuerySet, OwnedVersioned, Visibility
from suites import cron, definition


class SuiteQuerySet(OwnedQuerySet):
    def named(self, user, name: str):
        """The suite `user` means by `name`: their own first, then the team's (None if neither)."""
        rows = self.visible_to(user).filter(name=name)
        return rows.filter(owner=user).first() or rows.filter(visibility=Visibility.TEAM).first()


class Suite(OwnedVersioned, models.Model):
    NOUN, AUDIT, VERSIONED_FIELDS = "a suite", "suite", ("checks",)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suites")
    name = models.CharField(max_length=100, validators=[name_validator])
    description = models.TextField(blank=True)
    checks = models.JSONField(default=list, blank=True, help_text="suites/definition.py")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SuiteQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], condition=Q(deleted_at__isnull=True), name="suite_owner_name"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(deleted_at__isnull=True, visibility="team"),
                name="suite_team_name",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        try:
            self.checks = definition.clean_checks(self.checks)
        except ValidationError as exc:
            errors["checks"] = exc.messages
        try:
            self.validate_name_is_free()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    def summary(self) -> dict:
        """What the audit trail keeps of a suite."""
        return {
            "name": self.name,
            "owner": self.owner.get_username(),
            "visibility": self.visibility,
            "version": self.version,
            "checks": [c["name"] for c in self.checks],
        }

    def to_dict(self) -> dict:
        return {
            "uuid": str(self.uuid),
            "name": self.name,
            "description": self.description,
            "visibility": self.visibility,
            "owner": self.owner.get_username(),
            "version": self.version,
            "checks": self.checks,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    # --- changes (the rest are OwnedVersioned's) -------------------------------------------------

    def restore_version(self, version: SuiteVersion, by) -> None:
        self.checks = version.checks
        self.save_edit(by, note=f"restored version {version.number}", action="suite.version_restored")

    @transaction.atomic
    def soft_delete(self, by) -> None:
        """Deleted, audited, and its schedules stopped."""
        super().soft_delete(by)
        self.schedules.update(enabled=False)


class SuiteVersion(models.Model):
    """The checks a suite had. Version 1 is what it was created with."""

    suite = models.ForeignKey(Suite, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    checks = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["suite", "number"], name="suite_version_once")]

    def __str__(self):
        return f"{self.suite} v{self.number}"


class RunState(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class CheckVerdict(models.TextChoices):
    PENDING = "pending", "Pending"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    NOT_RUN = "not_run", "Not run"  # the console refused it (no permission, bad event): never sent


class SuiteRun(models.Model):
    """One run of a suite: one invocation per check, a verdict per check and overall at the end."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    suite = models.ForeignKey(Suite, on_delete=models.PROTECT, related_name="runs")
    suite_version = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=8, help_text="web, api, cli, or schedule")
    profile_override = models.CharField(max_length=64, blank=True)
    schedule = models.ForeignKey(
        "Schedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    slot = models.DateTimeField(null=True, blank=True, help_text="the scheduled minute this run is for")
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    passed = models.BooleanField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The second guard of "a slot fires once" (the first: Schedule.claim's conditional UPDATE).
            models.UniqueConstraint(fields=["schedule", "slot"], name="suiterun_schedule_slot_once")
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="suiterun_state"),
            models.Index(fields=["suite", "-created_at"], name="suiterun_suite"),
        ]

    def __str__(self):
        return f"{self.suite} run {self.created_at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_finished(self) -> bool:
        return self.state == RunState.FINISHED

    @property
    def verdict(self) -> str:
        if not self.is_finished:
            return "running"
        return "passed" if self.passed else "failed"

    def to_dict(self) -> dict:
        return {
            "uuid": str(self.uuid),
            "suite": {"uuid": str(self.suite.uuid), "name": self.suite.name, "version": self.suite_version},
            "user": self.user.get_username(),
            "source": self.source,
            "state": self.state,
            "verdict": self.verdict,
            "passed": self.passed,
            "slot": self.slot.isoformat() if self.slot else None,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "checks": [c.to_dict() for c in self.run_checks.select_related("invocation")],
        }


class SuiteRunCheck(models.Model):
    """One check of one run, linked to the ordinary invocation that ran it."""

    run = models.ForeignKey(SuiteRun, on_delete=models.CASCADE, related_name="run_checks")
    position = models.PositiveIntegerField()
    spec = models.JSONField(help_text="the check as it was when the run started")
    # Retention may prune old invocations; the verdict stays.
    invocation = models.ForeignKey(
        Invocation, null=True, blank=True, on_delete=models.SET_NULL, related_name="suite_checks"
    )
    verdict = models.CharField(max_length=8, choices=CheckVerdict.choices, default=CheckVerdict.PENDING)
    judgements = models.JSONField(default=list, blank=True, help_text="[{text, passed, detail}]")
    reason = models.TextField(blank=True, help_text="why it was not run")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="suiteruncheck_once")]

    def __str__(self):
        return f"{self.run} #{self.position}"

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def failed_judgements(self) -> list[dict]:
        return [j for j in self.judgements if not j["passed"]]

    def to_dict(self) -> dict:
        return {
            "position": self.position,
            "name": self.name,
            "target": definition.target(self.spec),
            "verdict": self.verdict,
            "judgements": self.judgements,
            "reason": self.reason,
            "invocation": str(self.invocation.uuid) if self.invocation else None,
            "state": self.invocation.state if self.invocation else None,
        }


class Schedule(models.Model):
    """Runs a suite at the minutes a cron expression names (UTC), as `run_as`.

    `next_run_at` is the next slot; whoever moves it on (one conditional UPDATE in `claim`) owns
    that slot's run. A slot missed while no scheduler ran fires once when one is back, and the
    schedule goes on from the next slot after now.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    suite = models.ForeignKey(Suite, on_delete=models.CASCADE, related_name="schedules")
    cron = models.CharField(max_length=100)
    profile_override = models.CharField(max_length=64, blank=True)
    run_as = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["enabled", "next_run_at"], name="schedule_due")]

    def __str__(self):
        return f"{self.suite} at {self.cron}"

    def clean(self):
        try:
            cron.parse(self.cron)
        except cron.CronError as exc:
            raise ValidationError({"cron": str(exc)}) from None

    def following(self, moment) -> object:
        return cron.parse(self.cron).next_after(moment)
