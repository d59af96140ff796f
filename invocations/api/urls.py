from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from invocations.api.views import invocations, profiles

v1 = [
    path("invocations/", invocations.InvocationList.as_view(), name="api-invocations"),
    path("invocations/<uuid:invocation_id>/", invocations.InvocationDetail.as_view(), name="api-invocation"),
    path(
        "invocations/<uuid:invocation_id>/stop/",
        invocations.InvocationStop.as_view(),
        name="api-invocation-stop",
    ),
    path(
        "invocations/<uuid:invocation_id>/rerun/",
        invocations.InvocationRerun.as_view(),
        name="api-invocation-rerun",
    ),
    path("profiles/", profiles.ProfileList.as_view(), name="api-profiles"),
    path("profiles/<uuid:profile_id>/", profiles.ProfileDetail.as_view(), name="api-profile"),
]

urlpatterns = [
    path("v1/", include(v1)),
    # Public: the schema says how to call the API, and nothing about the data behind it.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    # Swagger UI served from our own static files (drf-spectacular-sidecar): no CDN.
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
]
