"""QboClient.upload_attachment / download_attachment against the real sandbox over HTTP."""

import hashlib

import pytest

from apps.integrations.qbo.client import QboClient, StaticTokens, new_request_id
from apps.integrations.qbo.errors import TransportError, ValidationError
from apps.integrations.retry import RetryPolicy
from apps.sandboxes.qbo import start_sandbox
from apps.sandboxes.qbo.fixtures import small_company

FAST_RETRY = RetryPolicy(max_attempts=4, base=0.01, cap=0.05)
PDF = b"%PDF-1.7\n" + b"scanned bill \x00\xff\r\n--boundary-like--\r\n" * 500 + b"%%EOF\n"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    directory = tmp_path_factory.mktemp("qbo-attach")
    small_company(directory)
    sb = start_sandbox(directory, persist=False)
    yield sb
    sb.stop()


@pytest.fixture
def client(sandbox):
    sandbox.set_faults("")
    tokens = StaticTokens(sandbox.issue_tokens()["access_token"])
    yield QboClient(sandbox.base_url, sandbox.realm, tokens, retry=FAST_RETRY)
    sandbox.set_faults("")


def attachments_of(client, bill_id):
    return client.query(
        f"SELECT * FROM Attachable WHERE AttachableRef.EntityRef.value = '{bill_id}'"
    )


def upload(client, key, *, bill="100", data=PDF, content_type="application/pdf"):
    return client.upload_attachment(
        entity="Bill", entity_id=bill, filename='bill "A".pdf', content_type=content_type,
        data=data, request_id=key, note="sha256 check",
    )


def test_upload_then_download_gives_the_same_bytes(client):
    att = upload(client, new_request_id(), bill="101")
    assert att["Size"] == len(PDF) and att["FileName"] == "bill \"A\".pdf"
    assert att["Note"] == "sha256 check"
    assert att["AttachableRef"][0]["EntityRef"] == {"type": "Bill", "value": "101"}
    got = client.download_attachment(att["Id"])
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert [a["Id"] for a in attachments_of(client, "101")] == [att["Id"]]
    assert client.stats.by_op["upload"] == 1


def test_same_request_id_is_one_attachment(client):
    key = new_request_id()
    first = upload(client, key, bill="102")
    again = upload(client, key, bill="102")
    assert again["Id"] == first["Id"] and len(attachments_of(client, "102")) == 1


def test_lost_responses_are_retried_with_the_same_requestid(client, sandbox):
    # "drop": the sandbox stores the file, then closes the socket without answering.
    sandbox.set_faults("drop=1")
    key = new_request_id()
    with pytest.raises(TransportError) as exc:
        upload(client, key, bill="103")
    assert exc.value.ambiguous is True
    assert client.stats.requests == FAST_RETRY.max_attempts  # same body, same requestid
    sandbox.set_faults("")
    assert len(attachments_of(client, "103")) == 1
    again = upload(client, key, bill="103")  # the reconciler's re-send: QBO's first answer
    assert [a["Id"] for a in attachments_of(client, "103")] == [again["Id"]]
    assert client.download_attachment(again["Id"]) == PDF


def test_refused_files_raise_typed_errors_without_retrying(client):
    with pytest.raises(ValidationError) as exc:
        upload(client, new_request_id(), content_type="application/zip")
    assert exc.value.code == "2010"
    with pytest.raises(ValidationError) as exc:
        upload(client, new_request_id(), bill="99999")
    assert exc.value.code == "2500"
    assert client.stats.requests == 2
