"""Saved events: named request bodies a team reuses, with every body they ever had.

Visibility: a private event exists for its owner only (every query here goes through
`visible_to`, and nothing else hands events out); a team event is readable by every console
role and editable by its owner and admins. Deletion is soft so an admin can undo it. Invocation
rows copy their payload, so nothing here changes history.
"""

import difflib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from invocations import activity
from invocations.models import Role, role_of
from savedevents import bodies
from savedevents.bodies import InvocationType, Kind

# Names become file names on export (event-template/<name>.json), so they stay file-safe.
name_validator = RegexValidator(
    r"^[A-Za-z0-9_][A-Za-z0-9_. -]{0,99}$",
    "Use up to 100 letters, digits, spaces, dots, dashes or underscores, not starting with a dot, dash or space.",
)


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private (only me)"
    TEAM = "team", "Team"


def normalize_tags(text: str) -> str:
    """'b, a,,B ' -> 'a,b': lower-case, unique, sorted, comma-joined (searchable with icontains)."""
    return ",".join(sorted({t.strip().lower() for t in text.split(",") if t.strip()}))


class SavedEventQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user, *, deleted: bool = False):
        """Events `user` may see: their own and the team's. Private events of others never, not even
        for admins. `deleted=True` gives the trash instead: own deleted events, and for admins the
        team's too. Users without a console role see nothing."""
        if role_of(user) is None:
            return self.none()
        rows = self.filter(deleted_at__isnull=not deleted)
        if deleted and role_of(user) != Role.ADMIN:
            return rows.filter(owner=user)
        return rows.filter(Q(owner=user) | Q(visibility=Visibility.TEAM))

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
        """The invoke form's list: events aimed at this function first, then the team's, then own."""
        # A function alone is an FC 3.0 target: it matches events aimed at it without a service.
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


class SavedEvent(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="saved_events")
    name = models.CharField(max_length=100, validators=[name_validator])
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.JSON)
    body = models.TextField(blank=True, help_text="Binary bodies are stored as base64.")
    target_service = models.CharField(max_length=128, blank=True)
    target_function = models.CharField(max_length=128, blank=True)
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
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split(",") if self.tags else []

    @property
    def target(self) -> str:
        """`service/function` (FC 2.0), `function` (FC 3.0: no service), or "" (any function)."""
        if not self.target_function:
            return ""
        return (
            f"{self.target_service}/{self.target_function}" if self.target_service else self.target_function
        )

    def payload(self) -> bytes:
        """The bytes an invocation sends."""
        return bodies.payload(self.kind, self.body)

    @property
    def size(self) -> int:
        return len(self.payload())

    def clean(self):
        self.tags = normalize_tags(self.tags)
        errors = {}
        # A function without a service is an FC 3.0 target; a service alone names no function.
        if self.target_service and not self.target_function:
            errors["target_function"] = "Give the function too (or neither, for any function)."
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

    def validate_name_is_free(self):
        """The friendly form of the two unique constraints (the constraints still guard races)."""
        others = SavedEvent.objects.alive().filter(name=self.name).exclude(pk=self.pk)
        if others.filter(owner_id=self.owner_id).exists():
            raise ValidationError(
                {"name": f"You already have an event named {self.name!r}."}, code="duplicate"
            )
        if self.visibility == Visibility.TEAM and others.filter(visibility=Visibility.TEAM).exists():
            raise ValidationError(
                {"name": f"The team already has an event named {self.name!r}."}, code="duplicate"
            )

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

    # --- changes: each keeps the version history consistent with the row and is audited -----

    @transaction.atomic
    def save_new(self, by, note: str = "created") -> "SavedEvent":
        """Validate and insert this event with its first version."""
        self.full_clean()
        self.version = 1
        _save_or_name_error(self)
        self.versions.create(number=1, kind=self.kind, body=self.body, created_by=by, note=note)
        activity.record("event.created", actor=by, obj=self, after=self.summary() | {"note": note})
        return self

    @transaction.atomic
    def save_edit(self, by, note: str = "edited", action: str = "event.edited") -> bool:
        """Validate and save changes; a changed body or kind becomes a new version.
        Returns whether a version was added."""
        self.full_clean()
        # Locked, so two edits at once get consecutive version numbers instead of one failing.
        current = SavedEvent.objects.select_for_update(of=("self",)).select_related("owner").get(pk=self.pk)
        before = current.summary()
        latest = self.versions.get(number=current.version)
        changed = (latest.kind, latest.body) != (self.kind, self.body)
        self.version = current.version + 1 if changed else current.version
        _save_or_name_error(self)
        if changed:
            self.versions.create(
                number=self.version, kind=self.kind, body=self.body, created_by=by, note=note
            )
        activity.record(action, actor=by, obj=self, before=before, after=self.summary() | {"note": note})
        if before["visibility"] != self.visibility:
            shared = self.visibility == Visibility.TEAM
            activity.record("event.shared" if shared else "event.unshared", actor=by, obj=self)
        return changed

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

    @transaction.atomic
    def soft_delete(self, by) -> None:
        self.deleted_at = timezone.now()
        self.deleted_by = by
        self.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        activity.record("event.deleted", actor=by, obj=self, before=self.summary())

    @transaction.atomic
    def undelete(self, by) -> None:
        """Bring a deleted event back, unless its name was taken meanwhile (ValidationError)."""
        deleted = self.deleted_at, self.deleted_by
        self.deleted_at, self.deleted_by = None, None
        try:
            self.validate_name_is_free()
            _save_or_name_error(self, update_fields=["deleted_at", "deleted_by", "updated_at"])
        except ValidationError:
            self.deleted_at, self.deleted_by = deleted
            raise
        activity.record("event.restored", actor=by, obj=self, after=self.summary())


def _save_or_name_error(event: SavedEvent, **kwargs) -> None:
    """Save; a concurrent request that took the name turns into the same error the form shows."""
    try:
        with transaction.atomic():
            event.save(**kwargs)
    except IntegrityError:
        raise ValidationError(
            {"name": f"An event named {event.name!r} exists already."}, code="duplicate"
        ) from None


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
