"""Team administration: creating users, assigning roles, (de)activating, set-password links.

Every change that could leave the console without an admin is refused, under a row lock so two
admins demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from invocations.models import Membership, Role, role_of
from team.models import PasswordLink

User = get_user_model()


def active_admins():
    return User.objects.filter(Q(is_superuser=True) | Q(membership__role=Role.ADMIN), is_active=True)


def _refuse_if_last_admin(target, what: str) -> None:
    # Lock every admin row first: concurrent demotions queue here and see each other's result.
    list(active_admins().select_for_update(of=("self",)).values_list("pk", flat=True))
    if role_of(target) == Role.ADMIN and not active_admins().exclude(pk=target.pk).exists():
        raise ValidationError(
            f"{target.get_username()} is the last admin and cannot be {what}: make someone else admin first."
        )


def set_role(target, role: Role) -> None:
    role = Role(role)
    if target.is_superuser:
        raise ValidationError(
            f"{target.get_username()} is a superuser, always an admin here; change that in Django's admin."
        )
    with transaction.atomic():
        if role != Role.ADMIN:
            _refuse_if_last_admin(target, "demoted")
        membership = Membership.objects.select_for_update().filter(user=target).first()
        if membership is None:
            Membership.objects.create(user=target, role=role)
        elif membership.role != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])


def set_active(target, active: bool, *, by=None) -> None:
    """`by`: who asks; nobody deactivates themselves (another admin does it, if it must be)."""
    with transaction.atomic():
        if not active:
            _refuse_if_last_admin(target, "deactivated")
            if by is not None and by.pk == target.pk:
                raise ValidationError("You cannot deactivate yourself: another admin can.")
        if target.is_active != active:
            target.is_active = active
            target.save(update_fields=["is_active"])


def create_user(username: str, email: str, role: Role):
    """A new user with no usable password: they choose one through `set_password_path()`."""
    with transaction.atomic():
        user = User.objects.create_user(username, email or "", password=None)
        Membership.objects.create(user=user, role=Role(role))
    return user


class SetPasswordTokens(PasswordResetTokenGenerator):
    """Django's reset tokens, also covering the nonce of the user's latest link (PasswordLink):
    a new link invalidates the earlier ones, as using one does (the token covers the password
    hash)."""

    key_salt = "team.members.SetPasswordTokens"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{PasswordLink.nonce_of(user)}"


set_password_tokens = SetPasswordTokens()


def set_password_path(user) -> str:
    """A one-time path that lets `user` choose a password; it stops working once used, once
    another link is issued, or after PASSWORD_RESET_TIMEOUT."""
    PasswordLink.renew(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("team:set_password", args=[uid, set_password_tokens.make_token(user)])
