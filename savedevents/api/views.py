"""Saved events (list, create, update as a new version, delete) and event templates (list, render).

Who may do what is decided by `savedevents.access`, the same helper the web pages use.
"""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from invocations.api.lookups import uuid_or_404, uuid_path_parameter
from invocations.fc import events as templates
from savedevents.access import get_event_for_user, require_creator
from savedevents.api.serializers import (
    EventTemplateSerializer,
    RenderedEventSerializer,
    SavedEventSerializer,
    TemplateRenderRequestSerializer,
)
from savedevents.models import SavedEvent


class SavedEventList(APIView):
    @extend_schema(responses=SavedEventSerializer(many=True), summary="Your events and the team's")
    def get(self, request):
        rows = SavedEvent.objects.visible_to(request.user).select_related("owner").order_by("name", "id")
        return Response(SavedEventSerializer(rows, many=True).data)

    @extend_schema(
        request=SavedEventSerializer, responses={201: SavedEventSerializer}, summary="Save an event"
    )
    def post(self, request):
        require_creator(request.user)
        payload = SavedEventSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = payload.apply(SavedEvent(owner=request.user)).save_new(request.user, note="created via API")
        return Response(SavedEventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[uuid_path_parameter("event_id")])
class SavedEventDetail(APIView):
    @extend_schema(responses=SavedEventSerializer, summary="One saved event")
    def get(self, request, event_id):
        return Response(
            SavedEventSerializer(get_event_for_user(request.user, uuid_or_404(event_id)).event).data
        )

    @extend_schema(request=SavedEventSerializer, responses=SavedEventSerializer, summary="Change an event")
    def put(self, request, event_id):
        return self._edit(request, event_id, partial=False)

    @extend_schema(request=SavedEventSerializer, responses=SavedEventSerializer, summary="Change some fields")
    def patch(self, request, event_id):
        return self._edit(request, event_id, partial=True)

    def _edit(self, request, event_id, *, partial: bool):
        event = get_event_for_user(request.user, uuid_or_404(event_id), "edit").event
        payload = SavedEventSerializer(event, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        payload.apply(event).save_edit(request.user, note="edited via API")
        return Response(SavedEventSerializer(event).data)

    @extend_schema(responses={204: None}, summary="Delete an event (an admin or its owner can undelete it)")
    def delete(self, request, event_id):
        get_event_for_user(request.user, uuid_or_404(event_id), "delete").event.soft_delete(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _template_or_404(name: str) -> templates.EventTemplate:
    try:
        return templates.get(name)
    except templates.TemplateError:
        raise NotFound(f"No event template {name!r}.") from None


def _describe(template: templates.EventTemplate) -> dict:
    return {
        "name": template.name,
        "label": template.label,
        "filename": template.filename,
        "params": [{**asdict(p), "choices": list(p.choices)} for p in template.params],
    }


class EventTemplateList(APIView):
    @extend_schema(responses=EventTemplateSerializer(many=True), summary="Trigger event templates")
    def get(self, request):
        return Response([_describe(t) for t in templates.TEMPLATES.values()])


class EventTemplateRender(APIView):
    @extend_schema(
        request=TemplateRenderRequestSerializer,
        responses=RenderedEventSerializer,
        summary="Build an event from a template and parameters (like `s cli fc-event`)",
    )
    def post(self, request, name):
        template = _template_or_404(name)
        payload = TemplateRenderRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        params = payload.validated_data["params"]
        try:
            body, filename = template.render(**params), template.filename_for(**params)
        except templates.TemplateError as exc:
            raise ValidationError({f"params.{exc.param}" if exc.param else "params": [str(exc)]}) from None
        return Response({"template": template.name, "filename": filename, "body": body})
