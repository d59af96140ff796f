"""One function's recent invocations: duration / memory charts and the outcomes.

FC 2.0 functions live in a service (/functions/<service>/<function>/); FC 3.0 functions have
none (/functions/<function>/), and their page counts only the rows without a service.

Outcomes are counted one way on both pages: the success rate is succeeded over the runs that
came to an outcome (succeeded, failed, error); a stopped task and an unknown outcome are neither
a success nor a failure, and are shown apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render

from invocations.access import role_required
from invocations.charts import duration_memory_chart
from invocations.models import Invocation, InvocationState, Role
from invocations.views.history import ROW_FIELDS

RECENT = 100
FAILED_STATES = (InvocationState.FAILED, InvocationState.ERROR)


@dataclass
class Outcomes:
    succeeded: int = 0
    failed: int = 0  # failed or error
    stopped: int = 0
    unknown: int = 0

    @property
    def decided(self) -> int:
        return self.succeeded + self.failed

    @property
    def success_percent(self) -> int | None:
        return round(100 * self.succeeded / self.decided) if self.decided else None


def _outcomes(states) -> Outcomes:
    counted = Outcomes()
    for state in states:
        if state == InvocationState.SUCCEEDED:
            counted.succeeded += 1
        elif state in FAILED_STATES:
            counted.failed += 1
        elif state == InvocationState.STOPPED:
            counted.stopped += 1
        elif state == InvocationState.UNKNOWN:
            counted.unknown += 1
    return counted


# -- one function --------------------------------------------------------------------------


@role_required(Role.VIEWER)
def function_detail(request, function, service=""):
    recent = list(
        Invocation.objects.for_user(request.user)
        .filter(service=service, function=function)
        .select_related("user", "profile")
        .only(*ROW_FIELDS)
        .order_by("-created_at", "-id")[:RECENT]
    )
    ctx = {
        "service": service,
        "function": function,
        "is_fc3": not service,
        "recent": recent,
        "outcomes": _outcomes(i.state for i in recent),
        "chart": duration_memory_chart(list(reversed(recent))),
    }
    return render(request, "invocations/function.html", ctx)
