"""OpenAPI generation: every operation documents the error body it can answer with."""

from drf_spectacular.openapi import AutoSchema

from invocations.api.serializers.errors import ErrorSerializer

COMMON_ERRORS = {
    "400": "invalid input (`code` invalid or parse_error, per-field messages in `fields`)",
    "401": "no or bad credentials",
    "403": "your role or the profile's grants do not allow it",
    "404": "no such object, or not visible to you",
}


class ConsoleAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in COMMON_ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code]["description"] = description
        return responses
