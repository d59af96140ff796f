"""The console's URLs and 500 handler plus views that fail, so a test sees a real 500 answer."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

from fcconsole.urls import handler400, handler500  # noqa: F401 - the product's, looked up here
from invocations.access import role_required
from invocations.models import Role


@role_required(Role.VIEWER)
def boom(request):
    # Locals like the ones a failing database or broker call holds in its frames.
    broker_url = settings.CELERY_BROKER_URL
    connection_params = {"dsn": settings.DATABASE_URL, "options": [settings.CELERY_RESULT_BACKEND]}
    raise RuntimeError(f"could not reach {broker_url} ({len(connection_params)} params)")


def api_boom(request):
    raise RuntimeError(f"a bug under the API, its locals holding {settings.DATABASE_URL}")


def session_written(request):
    """Needs the database only after it returns: SessionMiddleware saves the new session."""
    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", api_boom),
    path("session-written/", session_written),
    path("", include("fcconsole.urls")),
]
