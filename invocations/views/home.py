from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from invocations import health


@login_required
def home(request):
    return render(request, "home.html")


@never_cache
def healthz(request):
    """JSON liveness of database, broker and worker; 503 naming the part that is down."""
    checks = {"database": health.database(), "broker": health.broker()}
    # A worker cannot answer through a broker that is down: say so instead of waiting.
    checks["worker"] = health.worker() if checks["broker"] is None else "broker is down"
    body = {name: ("up" if error is None else "down") for name, error in checks.items()}
    failing = {name: error for name, error in checks.items() if error is not None}
    body["status"] = "ok" if not failing else "down"
    if failing:
        body["errors"] = failing
    return JsonResponse(body, status=200 if not failing else 503)
