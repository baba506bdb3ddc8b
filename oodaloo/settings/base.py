"""Settings shared by every environment, split by concern; secrets come from the environment."""

from datetime import timedelta
from urllib.parse import unquote

from oodaloo.settings._api import *  # noqa: F403 — REST_FRAMEWORK, SPECTACULAR_SETTINGS, SIMPLE_JWT…
from oodaloo.settings._celery import *  # noqa: F403 — CELERY_*, beat schedule, retention
from oodaloo.settings._logging import *  # noqa: F403 — LOG_LEVEL, LOGGING
from oodaloo.settings.env import BASE_DIR, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, env

# Development-only values: production.py replaces every one of them from the environment, and the
# deploy check (apps/core/deploy_checks.py) refuses any that is still in use.
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": "dev-insecure-secret-key-change-me-0123456789abcdef",
    "FIELD_ENCRYPTION_KEY": "mJ0mZq1Vd8k3kF0sS2x8xq4YxvR6yq9n3p5Zr7cQk1E=",
    "ANYMAIL_WEBHOOK_SECRET": "dev-webhook-user:dev-webhook-pass",
    "QBO_CLIENT_ID": "oodaloo-dev-client",
    "QBO_CLIENT_SECRET": "oodaloo-dev-secret",
    "QBO_WEBHOOK_VERIFIER_TOKEN": "dev-verifier-token",
    "PLAID_CLIENT_ID": "oodaloo-dev",
    "PLAID_SECRET": "oodaloo-dev-secret",
}

SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRETS["SECRET_KEY"])
DEBUG = env.bool("DEBUG", default=False)
# Fault drills (a worker SIGKILLs itself at a named point): test and bench settings turn them on.
FAULT_DRILLS = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1"])

# --- Tenancy (django-tenants): public holds businesses, people, staff queues, beat tables ---
SHARED_APPS = [
    "django_tenants",
    "apps.core",
    "apps.tenancy",
    "apps.accounts",
    "apps.integrations.sync",
    "apps.integrations.qbo",
    "apps.integrations.plaid",
    "apps.review",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "apps.core.admin_config.AuditedAdminConfig",  # django.contrib.admin, audited and 2FA
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_celery_beat",
    "django_prometheus",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",  # refresh rotation and sign-out (apps/api)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "apps.integrations.mail",
    "apps.demo",
    "apps.sandboxes",  # tools (layer 5): only so their management commands are found
    "apps.firm",
    "apps.staff",  # last: its admin extends the admins registered above
]
TENANT_APPS = [
    "apps.business_settings",
    "apps.ledger",
    "apps.ap",
    "apps.ar",
    "apps.bank",
    "apps.reserves",
    "apps.runway",
    "apps.tray",
    "apps.collections",
    "apps.automation",
    "apps.digest",
    "apps.alerts",
    "apps.portal",
    "apps.api",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS] + [
    "oodaloo.apps.WiringConfig",  # last: plugs oodaloo/wiring.py once every app is loaded
]

