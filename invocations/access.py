"""The one place that decides who may do what. Every view calls a helper from here."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from invocations.models import CredentialProfile, Invocation, Role, role_of


def require_role(user, needed: Role) -> Role:
    """Return the user's role if it allows `needed`, else raise PermissionDenied."""
    role = role_of(user)
    if role is None or not role.allows(needed):
        raise PermissionDenied(f"This needs the {Role(needed).label.lower()} role.")
    return role


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


def get_invocation_for_user(user, uuid):
    """An invocation in the user's visible history (viewer and up), else 404."""
    require_role(user, Role.VIEWER)
    return get_object_or_404(visible_invocations(user), uuid=uuid)


def get_profile_for_admin(user, uuid):
    """A credential profile to edit or test: admins only."""
    require_role(user, Role.ADMIN)
    return get_object_or_404(CredentialProfile, uuid=uuid)


def get_profile_for_invoker(user, uuid):
    """A credential profile the user may invoke (and browse FC) with, else 404."""
    require_role(user, Role.INVOKER)
    return get_object_or_404(CredentialProfile.objects.usable_by(user), uuid=uuid)
