"""Objects are addressed by UUID. Path segments are matched as any text so a malformed id gets the
API's JSON 404 rather than the site's HTML one."""

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound


def uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None


def uuid_path_parameter(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_endpoint(request, *args, **kwargs):
    """Anything else under /api/v1/: the API's JSON 404, not the site's HTML page."""
    raise NotFound("No such API endpoint.")
