"""Saved events: named request bodies a team reuses, with every body they ever had.

Visibility: a private event exists for its owner only (every query here goes through
`visible_to`, and nothing else hands events out); a team event is readable by every console
role and editable by its owner and admins. Deletion is soft so an admin can undo it. Invocation
rows copy their payload, so nothing here changes history.
"""

import difflib
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When

from invocations import naming, rules
from savedevents import bodies
from savedevents.bodies import InvocationType, Kind
from savedevents.ownership import OwnedQuerySet, OwnedVersioned, Visibility

# Names become file names on export (event-template/<name>.json) and download headers, so they
# stay file-safe: matched whole, so a trailing newline is refused too ('$' would let it through).
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_. -]{0,99}")


def name_validator(value: str) -> None:
    """The one rule of an event name: the form, the API, imports and the CLI ask it."""
    if not _NAME.fullmatch(value or ""):
        raise ValidationError(
            "Use up to 100 letters, digits, spaces, dots, dashes or underscores, not starting with a "
            "dot, dash or space.",
            code="invalid",
        )


def normalize_tags(text: str) -> str:
    """'b, a,,B ' -> 'a,b': lower-case, unique, sorted, comma-joined (searchable with icontains)."""
    return ",".join(sorted({t.strip().lower() for t in text.split(",") if t.strip()}))


class SavedEventQuerySet(OwnedQuerySet):
    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(tags__icontains=text)
            | Q(target_function__icontains=text)
        )

    def for_picker(self, user, service: str = "", function: str = ""):
        """The invoke form's list: events aimed at this function first, then the team's, then own.

        A function without a service is an FC 3.0 function: events aimed at it are those with
        that function and no service (an FC 2.0 function of the same name is another function).
        """
        target = Q(target_service=service, target_function=function) if function else Q(pk=None)
        return (
            self.visible_to(user)
            .annotate(
                rank=Case(
                    When(target, then=Value(0)),
                    When(visibility=Visibility.TEAM, then=Value(1)),
                    default=Value(2),
                )
            )
            .order_by("rank", "name", "id")
        )


class SavedEvent(OwnedVersioned, models.Model):
    NOUN, AUDIT, VERSIONED_FIELDS = "an event", "event", ("kind", "body")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="saved_events")
    name = models.CharField(max_length=100, validators=[name_validator])
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.JSON)
    body = models.TextField(blank=True, help_text="Binary bodies are stored as base64.")
    target_service = models.CharField(max_length=128, blank=True, validators=[rules.validate_service_name])
    target_function = models.CharField(max_length=128, blank=True, validators=[rules.validate_function_name])
    invocation_type = models.CharField(
        max_length=8, choices=InvocationType.choices, default=InvocationType.SYNC
    )
    tags = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    template = models.CharField(max_length=32, blank=True, help_text="The trigger template it was made from.")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SavedEventQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # One live event per name per owner, and one per name among team events, so the
            # picker and exported files never show two different events under one name.
            models.UniqueConstraint(
                fields=["owner", "name"], condition=Q(deleted_at__isnull=True), name="savedevent_owner_name"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(deleted_at__isnull=True, visibility="team"),
                name="savedevent_team_name",
            ),
        ]
        indexes = [
            models.Index(fields=["target_service", "target_function"], name="savedevent_target"),
            models.Index(fields=["visibility", "name"], name="savedevent_visibility"),
        ]

    def __str__(self):
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split(",") if self.tags else []

    @property
    def target(self) -> str:
        """`service/function` (FC 2.0), `function` (FC 3.0, no service), or "" (any function)."""
        if not self.target_function:
            return ""
        return naming.target_name(self.target_service, self.target_function)

    def payload(self) -> bytes:
        """The bytes an invocation sends."""
        return bodies.payload(self.kind, self.body)

    @property
    def size(self) -> int:
        return len(self.payload())

    def clean(self):
        self.tags = normalize_tags(self.tags)
        errors = {}
        # A function alone is an FC 3.0 target; a service alone names no function.
        if self.target_service and not self.target_function:
            errors["target_function"] = "Give the function of that service too (or no service for FC 3.0)."
        for check in (
            lambda: bodies.validate(self.kind, self.body, self.invocation_type),
            self.validate_name_is_free,
        ):
            try:
                check()
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    def to_dict(self) -> dict:
        return {
            "uuid": str(self.uuid),
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "body": self.body,
            "target_service": self.target_service,
            "target_function": self.target_function,
            "invocation_type": self.invocation_type,
            "tags": self.tag_list,
            "template": self.template,
            "visibility": self.visibility,
            "owner": self.owner.get_username(),
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def summary(self) -> dict:
        """What the audit trail keeps of an event: its identity and settings, not its body."""
        return {
            "name": self.name,
            "owner": self.owner.get_username(),
            "visibility": self.visibility,
            "kind": self.kind,
            "size": self.size,
            "version": self.version,
            "target": self.target,
            "invocation_type": self.invocation_type,
        }

    # --- changes (the rest are OwnedVersioned's) -------------------------------------------------

    def restore_version(self, version: "SavedEventVersion", by) -> "SavedEventVersion":
        """Make `version`'s body current again, as a new version (history only grows)."""
        self.kind, self.body = version.kind, version.body
        self.save_edit(by, note=f"restored version {version.number}", action="event.version_restored")
        return self.versions.get(number=self.version)

    def duplicate_for(self, user) -> "SavedEvent":
        """A private copy owned by `user`, named '<name> copy' (numbered when taken)."""
        copy = SavedEvent(
            owner=user,
            description=self.description,
            kind=self.kind,
            body=self.body,
            target_service=self.target_service,
            target_function=self.target_function,
            invocation_type=self.invocation_type,
            tags=self.tags,
            template=self.template,
            visibility=Visibility.PRIVATE,
        )
        taken = set(SavedEvent.objects.alive().filter(owner=user).values_list("name", flat=True))
        base = f"{self.name[:94]} copy"
        copy.name = next(n for n in (base, *(f"{base} {i}" for i in range(2, 10_000))) if n not in taken)
        return copy.save_new(
            user, note=f"duplicated from {self.owner.get_username()}/{self.name} v{self.version}"
        )


class SavedEventVersion(models.Model):
    """One body a saved event had. Version 1 is the body it was created with."""

    event = models.ForeignKey(SavedEvent, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    body = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="savedevent_version_once")]

    def __str__(self):
        return f"{self.event} v{self.number}"

    def diff_lines(self, newer: "SavedEventVersion") -> list[tuple[str, str]]:
        """Unified diff from this version to `newer` as (css class, line) pairs for a template."""
        lines = difflib.unified_diff(
            self.body.splitlines(),
            newer.body.splitlines(),
            fromfile=f"v{self.number} ({self.get_kind_display()})",
            tofile=f"v{newer.number} ({newer.get_kind_display()})",
            lineterm="",
        )
        return [(_diff_class(line), line) for line in lines]


def _diff_class(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    return {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
