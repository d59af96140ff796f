"""Following a function's async tasks, including those started outside the console."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from invocations.access import role_required
from invocations.forms.follows import FollowForm
from invocations.models import CredentialProfile, FollowedFunction, Role
from invocations.naming import target_name


def _back(target):
    if target.service:
        return redirect("function", target.service, target.function)
    return redirect("function-fc3", target.function)


def _name(target) -> str:
    return target_name(target.service, target.function, target.qualifier)


@require_POST
@role_required(Role.INVOKER)
def follow_function(request):
    form = FollowForm(request.user, request.POST)
    if not form.is_valid():
        messages.error(
            request, "Could not follow: " + " ".join(e for errors in form.errors.values() for e in errors)
        )
        return redirect(request.POST.get("next") or "home")
    follow = FollowedFunction.objects.follow(
        request.user, form.cleaned_data["profile"], form.cleaned_data["target"]
    )
    messages.success(
        request,
        f"Following {_name(follow.target)} through {follow.profile.name} until "
        f"{follow.until:%Y-%m-%d %H:%M} UTC: tasks started outside the console will show in its history.",
    )
    return _back(follow.target)


@require_POST
@role_required(Role.INVOKER)
def unfollow_function(request, uuid):
    usable = CredentialProfile.objects.usable_by(request.user)
    follow = get_object_or_404(FollowedFunction.objects.filter(profile__in=usable), uuid=uuid)
    target = follow.target
    follow.stop(request.user)
    messages.success(request, f"No longer following {_name(target)} through {follow.profile.name}.")
    return _back(target)
