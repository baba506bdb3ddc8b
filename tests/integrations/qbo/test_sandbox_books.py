"""The QBO sandbox serves the real-books entities as QBO does: query, read, CDC, writes and
webhooks — CreditCardPayment under `CreditCardPaymentTxn`, exchange rates without an Id (query,
read endpoint, writes), journal entries with TotalAmt 0. Reached through our real client."""

import json
import queue
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from threading import Thread

import pytest
import requests

from apps.integrations.qbo.client import QboClient, StaticTokens
from apps.integrations.qbo.errors import NotFoundError, StaleObjectError, ValidationError
from apps.integrations.retry import RetryPolicy
from apps.sandboxes.qbo import start_sandbox
from tests.integrations.sync.books_company import write_books

NEW = ("JournalEntry", "VendorCredit", "SalesReceipt", "RefundReceipt", "CreditCardPayment",
       "ExchangeRate", "CompanyCurrency", "Class", "Department", "Employee")


@pytest.fixture
def receiver():
    got: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            got.put(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    server.shutdown()
    server.server_close()


@pytest.fixture
def sb(tmp_path, receiver):
    handle = start_sandbox(write_books(tmp_path / "co"), persist=False, webhook_url=receiver[0],
                           verifier_token="v")
    yield handle
    handle.stop()


@pytest.fixture
def client(sb):
    token = sb.issue_tokens()["access_token"]
    return QboClient(sb.base_url, sb.realm, StaticTokens(token),
                     retry=RetryPolicy(max_attempts=2, base=0.01, cap=0.02))


def raw_get(sb, client, path, **params):
    resp = requests.get(f"{sb.api_base}/{path}", params=params, timeout=5,
                        headers={"Authorization": f"Bearer {client.tokens.access_token()}"})
    return resp.json()


@pytest.mark.parametrize("entity", NEW)
def test_every_new_entity_is_queryable(client, entity):
    rows = [r for page in client.query_all(entity) for r in page]
    assert rows, entity


def test_credit_card_payment_travels_as_credit_card_payment_txn(sb, client):
    query = raw_get(sb, client, "query", query="select * from CreditCardPayment")
    assert list(query["QueryResponse"])[0] == "CreditCardPaymentTxn"
    assert "CreditCardPaymentTxn" in raw_get(sb, client, "creditcardpayment/841")
    assert client.read("CreditCardPayment", "841")["Amount"] == Decimal("157.72")
    made = client.create("CreditCardPayment", {
        "TxnDate": "2026-11-20", "Amount": 99.5, "BankAccountRef": {"value": "35"},
        "CreditCardAccountRef": {"value": "40"}}, request_id="ccp-1")
    assert made["Amount"] == Decimal("99.5") and made["Id"]
    gone = client.delete("CreditCardPayment", made["Id"], made["SyncToken"], request_id="ccp-2")
    assert gone["status"] == "Deleted"


def test_exchange_rates_have_no_id_and_are_read_by_currency_and_date(client):
    rows = client.query("select * from exchangerate where AsOfDate = '2026-11-01'")
    assert [(r["SourceCurrencyCode"], r["Rate"]) for r in rows] == [("EUR", Decimal("1.1"))]
    assert all("Id" not in r for r in client.query("select * from ExchangeRate"))
    assert client.exchange_rate("EUR", date(2026, 10, 20))["Rate"] == Decimal("1.08")
    assert client.exchange_rate("EUR", date(2026, 11, 1))["Rate"] == Decimal("1.1")
    assert client.exchange_rate("EUR")["AsOfDate"] == "2026-11-01"  # today: the latest
    with pytest.raises(NotFoundError):
        client.exchange_rate("EUR", date(2026, 9, 30))


def test_setting_a_rate_creates_or_updates_it_under_its_key(client):
    body = {"SourceCurrencyCode": "EUR", "AsOfDate": "2026-11-02", "Rate": 1.12}
    made = client.create("ExchangeRate", body, request_id="rate-1")
    assert made["TargetCurrencyCode"] == "USD" and made["SyncToken"] == "0"
    again = client.create("ExchangeRate", {**body, "Rate": 1.13, "SyncToken": "0"},
                          request_id="rate-2")
    assert again["SyncToken"] == "1"
    assert client.exchange_rate("EUR", date(2026, 11, 5))["Rate"] == Decimal("1.13")
    with pytest.raises(StaleObjectError):
        client.create("ExchangeRate", {**body, "SyncToken": "0"}, request_id="rate-3")


def test_journal_entries_report_total_zero_and_must_balance(client):
    lines = [
        {"Amount": 10, "DetailType": "JournalEntryLineDetail",
         "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "60"}}},
        {"Amount": 10, "DetailType": "JournalEntryLineDetail",
         "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "35"}}},
    ]
    made = client.create("JournalEntry", {"TxnDate": "2026-11-01", "Line": lines},
                         request_id="je-1")
    assert made["TotalAmt"] == 0
    assert all(r["TotalAmt"] == 0 for r in client.query("select * from JournalEntry"))
    lines[1]["Amount"] = 9
    with pytest.raises(ValidationError):
        client.create("JournalEntry", {"TxnDate": "2026-11-01", "Line": lines},
                      request_id="je-2")


def test_cdc_and_webhooks_include_the_new_entities(sb, client, receiver):
    since = datetime.now(UTC) - timedelta(minutes=1)
    requests.post(f"{sb.base_url}/_sandbox/mutate", timeout=5, json={
        "entity": "VendorCredit", "id": "811", "set": {"Balance": 20}})
    requests.post(f"{sb.base_url}/_sandbox/mutate", timeout=5, json={
        "entity": "CreditCardPayment", "id": "841", "operation": "delete"})
    requests.post(f"{sb.base_url}/_sandbox/mutate", timeout=5, json={
        "entity": "Employee", "id": "901", "set": {"DisplayName": "Jane Q. Doe"}})
    result = client.cdc(["VendorCredit", "CreditCardPayment", "Employee", "JournalEntry"], since)
    assert [r["Balance"] for r in result["VendorCredit"]] == [20]
    assert result["CreditCardPayment"] == [
        {"domain": "QBO", "status": "Deleted", "Id": "841",
         "MetaData": result["CreditCardPayment"][0]["MetaData"]}]
    assert result["Employee"][0]["DisplayName"] == "Jane Q. Doe"
    with pytest.raises(ValidationError):
        client.cdc(["ExchangeRate"], since)  # no Id to report by: read rates by AsOfDate
    # Besides the three changes: the card payment's bank and card balances moved back, and the
    # vendor's balance with the credit's (side effects touch those rows, as payments do).
    events = []
    while len(events) < 6:
        events += receiver[1].get(timeout=5)
    assert sorted(e["type"] for e in events) == [
        "qbo.account.updated.v1", "qbo.account.updated.v1",
        "qbo.creditcardpayment.deleted.v1", "qbo.employee.updated.v1",
        "qbo.vendor.updated.v1", "qbo.vendorcredit.updated.v1"]
