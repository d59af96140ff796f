"""List, read, create, edit, duplicate, delete and undelete saved events."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from invocations.access import require_role
from invocations.models import Role
from savedevents.access import get_event_for_user, require_creator
from savedevents.forms import EventForm, ListFilterForm
from savedevents.models import SavedEvent

# Bodies larger than this are shown cut short on the page (the download has all of it).
SHOWN_BODY = 64 * 1024


@login_required
def event_list(request):
    role = require_role(request.user, Role.VIEWER)
    filters = ListFilterForm(request.GET)
    rows = SavedEvent.objects.visible_to(request.user).select_related("owner")
    if filters.is_valid():
        rows = rows.search(filters.cleaned_data["q"])
        if filters.cleaned_data["mine"]:
            rows = rows.filter(owner=request.user)
    return render(
        request,
        "savedevents/list.html",
        {"events": rows, "filters": filters, "can_create": role.allows(Role.INVOKER)},
    )


@login_required
def trash(request):
    require_role(request.user, Role.VIEWER)
    rows = SavedEvent.objects.visible_to(request.user, deleted=True).select_related("owner", "deleted_by")
    return render(request, "savedevents/trash.html", {"events": rows.order_by("-deleted_at")})


@login_required
def detail(request, uuid):
    access = get_event_for_user(request.user, uuid)
    event = access.event
    versions = event.versions.select_related("created_by")
    body = event.body if event.kind != "binary" else ""
    return render(
        request,
        "savedevents/detail.html",
        {
            "access": access,
            "event": event,
            "versions": versions,
            "body": body[:SHOWN_BODY],
            "body_cut": len(body) > SHOWN_BODY,
        },
    )


@login_required
def create(request):
    require_creator(request.user)
    event = SavedEvent(owner=request.user)
    form = EventForm(request.POST or None, request.FILES or None, instance=event)
    if request.method == "POST" and form.is_valid():
        if saved := save_new(request, form):
            return saved
    return render(request, "savedevents/form.html", {"form": form, "title": "New event"})


def save_new(request, form, note: str = "created"):
    """Save the form's new event and go to its page; None, with the error on the form, when the
    model refuses it (a name taken meanwhile, a body the form does not show)."""
    try:
        event = form.save(commit=False).save_new(request.user, note=note)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, f"Saved event {event.name}.")
    return redirect("savedevents:detail", event.uuid)


@login_required
def edit(request, uuid):
    access = get_event_for_user(request.user, uuid, "edit")
    event = access.event
    form = EventForm(request.POST or None, request.FILES or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            added = form.save(commit=False).save_edit(request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved version {event.version}." if added else "Saved.")
            return redirect("savedevents:detail", event.uuid)
    return render(
        request, "savedevents/form.html", {"form": form, "event": event, "title": f"Edit {event.name}"}
    )


@login_required
@require_POST
def duplicate(request, uuid):
    access = get_event_for_user(request.user, uuid, "duplicate")
    copy = access.event.duplicate_for(request.user)
    messages.success(request, f"Copied to your private event {copy.name}.")
    return redirect("savedevents:detail", copy.uuid)


@login_required
@require_POST
def delete(request, uuid):
    access = get_event_for_user(request.user, uuid, "delete")
    access.event.soft_delete(request.user)
    messages.success(request, f"Deleted {access.event.name}. It is in the trash.")
    return redirect("savedevents:list")


@login_required
@require_POST
def undelete(request, uuid):
    access = get_event_for_user(request.user, uuid, "undelete", deleted=True)
    try:
        access.event.undelete(request.user)
    except ValidationError as exc:
        messages.error(request, f"Cannot undelete: {' '.join(exc.messages)} Rename that one first.")
        return redirect("savedevents:trash")
    messages.success(request, f"Undeleted {access.event.name}.")
    return redirect("savedevents:detail", access.event.uuid)
