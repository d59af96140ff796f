from rest_framework.permissions import BasePermission

from invocations.models import Role, role_of


class HasConsoleRole(BasePermission):
    """Signed in (token or session) with at least the viewer role; finer checks live in the
    model methods the views call (submit, stop), the same ones the web forms use."""

    message = "This needs a console role; ask an admin to add you to the team."

    def has_permission(self, request, view):
        role = role_of(request.user)
        return role is not None and role.allows(Role.VIEWER)
