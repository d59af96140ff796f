"""The one place that decides what a user may do with a suite, a run or a schedule.

The saved events' rules (savedevents/access.py), for suites:
- no console role: nothing; viewer: reads own and team suites and their runs, exports them;
- invoker: also creates suites, edits, deletes and schedules their own, and runs any they see;
- admin: also edits, deletes, undeletes and schedules team suites of anyone.
A private suite of someone else does not exist for anyone, admins included (404, never 403);
nor do its runs.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from invocations.access import require_role
from invocations.models import Role
from suites.models import Schedule, Suite, SuiteRun


@dataclass(frozen=True)
class SuiteAccess:
    suite: Suite
    role: Role
    is_owner: bool

    @property
    def can_edit(self) -> bool:
        if self.suite.is_deleted or not self.role.allows(Role.INVOKER):
            return False
        return self.is_owner or self.role == Role.ADMIN

    can_delete = can_edit
    can_schedule = can_edit

    @property
    def can_run(self) -> bool:
        return not self.suite.is_deleted and self.role.allows(Role.INVOKER)

    @property
    def can_undelete(self) -> bool:
        return self.suite.is_deleted and (self.is_owner or self.role == Role.ADMIN)


def get_suite_for_user(user, suite_uuid, need: str | None = None, *, deleted: bool = False) -> SuiteAccess:
    """The suite with what `user` may do with it; `need` ("edit", "run", ...) raises unless allowed."""
    role = require_role(user, Role.VIEWER)
    try:
        suite = Suite.objects.visible_to(user, deleted=deleted).select_related("owner").get(uuid=suite_uuid)
    except Suite.DoesNotExist:
        raise Http404("No such suite.") from None
    access = SuiteAccess(suite=suite, role=role, is_owner=suite.owner_id == user.pk)
    if need and not getattr(access, f"can_{need}"):
        raise PermissionDenied(f"You may not {need} this suite.")
    return access


def get_run_for_user(user, run_uuid) -> SuiteRun:
    """A run of a suite the user sees (deleted suites' runs too: they are history)."""
    require_role(user, Role.VIEWER)
    try:
        run = SuiteRun.objects.select_related("suite", "user").get(uuid=run_uuid)
    except SuiteRun.DoesNotExist:
        raise Http404("No such run.") from None
    visible = Suite.objects.visible_to(user) | Suite.objects.visible_to(user, deleted=True)
    if not visible.filter(pk=run.suite_id).exists():
        raise Http404("No such run.")
    return run


def get_schedule_for_user(user, schedule_uuid) -> Schedule:
    try:
        schedule = Schedule.objects.select_related("suite").get(uuid=schedule_uuid)
    except Schedule.DoesNotExist:
        raise Http404("No such schedule.") from None
    get_suite_for_user(user, schedule.suite.uuid, "schedule")
    return schedule


def require_creator(user) -> Role:
    return require_role(user, Role.INVOKER)
