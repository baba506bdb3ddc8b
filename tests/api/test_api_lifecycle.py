"""The business's export and deletion over the API: the portal's own services (apps/lifecycle),
the same owner-only rule, the same typed confirmation, the same audit entries. (Revoking the
QuickBooks grant and the Plaid items on deletion: tests/portal/test_lifecycle.py.)"""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django_tenants.utils import schema_exists

from apps.accounts.models import Role
from apps.ap.documents.models import Document
from apps.ap.documents.storage import documents_storage
from apps.api.keys import api_key_create
from apps.core.dates import local_today
from apps.core.models import AuditEvent
from apps.tenancy.models import Business
from apps.tenancy.services import business_provision
from tests import factories as fx
from tests.factories import make_member
from tests.utils import client_for, in_tenant


def _delete(client, data=None, **headers):
    return client.delete("/api/v1/business/", json.dumps(data or {}),
                         content_type="application/json", **headers)


def test_owner_exports_the_same_zip_as_the_portal_with_an_audit_entry(tenant_a):
    owner = make_member(tenant_a, Role.OWNER, email="owner@alpha.test")
    with in_tenant(tenant_a):
        fx.BillFactory(total="1200.00")
        _key, raw = api_key_create(actor=owner, business=tenant_a, name="export",
                                   scope="write")
    api = client_for(tenant_a)
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    assert api.get("/api/v1/business/export/", **headers).status_code == 405
    response = api.post("/api/v1/business/export/", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert (f'filename="oodaloo-alpha-{local_today(tenant_a.timezone):%Y%m%d}.zip"'
            in response["Content-Disposition"])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tables"]["tables/ap_bill.csv"] == 1
    assert manifest["exported_by"] == "owner@alpha.test"
    assert "1200.00" in archive.read("tables/ap_bill.csv").decode()
    event = AuditEvent.objects.get(action="business.exported", business=tenant_a)
    assert event.actor == owner


@pytest.mark.parametrize("role", [Role.BOOKKEEPER, Role.VIEWER])
def test_only_owners_export_or_delete(tenant_a, role):
    member = make_member(tenant_a, role, email=f"{role}@alpha.test")
    api = client_for(tenant_a, member)
    assert api.post("/api/v1/business/export/").status_code == 403
    refused = _delete(api, {"confirm": "alpha"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert schema_exists(tenant_a.schema_name)
    assert not AuditEvent.objects.filter(action__in=["business.exported",
                                                     "business.deleted"]).exists()


def test_another_business_owner_gets_404(tenant_a, tenant_b):
    stranger = make_member(tenant_b, Role.OWNER, email="owner@beta.test")
    api = client_for(tenant_a, stranger)
    assert api.post("/api/v1/business/export/").status_code == 404
    assert _delete(api, {"confirm": "alpha"}).status_code == 404
    assert schema_exists(tenant_a.schema_name)


def test_delete_needs_the_typed_address(tenant_a):
    api = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    missing = _delete(api)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "invalid"
    for wrong in ("", "nope", "beta"):
        refused = _delete(api, {"confirm": wrong})
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "delete_refused"
    assert schema_exists(tenant_a.schema_name)
    assert not AuditEvent.objects.filter(action="business.deleted").exists()


def test_owner_deletes_the_business_with_its_files_and_an_audit_entry(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # stored files stay inside the test
    business = business_provision(slug="doomed-api", name="Doomed API")
    owner = make_member(business, Role.OWNER, email="owner@doomed.test")
    with in_tenant(business):
        document = Document(source="upload", original_name="bill.pdf", size=9,
                            content_type="application/pdf", sha256="0" * 64)
        document.file.save("bill.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
        document.save()
    assert documents_storage().exists(document.file.name)
    api = client_for(business, owner)
    response = _delete(api, {"confirm": " Doomed-API "}, HTTP_IDEMPOTENCY_KEY="delete-1")
    assert response.status_code == 200, response.content
    summary = {"qbo_revoked": False, "plaid_items_removed": 0, "files_removed": 1,
               "schema_dropped": "doomed_api"}
    assert response.json() == summary
    assert not schema_exists("doomed_api")
    assert not Business.objects.filter(pk=business.pk).exists()
    assert not documents_storage().exists(document.file.name)
    event = AuditEvent.objects.get(action="business.deleted")
    assert event.actor == owner and event.object_id == str(business.pk)
    assert event.before["slug"] == "doomed-api"
    assert "owner@doomed.test (owner)" in str(event.before) and event.after == summary
    gone = client_for(business, owner)  # its address answers nothing any more
    assert _delete(gone, {"confirm": "doomed-api"}).status_code == 404
