"""GET /api/v1/notifications/: my subscriptions (without their secrets) and latest deliveries."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from notifications.models import Delivery, Subscription
from notifications.views import RECENT_DELIVERIES


@extend_schema(
    tags=["notifications"],
    summary="My notification subscriptions (never their secrets) and latest deliveries",
    responses=OpenApiTypes.OBJECT,
)
@api_view(["GET"])
def notifications(request):
    return Response(
        {
            "subscriptions": [s.to_dict() for s in Subscription.objects.filter(user=request.user)],
            "deliveries": [d.to_dict() for d in Delivery.objects.for_user(request.user)[:RECENT_DELIVERIES]],
        }
    )
