from django.urls import path

from notifications import api, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.subscriptions, name="subscriptions"),
    path("notifications/<uuid:uuid>/remove", views.unsubscribe, name="unsubscribe"),
    path("api/v1/notifications/", api.notifications, name="api"),
]
