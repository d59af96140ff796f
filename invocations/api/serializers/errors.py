from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable machine-readable code; FC's ErrorCode for FC refusals")
    message = serializers.CharField(help_text="for a human")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="per-field messages (code `invalid` only)",
    )
