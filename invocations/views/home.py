from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from invocations import dashboard, health
from invocations.access import role_required
from invocations.models import Role, role_of

# Seconds between polls of the home's live part: fast while something runs, slowly when idle
# (a teammate's new invocation still shows up), never from a hidden tab (static/js/console.js).
POLL_ACTIVE_SECONDS = 2
POLL_IDLE_SECONDS = 30


def _poll_seconds(live: dashboard.Live) -> int:
    return POLL_ACTIVE_SECONDS if live.active else POLL_IDLE_SECONDS


@login_required
def home(request):
    """Where sign-in lands: what runs now, what fails, what the team uses, and the user's latest
    invocations; or, without a role, why there is nothing to see."""
    if role_of(request.user) is None:
        return render(request, "home.html", {})
    board = dashboard.home(request.user)
    ctx = {
        "board": board,
        "live": board.live,
        "poll_seconds": _poll_seconds(board.live),
        "usage_days": dashboard.USAGE_WINDOW.days,
        "failure_hours": int(dashboard.FAILURE_WINDOW.total_seconds() // 3600),
        "usage_rows": f"{dashboard.USAGE_ROWS:,}",
    }
    return render(request, "home.html", ctx)


@role_required(Role.VIEWER)
def home_live(request):
    """htmx: the home's live part (running, queued, async in flight, mine)."""
    live = dashboard.live(request.user)
    return render(request, "home/_live.html", {"live": live, "poll_seconds": _poll_seconds(live)})


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
