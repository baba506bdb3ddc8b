"""Upload size is checked before the whole body arrives (DESIGN §7 uploads)."""


from django.core.files.uploadedfile import SimpleUploadedFile

from tests.utils import client_for, in_tenant

MB = 1024 * 1024


def test_an_announced_oversize_body_is_refused_before_it_is_read(tenant_a, owner_a):
    client = client_for(tenant_a, owner_a)
    # The header says 70 MB; only 10 bytes follow. A 413 proves nothing waited for the rest.
    response = client.generic("POST", "/documents/", b"0123456789",
                              content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(70 * MB))
    assert response.status_code == 413 and b"the limit is 60 MB here" in response.content
    # Everywhere else the limit is 2.5 MB (a form or webhook never needs more).
    big_form = client.generic("POST", "/settings/digest/", b"x", CONTENT_LENGTH=str(3 * MB))
    assert big_form.status_code == 413
    webhook = client_for(None).generic("POST", "/webhooks/qbo/", b"{}",
                                       CONTENT_LENGTH=str(3 * MB))
    assert webhook.status_code == 413


def test_a_file_over_the_cap_stops_streaming_and_the_owner_is_told(tenant_a, owner_a, settings,
                                                                   tmp_path):
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + bytes(21 * MB))
    client = client_for(tenant_a, owner_a)
    page = client.post("/documents/", {"files": [big]}, follow=True)
    assert b"scan.pdf: the upload was stopped at 20 MB" in page.content
    with in_tenant(tenant_a):
        assert not Document.objects.exists()
