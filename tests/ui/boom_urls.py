"""The console's URLs plus one view that fails, so a test sees a real 500 page."""

from django.conf import settings
from django.urls import include, path

from invocations.access import role_required
from invocations.models import Role


@role_required(Role.VIEWER)
def boom(request):
    # Locals like the ones a failing database or broker call holds in its frames.
    broker_url = settings.CELERY_BROKER_URL
    connection_params = {"dsn": settings.DATABASE_URL, "options": [settings.CELERY_RESULT_BACKEND]}
    raise RuntimeError(f"could not reach {broker_url} ({len(connection_params)} params)")


urlpatterns = [path("boom/", boom), path("", include("fcconsole.urls"))]
