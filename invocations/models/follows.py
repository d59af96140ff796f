"""Functions whose async tasks the tracker follows although nothing the console sent runs there.

Following a function makes its poll list every task FC starts there from then on: the tasks the
console did not send enter the history as started outside the console (see
`lifecycle/tracking/store.adopt`). A function the console has tasks in is followed anyway, for as
long as they run; a follow lasts FOLLOW_DAYS unless renewed or stopped.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from invocations import activity
from invocations.fc.targets import Target
from invocations.models.profiles import CredentialProfile
from invocations.models.roles import Role, require_role

FOLLOW_DAYS = 7
# Who "ran" a task the console did not send: a user that cannot sign in, so every row still has
# a user and the pages need no special case; the row's source says where it came from.
OUTSIDE_USERNAME = "outside-the-console"


def outside_user():
    user, created = get_user_model().objects.get_or_create(
        username=OUTSIDE_USERNAME, defaults={"is_active": False, "first_name": "Outside the console"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class FollowedFunctionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(until__gt=timezone.now())

    def follow(self, user, profile: CredentialProfile, target: Target, *, days: int = FOLLOW_DAYS):
        """Follow `target`'s async tasks through `profile` for `days` (renewed if followed already)."""
        require_role(user, Role.INVOKER)
        if not profile.is_usable_by(user):
            raise PermissionDenied(f"You may not use the profile {profile.name}.")
        follow, _ = self.update_or_create(
            profile=profile,
            region=target.region,
            service=target.service,
            function=target.function,
            qualifier=target.qualifier,
            defaults={"followed_by": user, "until": timezone.now() + timedelta(days=days)},
        )
        activity.record(
            "function.followed", actor=user, obj=follow, after={"target": str(target), "days": days}
        )
        return follow


class FollowedFunction(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(CredentialProfile, on_delete=models.CASCADE, related_name="follows")
    region = models.CharField(max_length=32)
    service = models.CharField(max_length=128, blank=True, help_text="FC 2.0 only")
    function = models.CharField(max_length=128)
    qualifier = models.CharField(max_length=128, blank=True)
    followed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    until = models.DateTimeField()

    objects = FollowedFunctionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "region", "service", "function", "qualifier"], name="follow_once"
            )
        ]

    def __str__(self):
        return f"{self.target} through {self.profile}"

    @property
    def target(self) -> Target:
        return Target(self.region, self.function, self.service, self.qualifier)

    def stop(self, user) -> None:
        """Stop following: whoever may use its profile (the tasks already in the history stay)."""
        require_role(user, Role.INVOKER)
        if not self.profile.is_usable_by(user):
            raise PermissionDenied(f"You may not use the profile {self.profile.name}.")
        activity.record("function.unfollowed", actor=user, obj=self, after={"target": str(self.target)})
        self.delete()