TENANT_MODEL = "tenancy.Business"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New businesses are cloned from this always-migrated template schema (fast provisioning).
TENANT_BASE_SCHEMA = "tenant_base"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_LIMIT_SET_CALLS = True
# Template clones kept ready so a sign-up renames one instead of cloning (apps/tenancy/spares.py).
TENANT_SPARE_SCHEMAS = env.int("TENANT_SPARE_SCHEMAS", default=3)
TENANT_DOMAIN_SUFFIX = env("TENANT_DOMAIN_SUFFIX", default="localhost")
PUBLIC_HOST = env("PUBLIC_HOST", default="localhost")
SITE_PORT = env("SITE_PORT", default="8000")
SITE_SCHEME = env("SITE_SCHEME", default="http")
RESERVED_SLUGS = {
    "www", "admin", "api", "public", "static", "media", "mail", "app", "tenant-base", "new",
}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
PUBLIC_SCHEMA_URLCONF = "oodaloo.urls_public"
ROOT_URLCONF = "oodaloo.urls_tenant"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database / cache / broker ---
DATABASES = {
    "default": env.db("DATABASE_URL", default=DEFAULT_DATABASE_URL)
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A socket directory arrives URL-encoded (postgres://user@%2Fpath%2Fto%2Fdir/db).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The runway reads its slowest input on a second connection, in parallel (apps/core/pending_sql).
PENDING_SQL_ASIDE = env.bool("PENDING_SQL_ASIDE", default=True)
# A full QBO sync reads purchases, transfers and card payments in a forked second process
# (apps/integrations/sync/qbo_lanes.py): both cores for a large company's first sync.
QBO_SYNC_LANES = env.bool("QBO_SYNC_LANES", default=True)
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME", default="test_oodaloo")}

REDIS_URL = env("REDIS_URL", default=DEFAULT_REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "apps.core.cache.RedisCache",  # keeps its clients (apps/core/cache.py)
        "LOCATION": REDIS_URL,
        # Keys are prefixed with the schema so businesses never share cached values.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="oodaloo"),
    }
}

# Rendered fragments of the dashboard, tray, bills and invoices pages, keyed by the business's
# data and pages versions (apps/portal/page_cache.py). "off" only to measure what they buy.
PAGE_CACHE = env("OODALOO_PAGE_CACHE", default="on") != "off"

# --- People and security ---
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=7))
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Failures are counted per email (any address; stops distributed guessing of one account) and
# per client address (stops spraying many accounts from one place), on every sign-in form.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "apps.accounts.lockout.attempted_email"
AXES_CLIENT_IP_CALLABLE = "apps.core.client_ip.client_ip"
# Proxies whose X-Forwarded-For we believe (docs/operating.md "Security"): their CIDRs, or how
# many hops sit in front of the app. Neither set: the connecting address is the client.
TRUSTED_PROXY_CIDRS = env.list("TRUSTED_PROXY_CIDRS", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# /metrics answers these client addresses (CIDRs) and signed-in, 2FA-verified staff only.
METRICS_ALLOWED_CIDRS = env.list("METRICS_ALLOWED_CIDRS", default=["127.0.0.1/32", "::1/128"])
# Sign-up is throttled like sign-in: at most this many attempts per client address and per
# email in SIGNUP_WINDOW; then 429 until the window passes.
SIGNUP_LIMIT_PER_IP = env.int("SIGNUP_LIMIT_PER_IP", default=5)
SIGNUP_LIMIT_PER_EMAIL = env.int("SIGNUP_LIMIT_PER_EMAIL", default=3)
SIGNUP_WINDOW = timedelta(minutes=env.int("SIGNUP_WINDOW_MINUTES", default=15))
# The emailed link that verifies a new owner's address (and only then provisions the business).
SIGNUP_VERIFY_MAX_AGE = timedelta(hours=env.int("SIGNUP_VERIFY_HOURS", default=24))
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60)
# Sessions end after this long whatever happens (Django's default is two weeks).
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 60 * 60
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout_response"
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", "http://*.localhost:*", "http://localhost:*"],
    }
}
# Fernet keys (comma-separated, newest first) that encrypt OAuth tokens at rest; rotation = prepend.
FIELD_ENCRYPTION_KEY = env(
    "FIELD_ENCRYPTION_KEY", default=DEVELOPMENT_SECRETS["FIELD_ENCRYPTION_KEY"]
)

# --- Middleware ---
MIDDLEWARE = [
    "apps.core.middleware.HealthMiddleware",  # /health answers before everything below
    "apps.tenancy.middleware.TenantMiddleware",
    "apps.core.uploads.RequestSizeLimitMiddleware",
    "apps.core.middleware.RequestContextMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.api.auth.BearerTokenMiddleware",
    "apps.accounts.middleware.MembershipMiddleware",
    "apps.staff.middleware.SupportSessionMiddleware",  # after: lends a read-only owner
    "apps.portal.page_cache.PagesVersionMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.membership",
            ]
        },
    }
]
WSGI_APPLICATION = "oodaloo.wsgi.application"

