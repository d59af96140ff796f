"""One function's recent invocations: a duration / memory chart and the success ratio.

FC 2.0 functions live in a service (/functions/<service>/<function>/); FC 3.0 functions have
none (/functions/<function>/), and their page counts only the rows without a service.
"""

from django.shortcuts import render

from invocations.access import role_required
from invocations.charts import HEIGHT, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT, PAD_TOP, WIDTH, duration_memory_chart
from invocations.models import Invocation, InvocationState, Role
from invocations.views.history import ROW_FIELDS

RECENT = 100


@role_required(Role.VIEWER)
def function_detail(request, function, service=""):
    recent = list(
        Invocation.objects.for_user(request.user)
        .filter(service=service, function=function)
        .select_related("user", "profile")
        .only(*ROW_FIELDS)
        .order_by("-created_at", "-id")[:RECENT]
    )
    finished = [i for i in recent if i.state in InvocationState.terminal()]
    succeeded = sum(1 for i in finished if i.state == InvocationState.SUCCEEDED)
    ctx = {
        "service": service,
        "function": function,
        "is_fc3": not service,
        "recent": recent,
        "finished": len(finished),
        "succeeded": succeeded,
        "failed": len(finished) - succeeded,
        "success_percent": round(100 * succeeded / len(finished)) if finished else None,
        "chart": duration_memory_chart(list(reversed(recent))),
        "frame": {
            "left": PAD_LEFT,
            "right": WIDTH - PAD_RIGHT,
            "top": PAD_TOP,
            "bottom": HEIGHT - PAD_BOTTOM,
            "label_y": HEIGHT - 6,
        },
    }
    return render(request, "invocations/function.html", ctx)
