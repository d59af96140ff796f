"""Two invocations side by side, and the link from history to the previous run of a function."""

from django.contrib import messages
from django.shortcuts import redirect, render

from invocations import compare
from invocations.access import get_invocation_for_user, role_required, visible_invocations
from invocations.models import Role


@role_required(Role.VIEWER)
def invocation_compare(request, uuid, other):
    a, _ = get_invocation_for_user(request.user, uuid)
    b, _ = get_invocation_for_user(request.user, other)
    ctx = {
        "a": a,
        "b": b,
        "diff": compare.result_diff(a, b),
        "deltas": compare.metric_deltas(a, b),
        "same_target": (a.profile_id, a.target) == (b.profile_id, b.target),
    }
    return render(request, "invocations/compare.html", ctx)


@role_required(Role.VIEWER)
def invocation_compare_previous(request, uuid):
    """History's "compare with previous run": A the previous terminal run, B this one."""
    invocation, _ = get_invocation_for_user(request.user, uuid)
    previous = compare.previous_run(invocation, visible_invocations(request.user))
    if previous is None:
        messages.info(request, "There is no earlier finished run of this function through this profile.")
        return redirect("invocation", invocation.uuid)
    return redirect("invocation-compare", previous.uuid, invocation.uuid)
