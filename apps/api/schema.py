"""OpenAPI description of our bearer-token authentication (loaded by ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BusinessBearerScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.auth.MiddlewareTokenAuthentication"
    name = "businessJWT"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "A JWT from POST /api/v1/auth/token/ on the business host (only valid there), "
                "or an owner's API key sent as `Authorization: Api-Key ood_…` instead."
            ),
        }


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        "additionalProperties": True,
    }},
}
ERRORS = {
    "400": "Invalid input, filter or cursor (`invalid`, `invalid_filter`, `invalid_cursor`, "
           "a service's own code).",
    "401": "Not signed in, or the token or key is invalid (`not_authenticated`).",
    "403": "Role too low, read-only key (`permission_denied`, `key_scope`).",
    "404": "No such object in this business (`not_found`).",
    "405": "Method not allowed.",
    "409": "Conflict with the object's state (`conflict`, `idempotency_in_progress`).",
    "412": "`If-Match` names an older version (`precondition_failed`).",
    "415": "Unsupported media type.",
    "422": "`Idempotency-Key` reused for another request (`idempotency_key_reused`).",
    "429": "Throttled (`throttled`, with `Retry-After`).",
}


def error_responses(result, generator, request, public):
    """Document the one error shape on every operation, so clients (and the fuzzer) know every
    status an operation can answer besides its success."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, path_item in result.get("paths", {}).items():
        page = path_item.get("get", {}).get("responses", {}).get("200", {})
        ref = page.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref.endswith("Page") and not path.endswith("}/"):  # a list, not "retrieve1"
            path_item["get"]["operationId"] = path.strip("/").replace("api/", "").replace(
                "/", "_").replace("-", "_") + "_list"
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}},
                })
    return result