# --- i18n, static ---
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
MEDIA_URL = "/media/"
# Request and upload sizes, checked before the body arrives (apps.core.uploads). Bills are at
# most 20 MB each (apps.ap.documents.limits); a portal upload of several is capped at 60 MB, the
# API's upload of one at 20 MB plus its multipart envelope; Postmark delivers inbound email up to
# 35 MB (attachments base64-encoded in JSON).
MB = 1024 * 1024
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=5 * MB // 2)
UPLOAD_MAX_FILE_BYTES = 20 * MB
REQUEST_MAX_BYTES_BY_PATH = {
    "/documents/": 60 * MB,
    "/api/v1/documents/": UPLOAD_MAX_FILE_BYTES + MB,
    "/webhooks/email/inbound/": 36 * MB,
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 36 * MB  # a body read whole (inbound email JSON); others: above
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * MB // 2  # larger files spool to a temporary file
FILE_UPLOAD_HANDLERS = [
    "apps.core.uploads.SizeCappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Celery: the rest (routes, beat schedule, retention) is in _celery.py ---
# The embedded launcher names its broker EMBEDDED_BROKER_URL (kombu's socket form of REDIS_URL).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("EMBEDDED_BROKER_URL", default=REDIS_URL))

# --- Email (django-anymail; provider chosen by setting) ---
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".data" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")  # for the SMTP backend
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Oodaloo <digest@oodaloo.localhost>")
# Account emails (password reset, sign-up confirmation, invitations) are not the digest: they
# come from their own sender.
ACCOUNTS_FROM_EMAIL = env("ACCOUNTS_FROM_EMAIL", default="Oodaloo <accounts@oodaloo.localhost>")
ANYMAIL = {
    "SENDGRID_API_KEY": env("SENDGRID_API_KEY", default=""),
    "POSTMARK_SERVER_TOKEN": env("POSTMARK_SERVER_TOKEN", default=""),
    "WEBHOOK_SECRET": env(
        "ANYMAIL_WEBHOOK_SECRET", default=DEVELOPMENT_SECRETS["ANYMAIL_WEBHOOK_SECRET"]
    ),
}

# --- Owner alerts (apps/alerts): the webhook's SSRF guard and timeout (docs/alerts.md) ---
ALERTS_WEBHOOK_TIMEOUT = env.float("ALERTS_WEBHOOK_TIMEOUT", default=5.0)  # seconds
# Production rules unless loosened here (never in production.py): https only, public addresses.
ALERTS_WEBHOOK_ALLOW_HTTP = env.bool("ALERTS_WEBHOOK_ALLOW_HTTP", default=False)
ALERTS_WEBHOOK_ALLOW_LOOPBACK = env.bool("ALERTS_WEBHOOK_ALLOW_LOOPBACK", default=False)

# --- Integrations (each switched by a setting) ---
QBO_CLIENT_ID = env("QBO_CLIENT_ID", default=DEVELOPMENT_SECRETS["QBO_CLIENT_ID"])
QBO_CLIENT_SECRET = env("QBO_CLIENT_SECRET", default=DEVELOPMENT_SECRETS["QBO_CLIENT_SECRET"])
# Intuit's hosts by environment (qbo-api-facts §1). `QBO_ENVIRONMENT` is "sandbox" or
# "production" for Intuit; in development it is the local sandbox's OpenID discovery URL and
# `QBO_API_BASE` names the local sandbox explicitly.
QBO_API_BASES = {
    "production": "https://quickbooks.api.intuit.com",
    "sandbox": "https://sandbox-quickbooks.api.intuit.com",
}
QBO_ENVIRONMENT = env(
    "QBO_ENVIRONMENT", default="http://127.0.0.1:8801/.well-known/openid_configuration"
)
QBO_API_BASE = env(
    "QBO_API_BASE", default=QBO_API_BASES.get(QBO_ENVIRONMENT, "http://127.0.0.1:8801")
)
QBO_WEBHOOK_VERIFIER_TOKEN = env(
    "QBO_WEBHOOK_VERIFIER_TOKEN", default=DEVELOPMENT_SECRETS["QBO_WEBHOOK_VERIFIER_TOKEN"]
)
# Production: one callback registered with Intuit, e.g. https://oodaloo.app/connect/qbo/callback/
# (it forwards to the business named in the signed state). Empty: each business's own host.
QBO_REDIRECT_URI = env("QBO_REDIRECT_URI", default="")
PLAID_HOST = env("PLAID_HOST", default="http://127.0.0.1:8802")
PLAID_CLIENT_ID = env("PLAID_CLIENT_ID", default=DEVELOPMENT_SECRETS["PLAID_CLIENT_ID"])
PLAID_SECRET = env("PLAID_SECRET", default=DEVELOPMENT_SECRETS["PLAID_SECRET"])
# Link's script. Empty: the Plaid host's own (the local sandbox serves a stand-in with Link's
# JavaScript contract); production uses Plaid's CDN.
PLAID_LINK_SCRIPT_URL = env("PLAID_LINK_SCRIPT_URL", default="")
# Registered on every Link token, so Plaid knows where to send this item's webhooks.
PLAID_WEBHOOK_URL = env(
    "PLAID_WEBHOOK_URL",
    default=f"{SITE_SCHEME}://{PUBLIC_HOST}"
    + ("" if SITE_PORT in ("", "80", "443") else f":{SITE_PORT}")
    + "/webhooks/plaid/",
)

# The public summary row of each business (apps/tenancy/summary.py): its sources, in order.
# Each returns the fields it owns; cross-business pages read only the rows.
BUSINESS_SUMMARY_SOURCES = [
    "apps.runway.summary.runway_summary",
    "apps.tray.summary.tray_summary",
    "apps.bank.selectors.bank_feed_summary",
    "apps.digest.selectors.digest_summary",
    "apps.automation.summary.automation_summary",
]

# --- Automation (apps/automation; docs/automation.md) ---
# How long an automatic approval, schedule or reserve funding can be undone.
AUTOMATION_UNDO_HOURS = env.int("AUTOMATION_UNDO_HOURS", default=48)
# A payment a rule records waits this long before the outbox sends it (its undo window).
AUTOMATION_PAYMENT_UNDO_MINUTES = env.int("AUTOMATION_PAYMENT_UNDO_MINUTES", default=60)

# --- Staff back office (apps/staff; docs/operating.md "Staff home") ---
# A connected business not synced for this long counts as stale on the staff home.
STAFF_SYNC_STALE_HOURS = env.int("STAFF_SYNC_STALE_HOURS", default=26)
# Review documents waiting longer than this are highlighted and counted (the review SLA).
STAFF_REVIEW_SLA_HOURS = env.int("STAFF_REVIEW_SLA_HOURS", default=24)
# How long a support "view as owner" session lasts.
SUPPORT_SESSION_MINUTES = env.int("SUPPORT_SESSION_MINUTES", default=30)
