"""GET /api/v1/notifications/: my subscriptions (without their secrets) and latest deliveries."""

from rest_framework.decorators import api_view
from rest_framework.response import Response

from notifications.models import Delivery, Subscription
from notifications.views import RECENT_DELIVERIES


@api_view(["GET"])
def notifications(request):
    return Response(
        {
            "subscriptions": [s.to_dict() for s in Subscription.objects.filter(user=request.user)],
            "deliveries": [d.to_dict() for d in Delivery.objects.for_user(request.user)[:RECENT_DELIVERIES]],
        }
    )
