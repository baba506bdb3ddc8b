"""A business's data lifecycle, for its owner: export everything, delete everything.

Export: one zip with a CSV per table of the business's schema (every tenant model), a CSV per
public-schema table that holds rows about the business (memberships, invitations, the audit
log, sync runs, actions, connections — secrets left out), its stored documents, and
`manifest.json` (what is in it, row counts, when, by whom).

Delete: the QuickBooks grant is revoked and every Plaid item removed through our clients, the
stored files are deleted, the schema is dropped with its rows, and one audit entry is kept in
public (the audit log outlives the business; its rows lose only the link)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from apps.accounts.models import Membership, Role
from apps.ap.documents.models import Document
from apps.ap.documents.storage import documents_storage
from apps.bank.services.feed_connect import feed_disconnect
from apps.core.dates import local_today
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.connection import connection_for, qbo_disconnect
from apps.tenancy.models import Business

SECRET_HINTS = ("token", "secret", "password", "key_hash")
CHUNK = 2000


def _columns(model) -> list[models.Field]:
    """Concrete columns, without secrets (encrypted tokens, hashes)."""
    return [
        f for f in model._meta.concrete_fields
        if "Encrypted" not in type(f).__name__ and not any(h in f.name for h in SECRET_HINTS)
    ]


def _write_csv(archive: zipfile.ZipFile, name: str, queryset, fields) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f.attname for f in fields])
    count = 0
    for row in queryset.values_list(*[f.attname for f in fields]).iterator(chunk_size=CHUNK):
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    archive.writestr(name, buffer.getvalue())
    return count


def _tenant_models():
    labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    for config in django_apps.get_app_configs():
        if config.label in labels:
            yield from (m for m in config.get_models() if not m._meta.proxy)


def _public_models_about_business():
    """Shared-schema models with a foreign key to the business (found, not listed by hand)."""
    tenant_labels = {m._meta.label for m in _tenant_models()}
    for model in django_apps.get_models():
        if model._meta.label in tenant_labels or model is Business:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Business:
                yield model, field.name
                break


def business_export_filename(business: Business) -> str:
    """The archive's download name, the same from the portal and the API."""
    return f"oodaloo-{business.slug}-{local_today(business.timezone):%Y%m%d}.zip"


def business_export(*, actor: Any, business: Business):
    """The archive as a temporary file (rewound), and the manifest written into it."""
    spooled = tempfile.SpooledTemporaryFile(max_size=50 * 1024 * 1024)
    manifest: dict[str, Any] = {
        "business": {"slug": business.slug, "name": business.name,
                     "timezone": business.timezone, "currency": business.currency},
        "exported_at": timezone.now().isoformat(),
        "exported_by": getattr(actor, "email", str(actor)),
        "format": "one CSV per table (header = column names; empty = null), documents/ as "
                  "stored; secrets (OAuth tokens, token hashes, passwords) are left out",
        "tables": {},
        "documents": 0,
    }
    with zipfile.ZipFile(spooled, "w", zipfile.ZIP_DEFLATED) as archive:
        with schema_context("public"):
            for model, fk in _public_models_about_business():
                name = f"public/{model._meta.db_table}.csv"
                rows = model._default_manager.filter(**{fk: business}).order_by("pk")
                manifest["tables"][name] = _write_csv(archive, name, rows, _columns(model))
        with tenant_context(business):
            for model in _tenant_models():
                name = f"tables/{model._meta.db_table}.csv"
                rows = model._default_manager.all().order_by("pk")
                manifest["tables"][name] = _write_csv(archive, name, rows, _columns(model))
            manifest["documents"] = _write_documents(archive)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, default=str))
    audit_record(actor=actor, action="business.exported", business=business,
                 after={"tables": len(manifest["tables"]), "documents": manifest["documents"]})
    spooled.seek(0)
    return spooled, manifest


def _write_documents(archive: zipfile.ZipFile) -> int:
    storage = documents_storage()
    count = 0
    for document in Document.objects.exclude(file="").iterator():
        try:
            with storage.open(document.file.name, "rb") as handle:
                archive.writestr(f"documents/{document.pk}-{document.file.name.rsplit('/', 1)[-1]}",
                                 handle.read())
            count += 1
        except FileNotFoundError:
            continue  # listed in its table; the file was already gone
    return count


def _files_remove(storage, prefix: str) -> int:
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for name in files:
        storage.delete(f"{prefix}/{name}")
        removed += 1
    for folder in folders:
        removed += _files_remove(storage, f"{prefix}/{folder}")
    return removed


class DeleteRefused(ApplicationError):
    code = "delete_refused"


def business_delete(*, actor: Any, business: Business, confirm: str) -> dict:
    """Irreversible. The owner types the business's address (slug) to confirm."""
    if not Membership.objects.filter(user=actor, business=business, role=Role.OWNER).exists():
        raise DeleteRefused("Only an owner can delete the business.")
    if (confirm or "").strip().lower() != business.slug:
        raise DeleteRefused(f"Type “{business.slug}” to confirm.")
    conn = connection_for(business)
    qbo_revoked = conn is not None and conn.status != conn.Status.DISCONNECTED
    qbo_disconnect(actor, business)  # revokes the grant at Intuit through our OAuth client
    items = list(PlaidItem.objects.filter(business=business).exclude(status="disconnected"))
    for item in items:
        feed_disconnect(business, item, actor=actor)  # /item/remove through our Plaid client
    files = _files_remove(documents_storage(), f"businesses/{business.schema_name}")
    members = list(Membership.objects.filter(business=business).values_list("user__email", "role"))
    summary = {"qbo_revoked": qbo_revoked, "plaid_items_removed": len(items),
               "files_removed": files, "schema_dropped": business.schema_name}
    audit_record(
        actor=actor, action="business.deleted", business=None, obj=business,
        before={"slug": business.slug, "name": business.name, "schema": business.schema_name,
                "members": [f"{email} ({role})" for email, role in members]},
        after=summary,
    )
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # Inside an outer transaction, deferred foreign-key checks on rows written earlier
        # would block DROP SCHEMA; run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    business.delete(force_drop=True)
    return summary
