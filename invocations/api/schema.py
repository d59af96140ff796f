"""OpenAPI generation: every operation documents the error body it can answer with."""

from drf_spectacular.openapi import AutoSchema
from rest_framework.serializers import ListSerializer

from invocations.api.serializers.errors import ErrorSerializer

COMMON_ERRORS = {
    "400": "invalid input (`code` invalid or parse_error, per-field messages in `fields`)",
    "401": "no or bad credentials",
    "403": "your role or the profile's grants do not allow it",
    "404": "no such object, or not visible to you",
    "500": "the console failed (`code` server_error); the error is in its log, and a write may have "
    "been recorded before it failed",
    "503": "the console's database cannot be reached (`code` database_unavailable, with Retry-After); "
    "a write may have been recorded before it went away",
}
# Operations that take a body can also be refused before anything reads it.
BODY_ERRORS = {
    "413": "the request body is over the console's limit (`code` payload_too_large; the message "
    "gives the console's and FC's limits)",
}


class ConsoleAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {**COMMON_ERRORS, **(BODY_ERRORS if self.method in ("POST", "PUT", "PATCH") else {})}
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code]["description"] = description
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # drf-spectacular 0.30 leaves a list serializer's bounds out (the batch's 1 to 1,000 items).
        if isinstance(field, ListSerializer) and schema and schema.get("type") == "array":
            if field.min_length is not None:
                schema["minItems"] = field.min_length
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema
