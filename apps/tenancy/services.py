"""Provisioning businesses. New schemas are cloned from the template schema (fast), never
built by running every migration; the template itself is migrated like any tenant."""

import logging
import re

from django.conf import settings
from django.db import connection, transaction
from django_tenants.models import TenantMixin
from django_tenants.signals import post_schema_sync
from django_tenants.utils import schema_exists

from apps.core.errors import ApplicationError
from apps.tenancy.models import Business, Domain
from apps.tenancy.names import schema_names_align
from apps.tenancy.spares import spare_claim

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")


class InvalidBusiness(ApplicationError):
    code = "invalid_business"


def slug_validate(slug: str, *, fresh_schema: bool = False) -> str:
    """`fresh_schema`: also refuse a slug whose schema already exists (self-service sign-up
    must never adopt a leftover schema; the test harness re-attaches to its own)."""
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug) or "--" in slug:
        raise InvalidBusiness(
            "Use 3–40 lowercase letters, digits and single hyphens, starting with a letter."
        )
    if slug in settings.RESERVED_SLUGS or slug.startswith("pg"):
        raise InvalidBusiness(f"“{slug}” is reserved. Please choose another name.")
    if Business.objects.filter(slug=slug).exists():
        raise InvalidBusiness(f"“{slug}” is already taken. Please choose another name.")
    schema = schema_name_for(slug)
    # `information-schema` would become Postgres' own `information_schema`.
    system = schema in SYSTEM_SCHEMAS or schema == settings.TENANT_BASE_SCHEMA
    if system or schema.startswith("pg_") or (fresh_schema and schema_exists(schema)):
        raise InvalidBusiness(f"“{slug}” is reserved. Please choose another name.")
    return slug


SYSTEM_SCHEMAS = {"public", "information_schema", "pg_catalog", "pg_toast"}


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def public_tenant_ensure() -> Business:
    """The public row and its host(s) (sign-in, sign-up, staff admin)."""
    public, _ = Business.objects.get_or_create(
        schema_name="public", defaults={"slug": "public", "name": "Oodaloo", "is_template": True}
    )
    for host in {settings.PUBLIC_HOST, "127.0.0.1"}:
        Domain.objects.get_or_create(
            domain=host, defaults={"tenant": public, "is_primary": host == settings.PUBLIC_HOST}
        )
    return public


def template_schema_ensure() -> Business:
    """The always-migrated template schema that new businesses are cloned from."""
    base = settings.TENANT_BASE_SCHEMA
    template = Business.objects.filter(schema_name=base).first()
    if template is None:
        template = Business(
            schema_name=base, slug="tenant-base", name="(template)", is_template=True
        )
        # The template must be built by real migrations, not cloned from itself.
        if schema_exists(base):
            template.auto_create_schema = False
        template.save(verbosity=0)
    return template


def business_provision(
    *,
    slug: str,
    name: str,
    timezone: str = "America/New_York",
    country: str = "US",
    currency: str = "USD",
    fresh_schema: bool = False,
) -> Business:
    """Create a business: validate, clone the template schema, add its host."""
    connection.set_schema_to_public()  # tenants are created from public, whatever ran before
    slug = slug_validate(slug, fresh_schema=fresh_schema)
    name = (name or "").strip()
    if not name:
        raise InvalidBusiness("Please give the business a name.")
    timezone_validate(timezone)
    template_schema_ensure()
    business = Business(
        schema_name=schema_name_for(slug),
        slug=slug,
        name=name[:200],
        timezone=timezone,
        country=country.upper()[:2],
        currency=currency.upper()[:3],
    )
    # A spare schema renamed in the same transaction as the row (apps/tenancy/spares.py), or
    # a clone of the template when none is ready (or the schema is already there to adopt).
    with transaction.atomic():
        claimed = not schema_exists(business.schema_name) and spare_claim(business.schema_name)
        if claimed:
            business.auto_create_schema = False
            business.save(verbosity=0)
            post_schema_sync.send(sender=TenantMixin, tenant=business.serializable_fields())
            Domain.objects.create(
                domain=f"{slug}.{settings.TENANT_DOMAIN_SUFFIX}", tenant=business,
                is_primary=True)
    if claimed:
        transaction.on_commit(_refill_later)
    else:
        business.save(verbosity=0)
        # clone_schema's constraint names are not the migrations' (apps/tenancy/names.py).
        # A failure here does not fail the sign-up: the next release's setup_tenancy retries.
        try:
            aligned = schema_names_align(business.schema_name)
        except Exception:
            logger.exception("could not align the names of %s", business.schema_name)
        else:
            if aligned.skipped or aligned.conflicts:
                logger.warning("names of %s not aligned: %s %s", business.schema_name,
                               aligned.skipped, [str(r) for r in aligned.conflicts])
        with transaction.atomic():
            Domain.objects.create(
                domain=f"{slug}.{settings.TENANT_DOMAIN_SUFFIX}", tenant=business,
                is_primary=True
            )
    connection.set_schema_to_public()
    return business


def _refill_later() -> None:
    """Replace the spare just taken, in the background (a worker clones it)."""
    from apps.tenancy.tasks import spares_refill_task

    if not settings.TENANT_SPARE_SCHEMAS:
        return
    try:
        spares_refill_task.delay()
    except Exception:  # the broker is down: beat's refill catches up; sign-up goes on
        logger.warning("could not queue tenancy.spares_refill", exc_info=True)


def timezone_validate(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidBusiness(f"Unknown time zone “{tz}”.") from exc
