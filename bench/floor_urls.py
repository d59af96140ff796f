"""Bench-only endpoints that do nothing, served beside the product's URLs (never in the product).

`floor` posts the API's request body to each and measures the web's CPU per request: what
gunicorn, Django and its middleware, DRF, and DRF with the API's authentication and permission
cost before the view does any work of its own.
"""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

from fcconsole.urls import urlpatterns as product_urls


@csrf_exempt
def django_view(request):
    """Django alone: the body parsed, a small JSON answer."""
    json.loads(request.body)
    return JsonResponse({"ok": True}, status=201)


class DrfView(APIView):
    """DRF without authentication or permission: request wrapping, parsing, negotiation, rendering."""

    authentication_classes = ()
    permission_classes = ()

    def post(self, request):
        request.data  # noqa: B018 - parse the body as the API's views do
        return Response({"ok": True}, status=201)


class AuthenticatedView(APIView):
    """DRF with the API's defaults (token authentication, the console role's permission)."""

    def post(self, request):
        request.data  # noqa: B018 - parse the body as the API's views do
        return Response({"ok": True}, status=201)


urlpatterns = [
    path("floor/django/", django_view),
    path("floor/drf/", DrfView.as_view()),
    path("floor/drf-auth/", AuthenticatedView.as_view()),
    *product_urls,
]
