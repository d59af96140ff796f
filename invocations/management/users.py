"""Which console user a management command acts as (`--as-user`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from invocations.models import Role, role_of


def resolve_user(username: str):
    """The active user named `username`, or a usage error (exit 64)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as-user: no active console user {username!r}.", returncode=64)
    return user


def sole_user_who_can(predicate):
    """The one active console user of invoker role or above for whom `predicate(user)` holds.

    Lets `manage.py invoke` on a laptop with one account omit --as-user; with two candidates or none,
    guessing would put someone else's name on the history row, so it is a usage error.
    """
    candidates = [
        user
        for user in get_user_model().objects.filter(is_active=True).select_related("membership")
        if (role := role_of(user)) is not None and role.allows(Role.INVOKER) and predicate(user)
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CommandError(
            "--as-user is required: no console user may invoke with this profile.", returncode=64
        )
    raise CommandError(
        "--as-user is required: more than one console user may invoke with this profile "
        f"({', '.join(sorted(u.get_username() for u in candidates)[:5])}{', ...' if len(candidates) > 5 else ''}).",
        returncode=64,
    )
