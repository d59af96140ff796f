from django.urls import path

from savedevents.api import views

# Mounted under /api/v1/ ahead of invocations.api.urls, whose last pattern answers every other path.
urlpatterns = [
    path("events/", views.SavedEventList.as_view(), name="api-events"),
    path("events/<str:event_id>/", views.SavedEventDetail.as_view(), name="api-event"),
    path("event-templates/", views.EventTemplateList.as_view(), name="api-event-templates"),
    path(
        "event-templates/<str:name>/render/",
        views.EventTemplateRender.as_view(),
        name="api-event-template-render",
    ),
]
