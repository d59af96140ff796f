"""The invoke form's event picker (a partial the invoke page includes) and what choosing sends back."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from invocations.access import require_role
from invocations.models import Role
from savedevents.access import get_event_for_user
from savedevents.forms import PickerForm
from savedevents.models import SavedEvent

SHOWN = 50


@login_required
def picker(request):
    """Events for (user, service, function): aimed at that function first, then team, then own."""
    require_role(request.user, Role.VIEWER)
    form = PickerForm(request.GET)
    events = SavedEvent.objects.none()
    if form.is_valid():
        data = form.cleaned_data
        events = (
            SavedEvent.objects.for_picker(request.user, data["service"], data["function"])
            .search(data["q"])
            .select_related("owner")
        )
    rows = list(events[: SHOWN + 1])
    return render(
        request,
        "savedevents/_picker_results.html",
        {"events": rows[:SHOWN], "more": len(rows) > SHOWN, "form": form},
    )


@login_required
def choose(request, uuid):
    """What the picker's script puts into the invoke form. Binary bodies come as base64."""
    event = get_event_for_user(request.user, uuid).event
    return JsonResponse(
        {
            "uuid": str(event.uuid),
            "name": event.name,
            "version": event.version,
            "kind": event.kind,
            "body": event.body,
            "invocation_type": event.invocation_type,
            "target_service": event.target_service,
            "target_function": event.target_function,
        }
    )
