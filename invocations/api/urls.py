from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from invocations.api.lookups import unknown_endpoint
from invocations.api.views import invocations, profiles

v1 = [
    path("invocations/", invocations.InvocationList.as_view(), name="api-invocations"),
    # Before the detail route, whose `<str:invocation_id>` would take "batch".
    path("invocations/batch", invocations.InvocationBatch.as_view(), name="api-invocations-batch"),
    path("invocations/<str:invocation_id>/", invocations.InvocationDetail.as_view(), name="api-invocation"),
    path(
        "invocations/<str:invocation_id>/stop/",
        invocations.InvocationStop.as_view(),
        name="api-invocation-stop",
    ),
    path(
        "invocations/<str:invocation_id>/rerun/",
        invocations.InvocationRerun.as_view(),
        name="api-invocation-rerun",
    ),
    path("profiles/", profiles.ProfileList.as_view(), name="api-profiles"),
    path("profiles/<str:profile_id>/", profiles.ProfileDetail.as_view(), name="api-profile"),
    re_path(r"^.*$", unknown_endpoint),
]

urlpatterns = [
    path("v1/", include(v1)),
    # Public: the schema says how to call the API, and nothing about the data behind it.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN; its start-up script
    # is a separate request and its style a static file, so it runs under a CSP without 'unsafe-inline'.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", permission_classes=[AllowAny], template_name="api/docs.html"
        ),
        name="api-docs",
    ),
]
