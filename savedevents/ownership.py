"""Owned, shared, versioned, soft-deleted things: saved events, and suites (suites/models.py).

The rules in one place: a private one exists for its owner only, a team one is readable by every
console role; one live name per owner and one among the team's; every change of the versioned
fields is a new version (history only grows); deletion is soft; every change is audited as
`<AUDIT>.created`, `.edited`, `.shared`/`.unshared`, `.deleted`, `.restored`.

A model using them has the fields owner, name, visibility, version, updated_at, deleted_at and
deleted_by, a `versions` relation whose rows hold `VERSIONED_FIELDS`, and a `summary()` for the
trail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from invocations import activity
from invocations.models import Role, role_of


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private (only me)"
    TEAM = "team", "Team"


class OwnedQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user, *, deleted: bool = False):
        """What `user` may see: their own and the team's. Private ones of others never, not even
        for admins. `deleted=True` gives the trash instead: their own deleted ones, and for admins
        the team's too. Users without a console role see nothing."""
        if role_of(user) is None:
            return self.none()
        rows = self.filter(deleted_at__isnull=not deleted)
        if deleted and role_of(user) != Role.ADMIN:
            return rows.filter(owner=user)
        return rows.filter(Q(owner=user) | Q(visibility=Visibility.TEAM))


class OwnedVersioned:
    """The changes of an owned, versioned model, each keeping its versions consistent with the
    row and each audited. Set `NOUN` ("an event"), `AUDIT` ("event") and `VERSIONED_FIELDS`."""

    NOUN: str
    AUDIT: str
    VERSIONED_FIELDS: tuple[str, ...]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def is_visible_to(self, user) -> bool:
        """`OwnedQuerySet.visible_to`'s rule for one: alive, and its owner's or the team's (with a
        console role). Notifications ask it of the one thing they are about."""
        if role_of(user) is None or self.is_deleted:
            return False
        return self.owner_id == user.pk or self.visibility == Visibility.TEAM

    def validate_name_is_free(self):
        """The friendly form of the two unique constraints (the constraints still guard races)."""
        others = type(self)._default_manager.alive().filter(name=self.name).exclude(pk=self.pk)
        if others.filter(owner_id=self.owner_id).exists():
            raise ValidationError(
                {"name": f"You already have {self.NOUN} named {self.name!r}."}, code="duplicate"
            )
        if self.visibility == Visibility.TEAM and others.filter(visibility=Visibility.TEAM).exists():
            raise ValidationError(
                {"name": f"The team already has {self.NOUN} named {self.name!r}."}, code="duplicate"
            )

    def _versioned(self) -> dict:
        return {name: getattr(self, name) for name in self.VERSIONED_FIELDS}

    @transaction.atomic
    def save_new(self, by, note: str = "created"):
        """Validate and insert it with its first version."""
        self.full_clean()
        self.version = 1
        self._save_or_name_error()
        self.versions.create(number=1, created_by=by, note=note, **self._versioned())
        activity.record(f"{self.AUDIT}.created", actor=by, obj=self, after=self.summary() | {"note": note})
        return self

    @transaction.atomic
    def save_edit(self, by, note: str = "edited", action: str | None = None) -> bool:
        """Validate and save changes; changed versioned fields become a new version.
        Returns whether a version was added. `action`: the audit action (default `<AUDIT>.edited`)."""
        self.full_clean()
        # Locked, so two edits at once get consecutive version numbers instead of one failing.
        manager = type(self)._default_manager
        current = manager.select_for_update(of=("self",)).select_related("owner").get(pk=self.pk)
        before = current.summary()
        latest = self.versions.get(number=current.version)
        changed = {name: getattr(latest, name) for name in self.VERSIONED_FIELDS} != self._versioned()
        self.version = current.version + 1 if changed else current.version
        self._save_or_name_error()
        if changed:
            self.versions.create(number=self.version, created_by=by, note=note, **self._versioned())
        activity.record(
            action or f"{self.AUDIT}.edited",
            actor=by,
            obj=self,
            before=before,
            after=self.summary() | {"note": note},
        )
        if before["visibility"] != self.visibility:
            shared = self.visibility == Visibility.TEAM
            activity.record(f"{self.AUDIT}.{'shared' if shared else 'unshared'}", actor=by, obj=self)
        return changed

    @transaction.atomic
    def soft_delete(self, by) -> None:
        self.deleted_at, self.deleted_by = timezone.now(), by
        self.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        activity.record(f"{self.AUDIT}.deleted", actor=by, obj=self, before=self.summary())

    @transaction.atomic
    def undelete(self, by) -> None:
        """Bring it back, unless its name was taken meanwhile (ValidationError)."""
        deleted = self.deleted_at, self.deleted_by
        self.deleted_at, self.deleted_by = None, None
        try:
            self.validate_name_is_free()
            self._save_or_name_error(update_fields=["deleted_at", "deleted_by", "updated_at"])
        except ValidationError:
            self.deleted_at, self.deleted_by = deleted
            raise
        activity.record(f"{self.AUDIT}.restored", actor=by, obj=self, after=self.summary())

    def _save_or_name_error(self, **kwargs) -> None:
        """Save; a concurrent request that took the name turns into the same error the form shows."""
        try:
            with transaction.atomic():
                self.save(**kwargs)
        except IntegrityError:
            raise ValidationError(
                {"name": f"{self.NOUN[0].upper()}{self.NOUN[1:]} named {self.name!r} exists already."},
                code="duplicate",
            ) from None
