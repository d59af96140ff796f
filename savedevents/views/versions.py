"""An event's versions: the diff between any two, and restoring one (as a new version)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from savedevents.access import get_event_for_user
from savedevents.forms import DiffForm


@login_required
def diff(request, uuid):
    access = get_event_for_user(request.user, uuid)
    form = DiffForm(request.GET)
    if not form.is_valid():
        raise Http404("Choose two versions to compare.")
    older, newer = sorted((form.cleaned_data["a"], form.cleaned_data["b"]))
    versions = {v.number: v for v in access.event.versions.filter(number__in=[older, newer])}
    if older not in versions or newer not in versions:
        raise Http404("No such version.")
    return render(
        request,
        "savedevents/diff.html",
        {
            "access": access,
            "event": access.event,
            "older": versions[older],
            "newer": versions[newer],
            "lines": versions[older].diff_lines(versions[newer]),
        },
    )


@login_required
@require_POST
def restore(request, uuid, number):
    access = get_event_for_user(request.user, uuid, "edit")
    version = get_object_or_404(access.event.versions, number=number)
    restored = access.event.restore_version(version, request.user)
    messages.success(request, f"Restored version {number} as version {restored.number}.")
    return redirect("savedevents:detail", access.event.uuid)
