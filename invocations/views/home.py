from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from invocations import health
from invocations.models import Invocation, role_of
from invocations.views.history import ROW_FIELDS


@login_required
def home(request):
    """Where sign-in lands: the user's own latest invocations, or why there is nothing to do."""
    recent = []
    if role_of(request.user) is not None:
        recent = (
            Invocation.objects.for_user(request.user)
            .filter(user=request.user)
            .select_related("user", "profile")
            .only(*ROW_FIELDS)
            .order_by("-created_at", "-id")[:10]
        )
    return render(request, "home.html", {"recent": recent})


@never_cache
def healthz(request):
    """JSON liveness of database, broker and worker; 503 naming the part that is down."""
    checks = {"database": health.database(), "broker": health.broker()}
    # A worker cannot answer through a broker that is down: say so instead of waiting, and whether
    # its heartbeat shows it alive (it reconnects by itself when the broker is back).
    checks["worker"] = health.worker() if checks["broker"] is None else "broker is down" + health.alive_note()
    body = {name: ("up" if error is None else "down") for name, error in checks.items()}
    body["worker"] = health.worker_state(checks["worker"])
    failing = {name: error for name, error in checks.items() if error is not None}
    body["status"] = "ok" if not failing else "down"
    if failing:
        body["errors"] = failing
    return JsonResponse(body, status=200 if not failing else 503)
