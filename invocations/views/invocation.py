"""One invocation: the page, its live fragment, downloads, and the re-run / stop actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from invocations.access import get_invocation_for_user, role_required
from invocations.forms.rerun import RerunForm
from invocations.lifecycle.rows import QUEUE_DOWN
from invocations.models import InvocationState, Role

# Seconds between polls of the live fragment, by state: fast while FC is working on it.
POLL_SECONDS = {
    InvocationState.QUEUED: 2,
    InvocationState.RUNNING: 1,
    InvocationState.TRACKING: 2,
}
QUEUE_DOWN_POLL_SECONDS = 5
# htmx stops polling when the answer has this status (and still swaps it in).
STOP_POLLING = 286


def _context(invocation, may, rerun_form=None) -> dict:
    queue_down = invocation.state == InvocationState.QUEUED and invocation.state_reason == QUEUE_DOWN
    return {
        "invocation": invocation,
        "events": list(invocation.status_events.all()) if invocation.is_async else [],
        "may_invoke": may.rerun,
        "rerun_form": rerun_form or RerunForm(),
        "may_stop": may.stop,
        "queue_down": queue_down,
        "poll_seconds": QUEUE_DOWN_POLL_SECONDS if queue_down else POLL_SECONDS.get(invocation.state),
    }


@role_required(Role.VIEWER)
def invocation_detail(request, uuid):
    invocation, may = get_invocation_for_user(request.user, uuid)
    ctx = _context(invocation, may)
    ctx["s_invoke"] = invocation.s_invoke_command()
    return render(request, "invocations/detail.html", ctx)


@role_required(Role.VIEWER)
def invocation_live(request, uuid):
    """htmx: the live part of the page; answers 286 once terminal so polling stops."""
    invocation, may = get_invocation_for_user(request.user, uuid)
    response = render(request, "invocations/_live.html", _context(invocation, may))
    if invocation.is_terminal:
        response.status_code = STOP_POLLING
    return response


@role_required(Role.VIEWER)
def invocation_s_invoke(request, uuid):
    """The `s invoke` command line for the history's copy buttons (fetched on click)."""
    invocation, _ = get_invocation_for_user(request.user, uuid)
    return HttpResponse(invocation.s_invoke_command(), content_type="text/plain; charset=utf-8")


@role_required(Role.VIEWER)
def invocation_download(request, uuid, part):
    """The raw response body or event, for binary content the page does not show."""
    invocation, _ = get_invocation_for_user(request.user, uuid)
    if part not in ("response", "event"):
        raise Http404("no such part")
    data = bytes((invocation.response_body if part == "response" else invocation.event) or b"")
    response = HttpResponse(data, content_type="application/octet-stream")
    name = f"{invocation.function}-{invocation.uuid}-{part}.bin"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@role_required(Role.INVOKER)
def invocation_rerun(request, uuid):
    invocation, may = get_invocation_for_user(request.user, uuid)
    form = RerunForm(request.POST)
    if not form.is_valid():
        return _refused_rerun(request, invocation, may, form)
    try:
        rerun = invocation.rerun(request.user, confirm_function=form.cleaned_data["confirm_function"])
    except ValidationError as error:
        form.add_submit_errors(error)
        return _refused_rerun(request, invocation, may, form)
    except PermissionDenied as error:
        messages.error(request, f"Could not re-run: {_plain(error)}")
        return redirect("invocation", invocation.uuid)
    messages.success(request, "Re-run queued with the same target and event.")
    return redirect("invocation", rerun.uuid)


def _refused_rerun(request, invocation, may, form):
    """The page again with the Re-run form's errors and what was typed (400), not a redirect."""
    ctx = _context(invocation, may, rerun_form=form)
    ctx["s_invoke"] = invocation.s_invoke_command()
    return render(request, "invocations/detail.html", ctx, status=400)


@require_POST
@role_required(Role.INVOKER)
def invocation_stop(request, uuid):
    invocation, _ = get_invocation_for_user(request.user, uuid)
    try:
        invocation.stop(request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, f"Could not stop: {_plain(error)}")
    else:
        messages.success(request, "Stop requested; FC will report the task as Stopped.")
    return redirect("invocation", invocation.uuid)


def _plain(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "not allowed"
