"""What drf-spectacular needs to describe the token scheme in the OpenAPI document."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Personal API token (Mein Konto); without a token: the public data only."
            ),
        }


# Every read may fail so; documented on every operation, so that clients (and schemathesis)
# know the shapes: {"detail": "…"} or, for a filter, {"<parameter>": ["…"]}.
ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "additionalProperties": True,
            "properties": {"detail": {"type": "string"}},
        }
    }
}
ERROR_RESPONSES = {
    "400": "Ungültiger Parameter (Filter, Seitengröße); sagt, welcher.",
    "401": "Ungültiger oder widerrufener Schlüssel.",
    "404": "Nicht vorhanden, für Sie nicht lesbar, oder eine Seite hinter der letzten.",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description, "content": ERROR_BODY})
            responses.setdefault("304", {"description": "Unverändert (If-None-Match)."})
        return responses
