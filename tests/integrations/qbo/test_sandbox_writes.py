"""Create/update/SyncToken/sparse, requestid idempotency, delete/void + CDC, batch, effects."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests

from apps.sandboxes.qbo import start_sandbox
from apps.sandboxes.qbo.fixtures import small_company


@pytest.fixture
def sandbox(tmp_path):
    small_company(tmp_path / "co")
    handle = start_sandbox(tmp_path / "co", persist_delay=0.05)
    yield handle
    handle.stop()


@pytest.fixture
def api(sandbox):
    session = requests.Session()
    token = sandbox.issue_tokens()["access_token"]
    session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
    return session


def post(sandbox, api, path, body, **params):
    params.setdefault("minorversion", 75)
    return api.post(f"{sandbox.api_base}/{path}", json=body, params=params)


def read(sandbox, api, entity, key):
    return api.get(f"{sandbox.api_base}/{entity}/{key}").json()


NEW_BILL = {
    "VendorRef": {"value": "1"},
    "DueDate": "2026-12-20",
    "Line": [
        {
            "Amount": 250.75,
            "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "11"}},
        }
    ],
}


def test_create_assigns_id_synctoken_metadata_and_totals(sandbox, api):
    response = post(sandbox, api, "bill", NEW_BILL)
    assert response.status_code == 200
    bill = response.json()["Bill"]
    assert bill["Id"] == "110" and bill["SyncToken"] == "0"
    assert bill["MetaData"]["CreateTime"] == bill["MetaData"]["LastUpdatedTime"]
    assert bill["TotalAmt"] == 250.75 and bill["Balance"] == 250.75
    assert read(sandbox, api, "bill", "110")["Bill"] == bill
    vendor = read(sandbox, api, "vendor", "1")["Vendor"]
    assert vendor["Balance"] == 100 + 102 + 104 + 250.75


def test_update_needs_current_synctoken(sandbox, api):
    bill = read(sandbox, api, "bill", "100")["Bill"]
    bill["DueDate"] = "2027-01-15"
    first = post(sandbox, api, "bill", bill)
    assert first.status_code == 200 and first.json()["Bill"]["SyncToken"] == "1"
    stale = post(sandbox, api, "bill", bill)  # still SyncToken "0"
    assert stale.status_code == 400
    fault = stale.json()["Fault"]
    assert fault["type"] == "ValidationFault" and fault["Error"][0]["code"] == "5010"
    missing = post(sandbox, api, "bill", {**bill, "SyncToken": None})
    assert missing.status_code == 400 and missing.json()["Fault"]["Error"][0]["code"] == "2020"


def test_sparse_update_merges_and_full_update_replaces(sandbox, api):
    sparse = post(
        sandbox,
        api,
        "invoice",
        {"Id": "105", "SyncToken": "0", "sparse": True, "PrivateNote": "call Monday"},
    ).json()["Invoice"]
    assert sparse["PrivateNote"] == "call Monday" and sparse["DocNumber"] == "1000"
    full = {
        "Id": "105",
        "SyncToken": "1",
        "CustomerRef": {"value": "3"},
        "Line": [{"Amount": 900, "DetailType": "SalesItemLineDetail"}],
    }
    replaced = post(sandbox, api, "invoice", full).json()["Invoice"]
    assert "PrivateNote" not in replaced and "DocNumber" not in replaced
    assert replaced["TotalAmt"] == 900 and replaced["Balance"] == 900
    assert replaced["MetaData"]["CreateTime"] == sparse["MetaData"]["CreateTime"]


def test_requestid_replays_first_response_without_new_entity(sandbox, api):
    first = post(sandbox, api, "bill", NEW_BILL, requestid="rid-1")
    again = post(sandbox, api, "bill", NEW_BILL, requestid="rid-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    other = post(sandbox, api, "bill", NEW_BILL, requestid="rid-2")
    assert other.json()["Bill"]["Id"] != first.json()["Bill"]["Id"]
    count = api.get(
        f"{sandbox.api_base}/query", params={"query": "select count(*) from Bill"}
    ).json()
    assert count["QueryResponse"]["totalCount"] == 7
    assert sandbox.stats()["idempotent_replays"] == 1


def test_payment_reduces_invoice_customer_and_moves_bank(sandbox, api):
    payment = {
        "CustomerRef": {"value": "3"},
        "TotalAmt": 400,
        "DepositToAccountRef": {"value": "10"},
        "Line": [{"Amount": 400, "LinkedTxn": [{"TxnId": "105", "TxnType": "Invoice"}]}],
    }
    created = post(sandbox, api, "payment", payment).json()["Payment"]
    invoice = read(sandbox, api, "invoice", "105")["Invoice"]
    assert invoice["Balance"] == 600 and invoice["SyncToken"] == "1"
    assert {"TxnId": created["Id"], "TxnType": "Payment"} in invoice["LinkedTxn"]
    assert read(sandbox, api, "account", "10")["Account"]["CurrentBalance"] == 50400
    voided = post(
        sandbox,
        api,
        "payment",
        {"Id": created["Id"], "SyncToken": "0", "sparse": True},
        operation="update",
        include="void",
    )
    assert voided.json()["Payment"]["TotalAmt"] == 0
    assert read(sandbox, api, "invoice", "105")["Invoice"]["Balance"] == 1000
    assert read(sandbox, api, "account", "10")["Account"]["CurrentBalance"] == 50000
    too_much = {
        **payment,
        "TotalAmt": 5000,
        "Line": [{"Amount": 5000, "LinkedTxn": [{"TxnId": "105", "TxnType": "Invoice"}]}],
    }
    assert post(sandbox, api, "payment", too_much).status_code == 400
    bad_ref = {
        **payment,
        "Line": [{"Amount": 1, "LinkedTxn": [{"TxnId": "424242", "TxnType": "Invoice"}]}],
    }
    assert post(sandbox, api, "payment", bad_ref).json()["Fault"]["Error"][0]["code"] == "2500"


def test_bill_payment_by_check(sandbox, api):
    body = {
        "VendorRef": {"value": "1"},
        "PayType": "Check",
        "TotalAmt": 100,
        "CheckPayment": {"BankAccountRef": {"value": "10"}},
        "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": "100", "TxnType": "Bill"}]}],
    }
    assert post(sandbox, api, "billpayment", body).status_code == 200
    bill = read(sandbox, api, "bill", "100")["Bill"]
    assert bill["Balance"] == 0 and bill["LinkedTxn"][0]["TxnType"] == "BillPaymentCheck"
    assert read(sandbox, api, "account", "10")["Account"]["CurrentBalance"] == 49900


def test_delete_and_void_show_in_cdc(sandbox, api):
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    deleted = post(sandbox, api, "bill", {"Id": "101", "SyncToken": "0"}, operation="delete")
    assert deleted.json()["Bill"] == {"status": "Deleted", "domain": "QBO", "Id": "101"}
    assert api.get(f"{sandbox.api_base}/bill/101").status_code == 400
    voided = post(sandbox, api, "invoice", {"Id": "106", "SyncToken": "0"}, operation="void")
    assert voided.json()["Invoice"]["Balance"] == 0
    assert voided.json()["Invoice"]["PrivateNote"] == "Voided"
    cannot = post(sandbox, api, "customer", {"Id": "3", "SyncToken": "0"}, operation="delete")
    assert cannot.status_code == 400
    cdc = api.get(
        f"{sandbox.api_base}/cdc",
        params={"entities": "Bill,Invoice,Customer", "changedSince": since},
    ).json()
    groups = {
        next(k for k in g if k not in ("startPosition", "maxResults")): g
        for g in cdc["CDCResponse"][0]["QueryResponse"]
    }
    assert groups["Bill"]["Bill"][0] == {
        "domain": "QBO",
        "status": "Deleted",
        "Id": "101",
        "MetaData": groups["Bill"]["Bill"][0]["MetaData"],
    }
    assert [i["Id"] for i in groups["Invoice"]["Invoice"]] == ["106"]
    assert [c["Id"] for c in groups["Customer"]["Customer"]] == ["4"]  # its Balance moved
    assert "time" in cdc


def test_cdc_empty_and_window_limit(sandbox, api):
    now = datetime.now(UTC).isoformat()
    empty = api.get(f"{sandbox.api_base}/cdc", params={"entities": "Bill", "changedSince": now})
    assert empty.json()["CDCResponse"] == [{"QueryResponse": [{}]}]
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    too_old = api.get(f"{sandbox.api_base}/cdc", params={"entities": "Bill", "changedSince": old})
    assert too_old.status_code == 400 and "Fault" in too_old.json()


def test_batch_mixed_items_and_limit(sandbox, api):
    items = [
        {"bId": "b1", "operation": "create", "Bill": NEW_BILL},
        {"bId": "b2", "Query": "select * from Vendor where Id = '2'"},
        {
            "bId": "b3",
            "operation": "update",
            "Bill": {"Id": "100", "SyncToken": "7", "sparse": True, "Memo": "x"},
        },
        {"bId": "b4", "operation": "delete", "Bill": {"Id": "102", "SyncToken": "0"}},
    ]
    response = post(sandbox, api, "batch", {"BatchItemRequest": items})
    assert response.status_code == 200
    out = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert out["b1"]["Bill"]["Id"] == "110"
    assert out["b2"]["QueryResponse"]["Vendor"][0]["DisplayName"] == "Cloud SaaS"
    assert out["b3"]["Fault"]["Error"][0]["code"] == "5010"
    assert out["b4"]["Bill"]["status"] == "Deleted"
    too_many = [{"bId": str(i), "Query": "select * from Bill"} for i in range(31)]
    over = post(sandbox, api, "batch", {"BatchItemRequest": too_many})
    assert over.status_code == 400 and over.json()["Fault"]["type"] == "ValidationFault"


def test_invoice_send_and_pdf(sandbox, api):
    sent = api.post(
        f"{sandbox.api_base}/invoice/105/send",
        params={"sendTo": "ap@acme.example", "minorversion": 75},
    )
    invoice = sent.json()["Invoice"]
    assert invoice["EmailStatus"] == "EmailSent"
    assert invoice["BillEmail"]["Address"] == "ap@acme.example"
    pdf = api.get(f"{sandbox.api_base}/invoice/105/pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and pdf.content.rstrip().endswith(b"%%EOF")


def test_writes_persist_to_directory(tmp_path):
    small_company(tmp_path / "co")
    sb = start_sandbox(tmp_path / "co", persist_delay=5)
    headers = {"Authorization": "Bearer " + sb.issue_tokens()["access_token"]}
    created = requests.post(f"{sb.api_base}/bill", json=NEW_BILL, headers=headers).json()
    sb.stop()  # clean shutdown flushes despite the long debounce
    saved = json.loads((tmp_path / "co" / "Bill.json").read_text())
    assert created["Bill"]["Id"] in [b["Id"] for b in saved["Bill"]]
    assert not [p for p in (tmp_path / "co").iterdir() if ".tmp" in p.name]
    again = start_sandbox(tmp_path / "co", persist=False)
    try:
        assert again.realm == sb.realm
        headers = {"Authorization": "Bearer " + again.issue_tokens()["access_token"]}
        assert (
            requests.post(f"{again.api_base}/bill", json=NEW_BILL, headers=headers).json()["Bill"][
                "Id"
            ]
            == "111"
        )
    finally:
        again.stop()


def test_zero_payment_applies_a_credit_memo_to_an_invoice(sandbox, api):
    customer_id = read(sandbox, api, "invoice", "105")["Invoice"]["CustomerRef"]["value"]
    start = read(sandbox, api, "customer", customer_id)["Customer"]["Balance"]
    memo = post(sandbox, api, "creditmemo", {
        "CustomerRef": {"value": customer_id},
        "Line": [{"Amount": 150, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}],
    }).json()["CreditMemo"]
    assert memo["TotalAmt"] == 150 and memo["RemainingCredit"] == 150 and memo["Balance"] == 150
    assert read(sandbox, api, "customer", customer_id)["Customer"]["Balance"] == start - 150

    apply = {
        "CustomerRef": {"value": customer_id},
        "TotalAmt": 0,
        "Line": [
            {"Amount": 100, "LinkedTxn": [{"TxnId": "105", "TxnType": "Invoice"}]},
            {"Amount": 100, "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]},
        ],
    }
    payment = post(sandbox, api, "payment", apply).json()["Payment"]
    assert payment["TotalAmt"] == 0 and payment["UnappliedAmt"] == 0
    assert read(sandbox, api, "invoice", "105")["Invoice"]["Balance"] == 900
    after = read(sandbox, api, "creditmemo", memo["Id"])["CreditMemo"]
    assert after["RemainingCredit"] == 50 and after["Balance"] == 50
    assert {"TxnId": payment["Id"], "TxnType": "Payment"} in after["LinkedTxn"]
    # The credit was already off the customer's balance: applying it moves nothing there.
    assert read(sandbox, api, "customer", customer_id)["Customer"]["Balance"] == start - 150

    too_much = {**apply, "Line": [
        {"Amount": 60, "LinkedTxn": [{"TxnId": "105", "TxnType": "Invoice"}]},
        {"Amount": 60, "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]},
    ]}
    refused = post(sandbox, api, "payment", too_much)
    assert refused.status_code == 400 and "remaining credit" in refused.text
    assert read(sandbox, api, "invoice", "105")["Invoice"]["Balance"] == 900

    post(sandbox, api, "payment", {"Id": payment["Id"], "SyncToken": "0", "sparse": True},
         operation="update", include="void")
    assert read(sandbox, api, "invoice", "105")["Invoice"]["Balance"] == 1000
    assert read(sandbox, api, "creditmemo", memo["Id"])["CreditMemo"]["RemainingCredit"] == 150


def test_sparse_update_adding_an_invoice_line_applies_an_unapplied_payment(sandbox, api):
    customer_id = read(sandbox, api, "invoice", "105")["Invoice"]["CustomerRef"]["value"]
    overpaid = post(sandbox, api, "payment", {
        "CustomerRef": {"value": customer_id}, "TotalAmt": 250,
    }).json()["Payment"]
    assert overpaid["UnappliedAmt"] == 250

    to_105 = {"Amount": 120, "LinkedTxn": [{"TxnId": "105", "TxnType": "Invoice"}]}
    applied = post(sandbox, api, "payment", {  # QBO's way: a sparse update adding the line
        "Id": overpaid["Id"], "SyncToken": overpaid["SyncToken"], "sparse": True,
        "Line": [to_105],
    }, operation="update").json()["Payment"]
    assert applied["UnappliedAmt"] == 130 and applied["TotalAmt"] == 250
    invoice = read(sandbox, api, "invoice", "105")["Invoice"]
    assert invoice["Balance"] == 880
    assert {"TxnId": overpaid["Id"], "TxnType": "Payment"} in invoice["LinkedTxn"]

    grown = post(sandbox, api, "payment", {
        "Id": applied["Id"], "SyncToken": applied["SyncToken"], "sparse": True,
        "Line": [{**to_105, "Amount": 220}],  # the line to 105 grows by 100
    }, operation="update").json()["Payment"]
    assert grown["UnappliedAmt"] == 30
    assert read(sandbox, api, "invoice", "105")["Invoice"]["Balance"] == 780

    too_much = post(sandbox, api, "payment", {
        "Id": grown["Id"], "SyncToken": grown["SyncToken"], "sparse": True,
        "Line": [{**to_105, "Amount": 260}],
    }, operation="update")
    assert too_much.status_code == 400 and "unapplied amount" in too_much.text
    kept = read(sandbox, api, "payment", grown["Id"])["Payment"]
    assert kept["UnappliedAmt"] == 30 and kept["SyncToken"] == grown["SyncToken"]
    assert read(sandbox, api, "invoice", "105")["Invoice"]["Balance"] == 780

    voided = post(sandbox, api, "payment", {"Id": kept["Id"], "SyncToken": kept["SyncToken"],
                                            "sparse": True}, operation="update", include="void")
    assert voided.json()["Payment"]["UnappliedAmt"] == 0
    assert read(sandbox, api, "invoice", "105")["Invoice"]["Balance"] == 1000
