"""API settings: DRF, throttles, the OpenAPI schema (drf-spectacular) and JWT; imported by
base.py."""

from datetime import timedelta

from oodaloo.settings.env import env

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.auth.MiddlewareTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.throttles.UserReadThrottle",
        "apps.api.throttles.UserWriteThrottle",
    ],
}
# Per user per business (apps/api/throttles.py); over it: 429 with Retry-After.
API_THROTTLE_RATES = {
    "read": env("API_THROTTLE_READ", default="600/min"),
    "write": env("API_THROTTLE_WRITE", default="120/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Oodaloo API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "OAS_VERSION": "3.1.0",
    "ENUM_NAME_OVERRIDES": {
        "ApiKeyScopeEnum": "apps.api.models.ApiKey.Scope",
        "BillStatusEnum": "apps.ap.models.Bill.Status",
        "ReserveKindEnum": "apps.reserves.models.Reserve.Kind",
        "DocumentStateEnum": "apps.ap.documents.models.Document.State",
        "DocumentSourceEnum": "apps.ap.documents.models.Document.Source",
        "TrayItemStatusEnum": "apps.tray.models.TrayItem.Status",
        "TrayItemKindEnum": "apps.core.tray_causes.kind_choices",  # plugged by the domains
        "SeriesStatusEnum": "apps.runway.models.RecurringSeriesOverride.Status",
        "RuleKindEnum": "apps.automation.models.Rule.Kind",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the error family (apps/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.error_responses",
    ],
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    # Each refresh is single-use: /auth/refresh/ blacklists it and returns a new pair.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
