"""Users and roles, for admins: list, create (with a one-time set-password link), role, (de)activate."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from invocations import activity
from invocations.access import role_required
from invocations.models import Role
from team import members
from team.forms import ActiveForm, RoleForm, UserCreateForm

User = get_user_model()
# The link is shown once: kept in the session only until the next page shows it. (The key's
# "audit_" is from the page's first home; kept so a link waiting in a session still shows.)
LINK_KEY = "audit_set_password_link"


def _get_user(username):
    return get_object_or_404(User, username=username)


@require_GET
@role_required(Role.ADMIN)
def user_list(request):
    return _render_list(request, UserCreateForm())


def _render_list(request, create_form, status=200):
    users = User.objects.select_related("membership").order_by("username")
    return render(
        request,
        "team/user_list.html",
        {
            "section": "users",
            "rows": [{"user": user, "role": _role(user)} for user in users],
            "roles": Role.choices,
            "create_form": create_form,
            "new_link": request.session.pop(LINK_KEY, None),
        },
        status=status,
    )


def _role(user):
    """The role a user holds, shown for deactivated users too (role_of() says None for them)."""
    if user.is_superuser:
        return Role.ADMIN
    membership = getattr(user, "membership", None)
    return Role(membership.role) if membership else None


@require_POST
@role_required(Role.ADMIN)
def user_create(request):
    form = UserCreateForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, status=400)
    user = members.create_user(
        form.cleaned_data["username"], form.cleaned_data["email"], form.cleaned_data["role"]
    )
    _remember_link(request, user)
    messages.success(
        request, f"Created {user.get_username()}. Send them the link below; it is shown only once."
    )
    return redirect("team:users")


@require_POST
@role_required(Role.ADMIN)
def user_password_link(request, username):
    user = _get_user(username)
    _remember_link(request, user)
    activity.record("user.password_link_issued", request=request, obj=user)
    messages.success(request, f"New set-password link for {user.get_username()}; it is shown only once.")
    return redirect("team:users")


def _remember_link(request, user):
    request.session[LINK_KEY] = {
        "username": user.get_username(),
        "url": request.build_absolute_uri(members.set_password_path(user)),
    }


@require_POST
@role_required(Role.ADMIN)
def user_role(request, username):
    user = _get_user(username)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose viewer, invoker or admin.")
        return redirect("team:users")
    try:
        members.set_role(user, form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("team:users")
    messages.success(
        request, f"{user.get_username()} is now {Role(form.cleaned_data['role']).label.lower()}."
    )
    return redirect("team:users")


@require_POST
@role_required(Role.ADMIN)
def user_active(request, username):
    user = _get_user(username)
    form = ActiveForm(request.POST)
    form.is_valid()  # a missing box means "inactive", like an unticked checkbox
    active = form.cleaned_data.get("active", False)
    try:
        members.set_active(user, active, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("team:users")
    messages.success(request, f"{user.get_username()} is {'active' if active else 'deactivated'}.")
    return redirect("team:users")


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Where a set-password link lands: the user chooses a password, then signs in."""

    template_name = "team/set_password.html"
    success_url = reverse_lazy("team:set_password_done")
    token_generator = members.set_password_tokens


class SetPasswordDoneView(auth_views.PasswordResetCompleteView):
    template_name = "team/set_password_done.html"
