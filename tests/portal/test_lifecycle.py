"""An owner exports all of a business's data and deletes the business: grants revoked at the
(sandbox) QuickBooks and Plaid through our clients, files removed, schema dropped, audit kept."""

import csv
import io
import json
import zipfile
from urllib.parse import urlparse

import pytest
import requests
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import schema_exists

from apps.accounts.models import Membership, Role
from apps.ap.documents.models import Document
from apps.ap.documents.storage import documents_storage
from apps.bank.services.feed_connect import feed_connect_sandbox
from apps.bank.services.feed_items import plaid_client_for
from apps.core.models import AuditEvent
from apps.integrations.plaid.errors import PlaidError
from apps.integrations.qbo.oauth import OAuthError
from apps.integrations.sync.connection import qbo_oauth
from apps.integrations.sync.models import QboConnection
from apps.sandboxes.plaid import start_sandbox
from apps.tenancy.models import Business
from apps.tenancy.services import business_provision
from tests.factories import make_member
from tests.integrations.plaid.bank_fixtures import write_bank
from tests.integrations.sync.qbo_company import start, write_company
from tests.portal import factories as f
from tests.utils import client_for, in_tenant


@pytest.fixture
def sandboxes(tmp_path, settings):
    qbo = start(write_company(tmp_path / "co"))
    plaid = start_sandbox(write_bank(tmp_path / "bank"))
    settings.QBO_ENVIRONMENT, settings.QBO_API_BASE = qbo.discovery_url, qbo.base_url
    settings.PLAID_HOST = plaid.base_url
    yield qbo, plaid
    qbo.stop()
    plaid.stop()


@pytest.fixture
def doomed(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # stored files stay inside the test
    business = business_provision(slug="doomed-co", name="Doomed Co")
    owner = make_member(business, Role.OWNER, email="owner@doomed.test")
    return business, owner  # the test's transaction takes the schema away again


def _document(business) -> Document:
    with in_tenant(business):
        document = Document(source="upload", original_name="bill.pdf", size=9,
                            content_type="application/pdf", sha256="0" * 64)
        document.file.save("bill.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
        document.save()
        return document


def test_export_has_every_tenant_table_public_rows_documents_and_a_manifest(doomed):
    business, owner = doomed
    with in_tenant(business):
        f.bill(f.vendor("Rent Co"), "1200.00", f.today_of(business))
    _document(business)
    web = client_for(business, owner)
    assert web.get("/settings/export/").status_code == 405
    response = web.post("/settings/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    with in_tenant(business):
        tenant_tables = set(connection.introspection.table_names()) - {"django_migrations"}
    exported = {n.split("/", 1)[1][:-4] for n in manifest["tables"] if n.startswith("tables/")}
    assert tenant_tables <= exported  # every table of the schema
    assert manifest["tables"]["tables/ap_bill.csv"] == 1
    bills = list(csv.DictReader(io.StringIO(archive.read("tables/ap_bill.csv").decode())))
    assert bills[0]["total"] == "1200.00"
    members = archive.read("public/accounts_membership.csv").decode()
    assert str(owner.pk) in members
    assert manifest["documents"] == 1
    assert any(n.startswith("documents/") for n in archive.namelist())
    text = b"".join(archive.read(n) for n in archive.namelist())
    assert b"token_hash" not in text and b"refresh_token" not in text
    assert AuditEvent.objects.filter(action="business.exported", business=business).exists()


def test_only_owners_export_or_delete(doomed):
    business, _owner = doomed
    bookkeeper = make_member(business, Role.BOOKKEEPER, email="bk@doomed.test")
    web = client_for(business, bookkeeper)
    assert web.post("/settings/export/").status_code == 403
    assert web.post("/settings/delete/", {"confirm": "doomed-co"}).status_code == 403
    assert schema_exists("doomed_co")


def test_delete_revokes_grants_removes_files_drops_the_schema_and_keeps_an_audit_entry(
    doomed, sandboxes, django_capture_on_commit_callbacks
):
    business, owner = doomed
    web = client_for(business, owner)
    authorize = web.post("/connect/qbo/start/")["Location"]
    callback = urlparse(requests.get(authorize, allow_redirects=False, timeout=10)
                        .headers["Location"])
    with django_capture_on_commit_callbacks():
        assert web.get(f"{callback.path}?{callback.query}").status_code == 302
    refresh_token = QboConnection.objects.get(business=business).refresh_token
    item = feed_connect_sandbox(business, actor=owner, initial_sync=False)
    access_token = item.access_token
    document = _document(business)
    storage = documents_storage()
    assert storage.exists(document.file.name)

    wrong = web.post("/settings/delete/", {"confirm": "nope"})
    assert wrong.status_code == 400 and schema_exists("doomed_co")

    response = web.post("/settings/delete/", {"confirm": "doomed-co"})
    assert response.status_code == 302 and response["Location"].endswith("/businesses/")
    assert not schema_exists("doomed_co")
    assert not Business.objects.filter(pk=business.pk).exists()
    assert not Membership.objects.filter(business_id=business.pk).exists()
    assert not storage.exists(document.file.name)
    with pytest.raises(OAuthError):  # the grant is dead at (sandbox) Intuit
        qbo_oauth(business).refresh(refresh_token)
    with pytest.raises(PlaidError):  # and the item is gone at (sandbox) Plaid
        plaid_client_for(None).item(access_token)
    event = AuditEvent.objects.get(action="business.deleted")
    assert event.actor == owner and event.object_id == str(business.pk)
    assert event.before["slug"] == "doomed-co" and "owner@doomed.test (owner)" in str(event.before)
    assert event.after == {"qbo_revoked": True, "plaid_items_removed": 1, "files_removed": 1,
                           "schema_dropped": "doomed_co"}
