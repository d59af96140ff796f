"""Where every view starts: the role a page needs, and the object it is about, found for the user.

The rules themselves live on the models (`require_role`/`Role.allows`, `CredentialProfile.usable_by`,
`Invocation.may_rerun`/`may_stop`); the helpers here apply them and turn "not yours to see" into
404, so that a URL does not tell whether something exists.
"""

from functools import cached_property, wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from invocations.models import CredentialProfile, Invocation, Role
from invocations.models.roles import require_role

__all__ = [
    "InvocationAccess",
    "get_invocation_for_user",
    "get_profile_for_admin",
    "get_profile_for_invoker",
    "require_role",
    "role_required",
    "visible_invocations",
]


def role_required(needed: Role):
    """View decorator: signed in (else redirect to login) and at least `needed`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.role = require_role(request.user, needed)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# -- object helpers: each returns the object the user may use, or raises ---------------------
# Objects are addressed by UUID. An object the user may not see answers 404 (not 403), so a
# URL does not tell whether something exists.


def visible_invocations(user):
    """The user's visible history, with the rows an invocation's page and `to_dict` name
    (submitter, profile, original of a re-run, who stopped it)."""
    return Invocation.objects.for_user(user).select_related("user", "profile", "rerun_of", "stopped_by")


class InvocationAccess:
    """What a user may do with an invocation they can see, each answer worked out when first asked
    (a download needs none of them; the live fragment, polled every second, only some)."""

    def __init__(self, invocation: Invocation, user):
        self._invocation, self._user = invocation, user

    @cached_property
    def rerun(self) -> bool:
        return self._invocation.may_rerun(self._user)

    @cached_property
    def stop(self) -> bool:
        return self._invocation.may_stop(self._user)


def get_invocation_for_user(user, uuid) -> tuple[Invocation, InvocationAccess]:
    """An invocation in the user's visible history (viewer and up), else 404, with what they may
    do with it."""
    require_role(user, Role.VIEWER)
    invocation = get_object_or_404(visible_invocations(user), uuid=uuid)
    return invocation, InvocationAccess(invocation, user)


def get_profile_for_admin(user, uuid):
    """A credential profile to edit or test: admins only."""
    require_role(user, Role.ADMIN)
    return get_object_or_404(CredentialProfile, uuid=uuid)


def get_profile_for_invoker(user, uuid):
    """A credential profile the user may invoke (and browse FC) with, else 404."""
    require_role(user, Role.INVOKER)
    return get_object_or_404(CredentialProfile.objects.usable_by(user), uuid=uuid)
