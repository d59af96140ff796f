"""Credential profiles: admins create, edit and test them. Secrets go in, never come out."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from invocations import browse
from invocations.access import get_profile_for_admin, role_required
from invocations.forms.profiles import ProfileForm
from invocations.models import CredentialProfile, Role


@role_required(Role.ADMIN)
def profile_list(request):
    profiles = CredentialProfile.objects.prefetch_related("allowed_users").order_by("name")
    return render(request, "profiles/list.html", {"profiles": profiles})


@role_required(Role.ADMIN)
def profile_create(request):
    form = ProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.created_by = request.user
        profile.save()
        form.save_m2m()
        messages.success(request, f"Profile {profile.name} created. Test the connection below.")
        return redirect("profile-edit", profile.uuid)
    return render(request, "profiles/form.html", {"form": form, "profile": None})


@role_required(Role.ADMIN)
def profile_edit(request, uuid):
    profile = get_profile_for_admin(request.user, uuid)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Profile {profile.name} saved.")
        return redirect("profile-edit", profile.uuid)
    return render(request, "profiles/form.html", {"form": form, "profile": profile})


@require_POST
@role_required(Role.ADMIN)
def profile_test(request, uuid):
    """htmx: call ListServices with the stored credentials; answer a fragment in plain words."""
    profile = get_profile_for_admin(request.user, uuid)
    ok, text = browse.test_connection(profile)
    return render(request, "profiles/_connection.html", {"ok": ok, "text": text})
