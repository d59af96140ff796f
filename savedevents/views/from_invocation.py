"""'Save as event' on an invocation page: its payload becomes a saved event.

The invocation keeps its own copy of the payload; the new event is independent of it.
"""

import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from invocations.access import get_invocation_for_user
from invocations.models import Invocation
from savedevents import bodies
from savedevents.access import require_creator
from savedevents.forms import EventMetaForm
from savedevents.models import SavedEvent
from savedevents.views.events import save_new


def _body_of(invocation: Invocation) -> tuple[str, str]:
    if invocation.http_request is not None:
        # HTTP functions were called with a request description; that is the reusable event.
        return bodies.Kind.JSON, json.dumps(invocation.http_request, indent=2, ensure_ascii=False)
    return bodies.from_bytes(bytes(invocation.event))


@login_required
def from_invocation(request, uuid):
    require_creator(request.user)
    invocation, _ = get_invocation_for_user(request.user, uuid)
    kind, body = _body_of(invocation)
    event = SavedEvent(owner=request.user, kind=kind, body=body)
    initial = {
        "name": f"{invocation.function}-{invocation.created_at:%Y%m%d-%H%M%S}",
        "target_service": invocation.service,
        "target_function": invocation.function,
        "invocation_type": invocation.invocation_type,
        "description": f"Saved from invocation {invocation.uuid}.",
    }
    form = EventMetaForm(request.POST or None, instance=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        if saved := save_new(request, form, note=f"saved from invocation {invocation.uuid}"):
            return saved
    return render(
        request,
        "savedevents/from_invocation.html",
        {
            "form": form,
            "invocation": invocation,
            "event": event,
            "body": body if kind != bodies.Kind.BINARY else "",
        },
    )
