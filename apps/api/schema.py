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
