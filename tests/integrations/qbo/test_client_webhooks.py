"""Webhook signature (Intuit's own test vectors) and both payload formats."""

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from apps.integrations.qbo.webhooks import (
    EntityChange,
    WebhookPayloadError,
    changes_by_realm,
    parse_notifications,
    sign,
    verify_signature,
)
from apps.sandboxes.qbo import start_sandbox

LEGACY = (
    b'{"eventNotifications":[{"realmId":"1269959970","dataChangeEvent":{"entities":[{"name":'
    b'"Vendor","id":"40","operation":"Update","lastUpdated":"2016-10-05T03:09:04.000Z"},'
    b'{"name":"Customer","id":"43","operation":"Create","lastUpdated":"2016-10-05T03:07:04.000Z"}'
    b"]}}]}"
)
VERIFIER = "00faeec4-08d0-4996-bb37-698ae19f0149"


def test_dotnet_sdk_vector():
    assert sign(LEGACY, VERIFIER) == "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM="
    assert verify_signature(LEGACY, "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=", VERIFIER)


def test_python_quickbooks_vector():
    good = "nfPLN16u3vMvv08ghDs+dOkLuirEVDy5wAeG/lmM2OA="
    assert verify_signature(b'{"stuff":"5"}', good, "verify_me")


@pytest.mark.parametrize(
    "body,header,token",
    [
        (LEGACY + b" ", "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=", VERIFIER),  # body changed
        (LEGACY, "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=", "other-token"),
        (LEGACY, "", VERIFIER),
        (LEGACY, None, VERIFIER),
        (LEGACY, "not base64 ☃", VERIFIER),
        (LEGACY, "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=", ""),
    ],
)
def test_bad_signatures_rejected(body, header, token):
    assert verify_signature(body, header, token) is False


def test_legacy_format():
    changes = parse_notifications(LEGACY)
    assert changes == [
        EntityChange(
            "1269959970", "Vendor", "40", "Update", datetime(2016, 10, 5, 3, 9, 4, tzinfo=UTC)
        ),
        EntityChange(
            "1269959970", "Customer", "43", "Create", datetime(2016, 10, 5, 3, 7, 4, tzinfo=UTC)
        ),
    ]


def test_legacy_several_realms_and_offset_without_colon():
    body = {
        "eventNotifications": [
            {"realmId": "1", "dataChangeEvent": {"entities": [
                {"name": "Bill", "id": "5", "operation": "Delete",
                 "lastUpdated": "2015-10-05T14:42:19-0700"}]}},
            {"realmId": "2", "dataChangeEvent": {"entities": [
                {"name": "Customer", "id": "9", "operation": "Merge", "deletedId": "8",
                 "lastUpdated": "2015-10-05T14:42:19-0700"}]}},
        ]
    }
    changes = parse_notifications(json.dumps(body).encode())
    assert [(c.realm_id, c.entity, c.id, c.operation) for c in changes] == [
        ("1", "Bill", "5", "Delete"),
        ("2", "Customer", "9", "Merge"),
    ]
    assert changes[1].deleted_id == "8"
    assert changes[0].last_updated.utcoffset().total_seconds() == -7 * 3600


def test_cloudevents_array_spanning_realms():
    events = [
        {"specversion": "1.0", "id": "e1", "source": "intuit.x",
         "type": "qbo.billpayment.created.v1",
         "datacontenttype": "application/json", "time": "2025-09-10T21:31:25.179851517Z",
         "intuitentityid": "1234", "intuitaccountid": "310687", "data": {}},
        {"specversion": "1.0", "id": "e2", "type": "qbo.invoice.emailed.v1",
         "time": "2025-09-10T21:31:26Z", "intuitentityid": 77, "intuitaccountid": 999, "data": {}},
        {"specversion": "1.0", "id": "e3", "type": "qbo.creditmemo.deleted.v1",
         "time": "2025-09-10T21:31:27Z", "intuitentityid": "5", "intuitaccountid": "310687"},
        {"specversion": "1.0", "id": "e4", "type": "qbo.payment.voided.v1",
         "intuitentityid": "6", "intuitaccountid": "310687"},
    ]
    changes = parse_notifications(json.dumps(events))
    assert [(c.realm_id, c.entity, c.id, c.operation, c.event_id) for c in changes] == [
        ("310687", "BillPayment", "1234", "Create", "e1"),
        ("999", "Invoice", "77", "Emailed", "e2"),
        ("310687", "CreditMemo", "5", "Delete", "e3"),
        ("310687", "Payment", "6", "Void", "e4"),
    ]
    assert changes[0].last_updated == datetime(2025, 9, 10, 21, 31, 25, 179851, tzinfo=UTC)
    assert changes[3].last_updated is None
    assert changes_by_realm(changes) == {
        "310687": {"BillPayment": {"1234"}, "CreditMemo": {"5"}, "Payment": {"6"}},
        "999": {"Invoice": {"77"}},
    }


def test_empty_deliveries():
    assert parse_notifications(b"[]") == []
    assert parse_notifications(b'{"eventNotifications":[]}') == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"something": 1}',
        b'[{"specversion": "1.0", "type": "other.bill.created.v1"}]',
        b'[{"specversion": "1.0", "type": "qbo.bill.created.v1", "intuitaccountid": "1"}]',
        b'{"eventNotifications":[{"dataChangeEvent":{"entities":[]}}]}',
        b'{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Bill"}]}}]}',
    ],
)
def test_malformed_payloads_raise(body):
    with pytest.raises(WebhookPayloadError):
        parse_notifications(body)


# --- deliveries from the real QBO sandbox ---------------------------------------------------

@pytest.fixture
def receiver():
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((body, self.headers.get("intuit-signature")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/qbo/webhook", got
    server.shutdown()


@pytest.mark.parametrize("fmt", ["cloudevents", "legacy"])
def test_sandbox_deliveries_verify_and_parse(tmp_path, receiver, fmt):
    url, got = receiver
    (tmp_path / "Vendor.json").write_text('{"Vendor": []}')
    with start_sandbox(tmp_path, port=0, persist=False, webhook_url=url,
                       verifier_token="vt-123", webhook_format=fmt) as sb:
        resp = requests.post(
            f"{sb.base_url}/_sandbox/webhook",
            json={"entities": [{"name": "Bill", "id": "12", "operation": "Update"},
                               {"name": "BillPayment", "id": "13", "operation": "Create"}]},
            timeout=5,
        )
        assert resp.json()["status"] == 200
        realm = sb.realm
    body, signature = got[-1]
    assert verify_signature(body, signature, "vt-123")
    assert not verify_signature(body, signature, "wrong")
    changes = parse_notifications(body)
    assert [(c.realm_id, c.entity, c.id, c.operation) for c in changes] == [
        (realm, "Bill", "12", "Update"),
        (realm, "BillPayment", "13", "Create"),
    ]
