"""Webhook signatures and deliveries in both QBO formats."""

import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from apps.sandboxes.qbo import sign_webhook_body, start_sandbox
from apps.sandboxes.qbo.fixtures import small_company

VERIFIER = "00faeec4-08d0-4996-bb37-698ae19f0149"


def test_signature_matches_intuit_test_vectors():
    body = (
        b'{"eventNotifications":[{"realmId":"1269959970","dataChangeEvent":{"entities":['
        b'{"name":"Vendor","id":"40","operation":"Update","lastUpdated":'
        b'"2016-10-05T03:09:04.000Z"},{"name":"Customer","id":"43","operation":"Create",'
        b'"lastUpdated":"2016-10-05T03:07:04.000Z"}]}}]}'
    )
    assert sign_webhook_body(body, VERIFIER) == "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM="
    assert (
        sign_webhook_body('{"stuff":"5"}', "verify_me")
        == "nfPLN16u3vMvv08ghDs+dOkLuirEVDy5wAeG/lmM2OA="
    )


@pytest.fixture
def receiver():
    received: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/qbo", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox(tmp_path, receiver):
    small_company(tmp_path / "co", bills=2, invoices=2)
    handle = start_sandbox(
        tmp_path / "co", persist=False, webhook_url=receiver[0], verifier_token=VERIFIER
    )
    yield handle
    handle.stop()


def check_signed(headers, body):
    assert headers["intuit-signature"] == sign_webhook_body(body, VERIFIER)
    return json.loads(body)


def test_api_write_emits_signed_cloudevents(sandbox, receiver):
    token = sandbox.issue_tokens()["access_token"]
    requests.post(
        f"{sandbox.api_base}/vendor",
        json={"DisplayName": "New Vendor"},
        headers={"Authorization": f"Bearer {token}"},
    )
    headers, body = receiver[1].get(timeout=5)
    events = check_signed(headers, body)
    assert isinstance(events, list) and len(events) == 1
    event = events[0]
    assert event["specversion"] == "1.0" and event["type"] == "qbo.vendor.created.v1"
    assert event["intuitaccountid"] == sandbox.realm and event["intuitentityid"] == "104"
    assert {"id", "source", "time", "datacontenttype", "data"} <= set(event)


def test_mutate_emits_legacy_format(sandbox, receiver):
    requests.post(f"{sandbox.base_url}/_sandbox/webhook/config", json={"format": "legacy"})
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/mutate",
        json={"entity": "Invoice", "id": "102", "set": {"DueDate": "2027-02-01"}},
    )
    assert response.json()["Invoice"]["DueDate"] == "2027-02-01"
    assert response.json()["Invoice"]["SyncToken"] == "1"
    headers, body = receiver[1].get(timeout=5)
    doc = check_signed(headers, body)
    notification = doc["eventNotifications"][0]
    assert notification["realmId"] == sandbox.realm
    entity = notification["dataChangeEvent"]["entities"][0]
    assert (entity["name"], entity["id"], entity["operation"]) == ("Invoice", "102", "Update")
    assert entity["lastUpdated"]


def test_manual_webhook_and_log(sandbox, receiver):
    requests.post(f"{sandbox.base_url}/_sandbox/webhook/config", json={"auto": False})
    delivered = requests.post(
        f"{sandbox.base_url}/_sandbox/webhook",
        json={"entities": [{"name": "Bill", "id": "100", "operation": "Delete"}]},
    ).json()
    assert delivered["status"] == 200
    headers, body = receiver[1].get(timeout=5)
    events = check_signed(headers, body)
    assert events[0]["type"] == "qbo.bill.deleted.v1"
    assert body.decode() == delivered["body"]
    log = requests.get(f"{sandbox.base_url}/_sandbox/webhook/log").json()["deliveries"]
    assert log[-1]["signature"] == headers["intuit-signature"]
