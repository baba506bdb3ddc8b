"""The production environment contract: every variable production reads, why, an example, and
whether it is required. `production.py` reads from here (a missing required one stops the boot
with every missing name listed); `docs/deploy.md` lists the same table (a test keeps them equal).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Variable:
    name: str
    purpose: str
    example: str
    required: bool = True
    choices: tuple[str, ...] = ()


PRODUCTION_VARIABLES: tuple[Variable, ...] = (
    Variable("DJANGO_SETTINGS_MODULE", "settings module (production is also the default)",
             "oodaloo.settings.production", required=False),
    Variable("SECRET_KEY", "Django signing key (sessions, CSRF, OAuth state)",
             "50+ random characters"),
    Variable("FIELD_ENCRYPTION_KEY", "Fernet keys for OAuth/Plaid tokens at rest, newest first",
             "base64 Fernet key[,older key]"),
    Variable("DATABASE_URL", "PostgreSQL (every business is a schema in it)",
             "postgres://oodaloo:…@db.internal:5432/oodaloo"),
    Variable("REDIS_URL", "cache, locks, rate limiter, Celery broker",
             "rediss://:…@redis.internal:6379/0"),
    Variable("CELERY_BROKER_URL", "Celery broker when it is not REDIS_URL", "redis://…/1",
             required=False),
    Variable("PUBLIC_HOST", "the public host: sign-in, staff admin, webhooks, OAuth callback",
             "oodaloo.app"),
    Variable("TENANT_DOMAIN_SUFFIX", "businesses are served on <slug>.<suffix>", "oodaloo.app"),
    Variable("MEDIA_ROOT", "persistent directory (or mounted bucket) for bill documents",
             "/srv/oodaloo/media"),
    Variable("DEFAULT_FROM_EMAIL", "sender of digests, reminders and notices",
             "Oodaloo <digest@oodaloo.app>"),
    Variable("ACCOUNTS_FROM_EMAIL", "sender of password resets, sign-up confirmations and "
             "invitations (unset: accounts@ the DEFAULT_FROM_EMAIL domain)",
             "Oodaloo <accounts@oodaloo.app>", required=False),
    Variable("DOCUMENTS_INBOUND_DOMAIN", "bills+<slug>@ this domain reach the documents inbox",
             "inbound.oodaloo.app"),
    Variable("EMAIL_PROVIDER", "anymail provider", "postmark",
             choices=("postmark", "sendgrid")),
    Variable("POSTMARK_SERVER_TOKEN", "Postmark server token (EMAIL_PROVIDER=postmark)",
             "a Postmark server API token", required=False),
    Variable("SENDGRID_API_KEY", "SendGrid API key (EMAIL_PROVIDER=sendgrid)", "SG.…",
             required=False),
    Variable("ANYMAIL_WEBHOOK_SECRET", "basic-auth user:password of the tracking and inbound "
             "webhooks", "random-user:random-password"),
    Variable("QBO_ENVIRONMENT", "Intuit's hosts: sandbox or production", "production",
             choices=("sandbox", "production")),
    Variable("QBO_CLIENT_ID", "Intuit app client id", "ABc…"),
    Variable("QBO_CLIENT_SECRET", "Intuit app client secret", "…"),
    Variable("QBO_REDIRECT_URI", "the one OAuth redirect URI registered with Intuit",
             "https://oodaloo.app/connect/qbo/callback/"),
    Variable("QBO_WEBHOOK_VERIFIER_TOKEN", "verifies intuit-signature on QBO webhooks",
             "the app's webhook verifier token"),
    Variable("PLAID_ENV", "Plaid's host: sandbox or production", "production",
             choices=("sandbox", "production")),
    Variable("PLAID_CLIENT_ID", "Plaid client id", "…"),
    Variable("PLAID_SECRET", "Plaid secret of that environment", "…"),
    Variable("PLAID_WEBHOOK_URL", "registered on every Link token", "https://oodaloo.app/webhooks/plaid/"),
    Variable("SECURE_SSL_REDIRECT", "redirect http to https (off only behind a proxy doing it)",
             "true", required=False),
    Variable("LOG_LEVEL", "root log level", "INFO", required=False),
)
# The provider key each EMAIL_PROVIDER needs.
EMAIL_PROVIDER_KEYS = {"postmark": "POSTMARK_SERVER_TOKEN", "sendgrid": "SENDGRID_API_KEY"}


def production_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Every production variable that is set; raises naming *every* missing or invalid one."""
    environ = os.environ if environ is None else environ
    values = {v.name: environ[v.name].strip() for v in PRODUCTION_VARIABLES
              if environ.get(v.name, "").strip()}
    problems = [f"{v.name} is not set ({v.purpose}; e.g. {v.example})"
                for v in PRODUCTION_VARIABLES if v.required and v.name not in values]
    for v in PRODUCTION_VARIABLES:
        if v.choices and v.name in values and values[v.name] not in v.choices:
            problems.append(f"{v.name} must be one of {', '.join(v.choices)}")
    provider_key = EMAIL_PROVIDER_KEYS.get(values.get("EMAIL_PROVIDER", ""))
    if provider_key and provider_key not in values:
        problems.append(f"{provider_key} is not set (EMAIL_PROVIDER={values['EMAIL_PROVIDER']})")
    for name in ("QBO_REDIRECT_URI", "PLAID_WEBHOOK_URL"):
        if name in values and not values[name].startswith("https://"):
            problems.append(f"{name} must be an https:// URL")
    if problems:
        raise ImproperlyConfigured(
            "Production settings refuse to start:\n  - " + "\n  - ".join(problems)
        )
    return values
