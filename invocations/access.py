"""The one place that decides who may do what. Every view calls a helper from here."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from invocations.models import Role, role_of


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
