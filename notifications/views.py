"""The notifications page: my subscriptions, the form to add one, and my latest deliveries."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from invocations import activity
from invocations.access import role_required
from invocations.models import Role
from notifications.forms import SubscriptionForm
from notifications.models import Delivery, Subscription

RECENT_DELIVERIES = 25


def _page(request, form, status=200):
    ctx = {
        "form": form,
        "subscriptions": Subscription.objects.filter(user=request.user),
        "deliveries": Delivery.objects.for_user(request.user)[:RECENT_DELIVERIES],
    }
    return render(request, "notifications/subscriptions.html", ctx, status=status)


@role_required(Role.VIEWER)
def subscriptions(request):
    if request.method != "POST":
        return _page(request, SubscriptionForm(request.user))
    form = SubscriptionForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    subscription = form.save()
    activity.record(
        "notification.subscribed",
        request=request,
        obj=subscription,
        after={"event": subscription.event, "channel": subscription.channel, "host": subscription.host},
    )
    messages.success(
        request, f"Subscribed: {subscription.get_event_display()} by {subscription.get_channel_display()}."
    )
    return redirect("notifications:subscriptions")


@require_POST
@role_required(Role.VIEWER)
def unsubscribe(request, uuid):
    subscription = get_object_or_404(Subscription, user=request.user, uuid=uuid)
    activity.record(
        "notification.unsubscribed",
        request=request,
        obj=subscription,
        before={"event": subscription.event, "channel": subscription.channel, "host": subscription.host},
    )
    subscription.delete()
    messages.success(request, "Subscription removed.")
    return redirect("notifications:subscriptions")
