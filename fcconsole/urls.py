from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page links; send them to the SVG the pages link.
    # (Lazy: in production the hashed name comes from the manifest, written by collectstatic.)
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("events/", include("savedevents.urls")),
    path("suites/", include("suites.urls")),
    path("team/", include("audit.urls")),
    path("team/", include("team.urls")),
    # Before the core's API: its last pattern answers every other /api/v1/ path with a JSON 404.
    path("api/v1/", include("savedevents.api.urls")),
    path("api/v1/", include("suites.api_urls")),
    path("", include("notifications.urls")),
    path("api/", include("invocations.api.urls")),
    path("", include("invocations.urls")),
]

handler400 = "invocations.views.errors.bad_request"
handler500 = "invocations.views.errors.server_error"
