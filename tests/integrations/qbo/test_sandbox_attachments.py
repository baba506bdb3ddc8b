"""Attachment upload (multipart), temporary download links, checks, requestid, persistence."""

import hashlib
import json

import pytest
import requests

from apps.sandboxes.qbo import start_sandbox
from apps.sandboxes.qbo.attachments import MAX_FILE_BYTES
from apps.sandboxes.qbo.fixtures import small_company

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def company(tmp_path):
    small_company(tmp_path / "co")
    return tmp_path / "co"


@pytest.fixture
def sandbox(company):
    handle = start_sandbox(company, persist_delay=0.05)
    yield handle
    handle.stop()


def session_for(sandbox):
    session = requests.Session()
    token = sandbox.issue_tokens()["access_token"]
    session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
    return session


@pytest.fixture
def api(sandbox):
    return session_for(sandbox)


def metadata(entity="Bill", value="100", **extra):
    doc = {"AttachableRef": [{"EntityRef": {"type": entity, "value": value}}], **extra}
    doc.setdefault("FileName", "bill-100.pdf")
    doc.setdefault("ContentType", "application/pdf")
    return doc


def upload(sandbox, api, meta, data=PDF, content_type="application/pdf", **params):
    files = {
        "file_metadata_0": (None, json.dumps(meta), "application/json"),
        "file_content_0": (meta.get("FileName") or "file.bin", data, content_type),
    }
    return api.post(f"{sandbox.api_base}/upload", files=files, params=params, timeout=10)


def item_of(response):
    assert response.status_code == 200, response.text
    body = response.json()
    assert "time" in body and len(body["AttachableResponse"]) == 1
    return body["AttachableResponse"][0]


def test_upload_links_the_file_and_download_returns_the_same_bytes(sandbox, api, company):
    att = item_of(upload(sandbox, api, metadata(Note="from Oodaloo")))["Attachable"]
    key = att["Id"]
    assert att["SyncToken"] == "0" and att["FileName"] == "bill-100.pdf"
    assert att["ContentType"] == "application/pdf" and att["Size"] == len(PDF)
    assert att["Note"] == "from Oodaloo"
    assert att["AttachableRef"] == [{"EntityRef": {"type": "Bill", "value": "100"}}]
    assert att["FileAccessUri"] == f"/v3/company/{sandbox.realm}/download/{key}"
    assert att["MetaData"]["CreateTime"]

    link = api.get(f"{sandbox.api_base}/download/{key}", timeout=5)
    assert link.status_code == 200 and "time" in link.json()
    url = link.json()["TempDownloadUri"]
    got = requests.get(url, timeout=5)  # a pre-signed link: no bearer token
    assert got.status_code == 200 and got.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert requests.get(att["TempDownloadUri"], timeout=5).content == PDF
    # QBO's own download answer is the URL as text
    plain = api.get(f"{sandbox.api_base}/download/{key}", headers={"Accept": "text/plain"})
    assert plain.text.startswith(sandbox.base_url) and requests.get(plain.text).content == PDF

    read = api.get(f"{sandbox.api_base}/attachable/{key}").json()["Attachable"]
    assert read["Size"] == len(PDF) and read["TempDownloadUri"].startswith(sandbox.base_url)
    found = api.get(
        f"{sandbox.api_base}/query",
        params={"query": "SELECT * FROM Attachable WHERE AttachableRef.EntityRef.Type = 'Bill' "
                "AND AttachableRef.EntityRef.value = '100'"},
    ).json()["QueryResponse"]["Attachable"]
    assert [a["Id"] for a in found] == [key]
    none = api.get(
        f"{sandbox.api_base}/query",
        params={"query": "SELECT * FROM Attachable WHERE AttachableRef.EntityRef.value = '101'"},
    ).json()["QueryResponse"]
    assert none == {}
    assert sandbox.stats()["uploads"] == 1 and sandbox.stats()["entities"]["Attachable"] == 1

    sandbox.flush()
    assert (company / "_attachments" / key).read_bytes() == PDF
    stored = json.loads((company / "Attachable.json").read_text())["Attachable"]
    assert [a["Id"] for a in stored] == [key] and "TempDownloadUri" not in stored[0]


def test_same_requestid_uploads_once(sandbox, api):
    first = item_of(upload(sandbox, api, metadata(), requestid="up-1"))["Attachable"]
    again = item_of(upload(sandbox, api, metadata(), requestid="up-1"))["Attachable"]
    assert again["Id"] == first["Id"]
    assert sandbox.stats()["entities"]["Attachable"] == 1
    assert sandbox.stats()["idempotent_replays"] == 1


