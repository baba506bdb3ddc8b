"""`manage.py check --deploy`: refuse a production that would run with development values.

Errors (ids `oodaloo.E1xx`) for DEBUG, a development secret still in use, a localhost (or
plain-http) external host, and a CSP that allows anything but our own hosts, Intuit's sign-in and
Plaid Link — or fails to allow those (Link and "Connect to QuickBooks" would break).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_NAMES = ("localhost", "127.0.0.1", "0.0.0.0", "::1")
KEYWORDS = {"'self'", "'none'", "'unsafe-inline'", "data:"}
INTUIT = "https://appcenter.intuit.com"
PLAID_CDN = "https://cdn.plaid.com/"
PLAID_LINK_SCRIPT = "https://cdn.plaid.com/link/v2/stable/link-initialize.js"


def _is_local(host: str) -> bool:
    host = (host or "").lower().lstrip(".").rstrip(".")
    return any(host == name or host.endswith(f".{name}") for name in LOCAL_NAMES) or not host


def _external_urls() -> dict[str, str]:
    return {
        "QBO_API_BASE": settings.QBO_API_BASE,
        "QBO_REDIRECT_URI": settings.QBO_REDIRECT_URI,
        "PLAID_HOST": settings.PLAID_HOST,
        "PLAID_WEBHOOK_URL": getattr(settings, "PLAID_WEBHOOK_URL", ""),
        "PLAID_LINK_SCRIPT_URL": getattr(settings, "PLAID_LINK_SCRIPT_URL", ""),
    }


def _host_errors() -> list[Error]:
    errors = []
    hosts = {"PUBLIC_HOST": settings.PUBLIC_HOST,
             "TENANT_DOMAIN_SUFFIX": settings.TENANT_DOMAIN_SUFFIX,
             **{f"ALLOWED_HOSTS[{i}]": h for i, h in enumerate(settings.ALLOWED_HOSTS)}}
    for name, host in hosts.items():
        if host == "*" or _is_local(host):
            errors.append(Error(f"{name} is {host!r}: production needs its real host.",
                                id="oodaloo.E101"))
    for name, url in _external_urls().items():
        parts = urlsplit(url or "")
        if parts.scheme != "https" or _is_local(parts.hostname or ""):
            errors.append(Error(f"{name} is {url!r}: production needs an https URL on a real "
                                "host.", id="oodaloo.E102"))
    if settings.QBO_ENVIRONMENT not in ("sandbox", "production"):
        errors.append(Error(f"QBO_ENVIRONMENT is {settings.QBO_ENVIRONMENT!r}: use sandbox or "
                            "production (Intuit's hosts).", id="oodaloo.E103"))
    return errors


def _secret_errors() -> list[Error]:
    current = {
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "ANYMAIL_WEBHOOK_SECRET": settings.ANYMAIL.get("WEBHOOK_SECRET", ""),
        "QBO_CLIENT_ID": settings.QBO_CLIENT_ID,
        "QBO_CLIENT_SECRET": settings.QBO_CLIENT_SECRET,
        "QBO_WEBHOOK_VERIFIER_TOKEN": settings.QBO_WEBHOOK_VERIFIER_TOKEN,
        "PLAID_CLIENT_ID": settings.PLAID_CLIENT_ID,
        "PLAID_SECRET": settings.PLAID_SECRET,
    }
    dev = getattr(settings, "DEVELOPMENT_SECRETS", {})
    errors = []
    for name, value in current.items():
        dev_value = dev.get(name)
        in_use = str(value) == dev_value or (
            name == "FIELD_ENCRYPTION_KEY" and dev_value in str(value).split(",")
        )
        if in_use or not value:
            errors.append(Error(f"{name} is the development value (or empty).",
                                id="oodaloo.E104"))
    return errors


def expected_csp_sources() -> set[str]:
    """Every non-keyword source production's CSP may name — and must name."""
    return {
        f"https://{settings.PUBLIC_HOST}",
        f"https://*.{settings.TENANT_DOMAIN_SUFFIX}",
        INTUIT,
        PLAID_CDN,
        PLAID_LINK_SCRIPT,
        f"{settings.PLAID_HOST.rstrip('/')}/",
    }


def _csp_errors() -> list[Error]:
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
    named = {s for sources in directives.values() for s in sources if s not in KEYWORDS}
    expected = expected_csp_sources()
    errors = []
    if named - expected:
        errors.append(Error(f"CSP allows sources beyond our hosts, Intuit and Plaid Link: "
                            f"{sorted(named - expected)}", id="oodaloo.E105"))
    if expected - named:
        errors.append(Error(f"CSP does not allow {sorted(expected - named)} (needed by the "
                            "portal, Connect to QuickBooks or Plaid Link).", id="oodaloo.E106"))
    required = {"script-src": PLAID_LINK_SCRIPT, "frame-src": PLAID_CDN, "form-action": INTUIT}
    for directive, source in required.items():
        if source not in directives.get(directive, []):
            errors.append(Error(f"CSP {directive} must allow {source}.", id="oodaloo.E107"))
    return errors


@register(Tags.security, deploy=True)
def production_deploy_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    if settings.DEBUG:
        errors.append(Error("DEBUG is on.", id="oodaloo.E100"))
    return errors + _host_errors() + _secret_errors() + _csp_errors()
