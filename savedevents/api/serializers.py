"""Saved events and the trigger event templates (invocations.fc.events) they start from."""

from rest_framework import serializers

from invocations.fc import events
from savedevents.bodies import InvocationType, Kind
from savedevents.models import SavedEvent, Visibility


class SavedEventSerializer(serializers.ModelSerializer):
    """A saved event. Writing `body` (or `kind`) makes a new version; earlier ones are kept."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    tags = serializers.ListField(
        child=serializers.CharField(), source="tag_list", required=False, default=list
    )
    kind = serializers.ChoiceField(Kind.choices, default=Kind.JSON, help_text="binary bodies are base64 text")
    invocation_type = serializers.ChoiceField(InvocationType.choices, default=InvocationType.SYNC)
    visibility = serializers.ChoiceField(Visibility.choices, default=Visibility.PRIVATE)

    class Meta:
        model = SavedEvent
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "body",
            "target_service",
            "target_function",
            "invocation_type",
            "tags",
            "template",
            "visibility",
            "owner",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]
        validators = []
        # The model's own rules (clean/save_new/save_edit) judge names; no serializer-side copy.
        extra_kwargs = {"name": {"validators": []}, "body": {"trim_whitespace": False}}

    def apply(self, event: SavedEvent) -> SavedEvent:
        """Copy validated fields onto `event` without saving (the model method saves)."""
        data = dict(self.validated_data)
        if "tag_list" in data:
            event.tags = ",".join(data.pop("tag_list"))
        for name, value in data.items():
            setattr(event, name, value)
        return event


class EventTemplateParamSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    default = serializers.JSONField(help_text="text, or a whole number")
    help = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(child=serializers.CharField())
    kind = serializers.ChoiceField(
        events.PARAM_KINDS, help_text="time: ISO 8601, blank means now; lines: one entry per line"
    )


class EventTemplateSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    filename = serializers.CharField(help_text="may hold {param} placeholders")
    params = EventTemplateParamSerializer(many=True)


class TemplateRenderRequestSerializer(serializers.Serializer):
    params = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="values as text",
    )


class RenderedEventSerializer(serializers.Serializer):
    template = serializers.CharField()
    filename = serializers.CharField()
    body = serializers.CharField(help_text="the event file's text (pretty JSON for JSON events)")
