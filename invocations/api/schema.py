"""OpenAPI generation: every operation documents the error body it can answer with."""

from drf_spectacular.openapi import AutoSchema

from invocations.api.serializers.errors import ErrorSerializer

COMMON_ERRORS = {
    "400": "invalid input (`code` invalid or parse_error, per-field messages in `fields`)",
    "401": "no or bad credentials",
    "403": "your role or the profile's grants do not allow it",
    "404": "no such object, or not visible to you",
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