def test_each_file_is_checked_and_faults_come_back_per_file(sandbox, api):
    bad_type = item_of(
        upload(sandbox, api, metadata(FileName="a.zip", ContentType="application/zip"))
    )
    assert bad_type["Fault"]["type"] == "ValidationFault"
    assert bad_type["Fault"]["Error"][0]["code"] == "2010"
    missing = item_of(upload(sandbox, api, metadata(value="999")))
    assert missing["Fault"]["Error"][0]["code"] == "2500"
    wrong_kind = item_of(upload(sandbox, api, metadata(entity="Invoice", value="1")))
    assert wrong_kind["Fault"]["Error"][0]["code"] == "2500"
    assert MAX_FILE_BYTES == 100 * 1024 * 1024  # QBO's limit
    sandbox.app.attachments.max_bytes = 1000  # a small limit, so the test stays light
    too_big = item_of(upload(sandbox, api, metadata()))
    assert "limited to 1000 bytes" in too_big["Fault"]["Error"][0]["Detail"]
    assert "Attachable" not in sandbox.stats()["entities"]

    not_multipart = api.post(f"{sandbox.api_base}/upload", json=metadata(), timeout=5)
    assert not_multipart.status_code == 415 and "Fault" in not_multipart.json()
    no_token = requests.post(f"{sandbox.api_base}/upload", files={"file_content_0": PDF})
    assert no_token.status_code == 401


def test_two_files_in_one_request_and_content_type_from_the_part(sandbox, api):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    files = [
        ("file_metadata_0", (None, json.dumps(metadata()), "application/json")),
        ("file_content_0", ("bill.pdf", PDF, "application/pdf")),
        ("file_metadata_1", (None, json.dumps({"AttachableRef": []}), "application/json")),
        ("file_content_1", ("logo.png", png, "image/png")),
    ]
    body = api.post(f"{sandbox.api_base}/upload", files=files, timeout=5).json()
    first, second = [item["Attachable"] for item in body["AttachableResponse"]]
    assert first["FileName"] == "bill-100.pdf"  # the metadata wins over the part name
    assert second["FileName"] == "logo.png" and second["ContentType"] == "image/png"
    assert second["Size"] == len(png)
    url = api.get(f"{sandbox.api_base}/download/{second['Id']}").json()["TempDownloadUri"]
    assert requests.get(url, timeout=5).content == png


def test_links_are_signed_and_expire(sandbox, api):
    key = item_of(upload(sandbox, api, metadata()))["Attachable"]["Id"]
    url = api.get(f"{sandbox.api_base}/download/{key}").json()["TempDownloadUri"]
    assert requests.get(url.replace("signature=", "signature=0"), timeout=5).status_code == 403
    expired = sandbox.app.attachments.temp_url(sandbox.base_url, key, ttl=-1)
    assert requests.get(expired, timeout=5).status_code == 403
    gone = api.get(f"{sandbox.api_base}/download/987654")
    assert gone.status_code == 400 and gone.json()["Fault"]["Error"][0]["code"] == "610"


def test_faults_apply_and_nothing_is_stored(sandbox, api):
    sandbox.set_faults("error503=1")
    failed = upload(sandbox, api, metadata(), requestid="up-503")
    assert failed.status_code == 503
    sandbox.set_faults("")
    assert "Attachable" not in sandbox.stats()["entities"]


def test_files_survive_a_restart_and_go_with_a_delete(company):
    with start_sandbox(company, persist_delay=0.05) as first:
        att = item_of(upload(first, session_for(first), metadata()))["Attachable"]
    with start_sandbox(company, persist_delay=0.05) as second:
        api = session_for(second)
        url = api.get(f"{second.api_base}/download/{att['Id']}").json()["TempDownloadUri"]
        assert requests.get(url, timeout=5).content == PDF
        deleted = api.post(
            f"{second.api_base}/attachable",
            params={"operation": "delete"},
            json={"Id": att["Id"], "SyncToken": att["SyncToken"]},
        )
        assert deleted.json()["Attachable"]["status"] == "Deleted"
        assert not (company / "_attachments" / att["Id"]).exists()
        assert api.get(f"{second.api_base}/download/{att['Id']}").status_code == 400
