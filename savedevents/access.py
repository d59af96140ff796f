"""The one place that decides what a user may do with a saved event. Every view starts here.

Rules (DESIGN.md roles):
- no console role: nothing (403 on every page);
- viewer: reads own and team events, uses them, downloads and exports them; creates nothing;
- invoker: also creates events, edits and deletes their own, duplicates team events;
- admin: also edits, deletes and undeletes team events of anyone.
A private event of someone else does not exist for anyone, admins included (404, never 403).
An owner may undelete their own events; the trash shows the team's deleted events to admins.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from invocations.access import require_role
from invocations.models import Role
from savedevents.models import SavedEvent


@dataclass(frozen=True)
class EventAccess:
    event: SavedEvent
    role: Role
    is_owner: bool

    @property
    def can_edit(self) -> bool:
        if self.event.is_deleted or not self.role.allows(Role.INVOKER):
            return False
        return self.is_owner or self.role == Role.ADMIN

    can_delete = can_edit

    @property
    def can_invoke(self) -> bool:
        return not self.event.is_deleted and self.role.allows(Role.INVOKER)

    can_duplicate = can_invoke

    @property
    def can_undelete(self) -> bool:
        return self.event.is_deleted and (self.is_owner or self.role == Role.ADMIN)


def get_event_for_user(user, event_uuid, need: str | None = None, *, deleted: bool = False) -> EventAccess:
    """The event with what `user` may do with it. `need` ("edit", "delete", "duplicate",
    "undelete") raises PermissionDenied unless allowed. `deleted=True` looks in the trash."""
    role = require_role(user, Role.VIEWER)
    try:
        event = (
            SavedEvent.objects.visible_to(user, deleted=deleted).select_related("owner").get(uuid=event_uuid)
        )
    except SavedEvent.DoesNotExist:
        raise Http404("No such event.") from None
    access = EventAccess(event=event, role=role, is_owner=event.owner_id == user.pk)
    if need and not getattr(access, f"can_{need}"):
        raise PermissionDenied(f"You may not {need} this event.")
    return access


def require_creator(user) -> Role:
    """Creating events (from scratch, a template, an invocation, an import) needs the invoker role."""
    return require_role(user, Role.INVOKER)
