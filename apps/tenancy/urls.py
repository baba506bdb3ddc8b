"""Absolute URLs of a business's portal (used in redirects after sign-in, emails and digests)."""

from django.conf import settings


def business_url(business, path: str = "/") -> str:
    host = business.primary_host or f"{business.slug}.{settings.TENANT_DOMAIN_SUFFIX}"
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT not in ("", "80", "443") else ""
    return f"{settings.SITE_SCHEME}://{host}{port}{path}"


def public_url(path: str = "/") -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT not in ("", "80", "443") else ""
    return f"{settings.SITE_SCHEME}://{settings.PUBLIC_HOST}{port}{path}"
