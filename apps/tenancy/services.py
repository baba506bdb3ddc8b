"""Provisioning businesses. New schemas are cloned from the template schema (fast), never
built by running every migration; the template itself is migrated like any tenant."""

import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.models import TenantMixin
from django_tenants.signals import post_schema_sync
from django_tenants.utils import schema_exists

from apps.core.advisory import xact_lock
from apps.core.errors import ApplicationError
from apps.tenancy.models import Business, Domain
from apps.tenancy.names import schema_names_align
from apps.tenancy.spares import clone_lock, spare_claim

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")


class InvalidBusiness(ApplicationError):
    code = "invalid_business"


_TAKEN = "“{slug}” is already taken. Please choose another name."


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
        raise InvalidBusiness(_TAKEN.format(slug=slug))
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
    """Create a business: validate, take a spare schema or clone the template, add its host.

    All of it in one transaction — the caller's when it has one: a sign-up calls this inside
    the transaction that also adds the owner, so a failure anywhere in it (a lost connection, a
    killed worker) leaves no business, no schema and no spare taken, and the link works again.
    A twin that took the slug since `slug_validate` is InvalidBusiness, never a 500."""
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
    try:
        with transaction.atomic():
            _schema_take(business, fresh_schema=fresh_schema)
            Domain.objects.create(domain=f"{slug}.{settings.TENANT_DOMAIN_SUFFIX}",
                                  tenant=business, is_primary=True)
    except (IntegrityError, ValidationError) as exc:
        # Another sign-up's row or schema got there since slug_validate (django-tenants' name
        # check, a unique index, clone_schema's "already exists"): that, and only that, is ours.
        connection.set_schema_to_public()
        host = f"{slug}.{settings.TENANT_DOMAIN_SUFFIX}"
        if (Business.objects.filter(slug=slug).exists() or schema_exists(business.schema_name)
                or Domain.objects.filter(domain=host).exists()):
            raise InvalidBusiness(_TAKEN.format(slug=slug)) from exc
        raise
    connection.set_schema_to_public()
    return business


def _schema_take(business: Business, *, fresh_schema: bool) -> None:
    """Save the row with its schema: a spare renamed (apps/tenancy/spares.py), else a clone of
    the template (or, outside self-service, an existing schema adopted: the test harness)."""
    schema = business.schema_name
    # One provisioning per schema name at a time, to the end of the transaction: a twin waits
    # here, then finds the name taken (InvalidBusiness). Without it a spare renamed to the name
    # and a clone inserting the row take the two in opposite orders and deadlock.
    xact_lock(f"provision:{schema}")
    if not schema_exists(schema) and spare_claim(schema):
        business.auto_create_schema = False
        business.save(verbosity=0)
        post_schema_sync.send(sender=TenantMixin, tenant=business.serializable_fields())
        transaction.on_commit(_refill_later)
        return
    if fresh_schema and schema_exists(schema):  # a twin's spare renamed to it, committed
        raise InvalidBusiness(_TAKEN.format(slug=business.slug))
    clone_lock()  # held to the end of the caller's transaction (spares.py says why)
    business.save(verbosity=0)
    # clone_schema's constraint names are not the migrations' (apps/tenancy/names.py). A
    # failure here does not fail the sign-up (its own savepoint): setup_tenancy retries.
    try:
        aligned = schema_names_align(schema)
    except Exception:
        logger.exception("could not align the names of %s", schema)
    else:
        if aligned.skipped or aligned.conflicts:
            logger.warning("names of %s not aligned: %s %s", schema, aligned.skipped,
                           [str(r) for r in aligned.conflicts])


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
