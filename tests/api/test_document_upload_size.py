"""Bill uploads over the API take files up to the documented 20 MB; anything larger is a 413 in
the API's JSON error shape (`too_large`), whether refused by Content-Length before the body is
read or stopped while it streams."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.utils import client_for, in_tenant

MB = 1024 * 1024


def _upload(client, data, key):
    return client.post("/api/v1/documents/", {"file": SimpleUploadedFile("scan.pdf", data)},
                       HTTP_IDEMPOTENCY_KEY=key)


def test_a_3_mb_scan_is_accepted(tenant_a, owner_a, settings, tmp_path):
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    scan = b"%PDF-1.4\n" + b"0" * (3 * MB)
    response = _upload(client_for(tenant_a, owner_a), scan, "k-3mb")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["size"] == len(scan) and response.json()["state"] == "received"
    with in_tenant(tenant_a):
        assert Document.objects.get().size == len(scan)


def test_over_the_limit_is_a_json_413(tenant_a, owner_a, settings, tmp_path):
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(tenant_a, owner_a)
    # Announced as 25 MB: refused before the body is read.
    big = _upload(client, b"%PDF-1.4\n" + b"0" * (25 * MB), "k-25mb")
    assert big.status_code == 413 and big["Content-Type"] == "application/json"
    error = big.json()["error"]
    assert error["code"] == "too_large" and "the limit is 21 MB here" in error["message"]
    # Just over 20 MB: within the request limit, so it streams, and is stopped at 20 MB.
    over = _upload(client, b"%PDF-1.4\n" + b"0" * (20 * MB + 1), "k-20mb")
    assert over.status_code == 413 and over.json()["error"]["code"] == "too_large"
    assert "stopped at 20 MB" in over.json()["error"]["message"]
    with in_tenant(tenant_a):
        assert not Document.objects.exists()


def test_pages_keep_their_html_413(tenant_a, owner_a):
    page = client_for(tenant_a, owner_a).generic(
        "POST", "/documents/", b"0123456789", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(70 * MB))
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html")
    form = client_for(tenant_a, owner_a).generic("POST", "/settings/digest/", b"x",
                                                 CONTENT_LENGTH=str(3 * MB))
    assert form.status_code == 413 and b"the limit is 2.5 MB here" in form.content
