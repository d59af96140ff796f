from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    """viewer < invoker < admin; each role can do what the ones before it can."""

    VIEWER = "viewer", "Viewer"
    INVOKER = "invoker", "Invoker"
    ADMIN = "admin", "Admin"

    @property
    def rank(self) -> int:
        return [Role.VIEWER, Role.INVOKER, Role.ADMIN].index(self)

    def allows(self, needed: "Role") -> bool:
        return self.rank >= Role(needed).rank


class Membership(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user} ({self.role})"


def role_of(user) -> Role | None:
    """The console role of a user: superusers are admins; no membership means no access."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    try:
        return Role(user.membership.role)
    except Membership.DoesNotExist:
        return None


def require_role(user, needed: Role) -> Role:
    """The user's role if it allows `needed`, else PermissionDenied: the one rule of roles."""
    role = role_of(user)
    if role is None or not role.allows(needed):
        raise PermissionDenied(f"This needs the {Role(needed).label.lower()} role.")
    return role
