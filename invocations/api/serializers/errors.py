from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable machine-readable code; FC's ErrorCode for FC refusals")
    message = serializers.CharField(help_text="for a human")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="per-field messages (code `invalid` only)",
    )


class BatchErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable machine-readable code")
    message = serializers.CharField(help_text="for a human; names the first refused item's field")
    fields = serializers.DictField(
        required=False,
        help_text="per-field messages; a refused item's under `items` by its index (from 0): "
        '`{"items": {"3": {"function": ["…"]}}}`; the batch itself under `items` as a list',
    )
