"""Production: every secret and every external host comes from the environment with no default.

A missing or malformed variable stops the boot with one message naming each of them
(`oodaloo/settings/required.py`); `manage.py check --deploy` then refuses development secrets,
localhost hosts, DEBUG and a CSP wider than our hosts, Intuit's and Plaid Link's
(`apps/core/deploy_checks.py`). docs/deploy.md lists every variable.
"""

from urllib.parse import unquote

from oodaloo.settings.base import *  # noqa: F403
from oodaloo.settings.base import ANYMAIL, CACHES, DATABASES, QBO_API_BASES, env
from oodaloo.settings.required import production_environment

ENV = production_environment()

DEBUG = False
FAULT_DRILLS = False  # never: a drill hook must not kill a production worker
SECRET_KEY = ENV["SECRET_KEY"]
FIELD_ENCRYPTION_KEY = ENV["FIELD_ENCRYPTION_KEY"]

# --- hosts: the public host and one subdomain per business, https only ---
PUBLIC_HOST = ENV["PUBLIC_HOST"]
TENANT_DOMAIN_SUFFIX = ENV["TENANT_DOMAIN_SUFFIX"]
SITE_SCHEME = "https"
SITE_PORT = "443"
ALLOWED_HOSTS = [PUBLIC_HOST, f".{TENANT_DOMAIN_SUFFIX}"]
CSRF_TRUSTED_ORIGINS = [f"https://{PUBLIC_HOST}", f"https://*.{TENANT_DOMAIN_SUFFIX}"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# --- services ---
DATABASES["default"].update(env.db_url_config(ENV["DATABASE_URL"]))
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
REDIS_URL = ENV["REDIS_URL"]
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = ENV.get("CELERY_BROKER_URL", REDIS_URL)
MEDIA_ROOT = ENV["MEDIA_ROOT"]

# --- email (anymail) ---
EMAIL_PROVIDER = ENV["EMAIL_PROVIDER"]
EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
ANYMAIL.update({
    "SENDGRID_API_KEY": ENV.get("SENDGRID_API_KEY", ""),
    "POSTMARK_SERVER_TOKEN": ENV.get("POSTMARK_SERVER_TOKEN", ""),
    "WEBHOOK_SECRET": ENV["ANYMAIL_WEBHOOK_SECRET"],
})
DEFAULT_FROM_EMAIL = ENV["DEFAULT_FROM_EMAIL"]
# Unset: accounts@ the digest sender's domain (already SPF/DKIM-signed for the provider).
ACCOUNTS_FROM_EMAIL = ENV.get("ACCOUNTS_FROM_EMAIL") or (
    f"Oodaloo <accounts@{DEFAULT_FROM_EMAIL.rsplit('@', 1)[-1].rstrip('>')}>")
# Alert webhooks: https to public addresses only, whatever the environment says (SSRF guard).
ALERTS_WEBHOOK_ALLOW_HTTP = False
ALERTS_WEBHOOK_ALLOW_LOOPBACK = False
DOCUMENTS_INBOUND_DOMAIN = ENV["DOCUMENTS_INBOUND_DOMAIN"]

# --- Intuit: QBO_ENVIRONMENT alone chooses the API host (no override in production) ---
QBO_ENVIRONMENT = ENV["QBO_ENVIRONMENT"]
QBO_API_BASE = QBO_API_BASES[QBO_ENVIRONMENT]
QBO_CLIENT_ID = ENV["QBO_CLIENT_ID"]
QBO_CLIENT_SECRET = ENV["QBO_CLIENT_SECRET"]
QBO_REDIRECT_URI = ENV["QBO_REDIRECT_URI"]
QBO_WEBHOOK_VERIFIER_TOKEN = ENV["QBO_WEBHOOK_VERIFIER_TOKEN"]
INTUIT_AUTHORIZE_ORIGIN = "https://appcenter.intuit.com"

# --- Plaid: PLAID_ENV chooses the host; Link is Plaid's own script ---
PLAID_HOST = f"https://{ENV['PLAID_ENV']}.plaid.com"
PLAID_CLIENT_ID = ENV["PLAID_CLIENT_ID"]
PLAID_SECRET = ENV["PLAID_SECRET"]
PLAID_WEBHOOK_URL = ENV["PLAID_WEBHOOK_URL"]
PLAID_LINK_SCRIPT_URL = "https://cdn.plaid.com/link/v2/stable/link-initialize.js"

# --- CSP: exactly our hosts, Intuit's sign-in and Plaid Link (Plaid's documented policy) ---
OUR_HOSTS = [f"https://{PUBLIC_HOST}", f"https://*.{TENANT_DOMAIN_SUFFIX}"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'", PLAID_LINK_SCRIPT_URL],
        "frame-src": ["https://cdn.plaid.com/"],
        "connect-src": ["'self'", f"{PLAID_HOST}/"],
        "frame-ancestors": ["'none'"],
        # Form posts that redirect: sign-in hand-off between our hosts, Connect to QuickBooks.
        "form-action": ["'self'", *OUR_HOSTS, INTUIT_AUTHORIZE_ORIGIN],
    }
}

LOG_LEVEL = ENV.get("LOG_LEVEL", "INFO")
LOGGING["root"]["level"] = LOG_LEVEL  # noqa: F405
