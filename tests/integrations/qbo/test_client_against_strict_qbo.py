"""Our client against QBO's strictness, as the sandbox reproduces it: CDC capped at 1,000
objects (and not the oldest ones), long `Id IN` queries, Intuit's void form per entity, fields
QBO cannot query (4001) and unsupported minor versions."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from apps.integrations.qbo.client import QboClient, new_request_id
from apps.integrations.qbo.errors import QboError, ValidationError
from apps.integrations.qbo.oauth import OAuthTokenSource, QboOAuth
from apps.integrations.retry import RetryPolicy
from apps.sandboxes.qbo import start_sandbox

N_OLDER, N_NEWER = 1500, 300  # 1,800 changes in the window: more than one CDC response holds


def _stamp(delta: timedelta) -> dict:
    moment = (datetime.now(UTC) - delta).isoformat(timespec="seconds")
    return {"CreateTime": moment, "LastUpdatedTime": moment}


def _company(directory):
    files = {
        "CompanyInfo": [{"Id": "1", "SyncToken": "0", "MetaData": _stamp(timedelta(days=90)),
                         "CompanyName": "Strict Co", "Country": "US"}],
        "Bill": [{"Id": str(1000 + i), "SyncToken": "0", "VendorRef": {"value": "5000"},
                  "TxnDate": "2026-10-01", "DueDate": "2026-10-31", "TotalAmt": 10,
                  "Balance": 10, "Line": [{"Id": "1", "Amount": 10,
                                           "DetailType": "AccountBasedExpenseLineDetail",
                                           "AccountBasedExpenseLineDetail": {
                                               "AccountRef": {"value": "7"}}}],
                  "MetaData": _stamp(timedelta(days=2, seconds=N_OLDER - i))}
                 for i in range(N_OLDER)],
        "Vendor": [{"Id": str(5000 + i), "SyncToken": "0", "DisplayName": f"Vendor {i}",
                    "Active": True, "Balance": 0, "MetaData": _stamp(timedelta(hours=3))}
                   for i in range(N_NEWER)],
        "Account": [{"Id": "35", "SyncToken": "0", "Name": "Checking", "AccountType": "Bank",
                     "CurrentBalance": 100, "Active": True,
                     "MetaData": _stamp(timedelta(days=90))},
                    {"Id": "7", "SyncToken": "0", "Name": "Software", "AccountType": "Expense",
                     "CurrentBalance": 0, "Active": True, "MetaData": _stamp(timedelta(days=90))},
                    {"Id": "33", "SyncToken": "0", "Name": "Accounts Payable",
                     "AccountType": "Accounts Payable", "CurrentBalance": 0, "Active": True,
                     "MetaData": _stamp(timedelta(days=90))}],
    }
    for name, rows in files.items():
        (directory / f"{name}.json").write_text(json.dumps({name: rows}))
    return directory


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    sb = start_sandbox(_company(tmp_path_factory.mktemp("strict")), port=0, persist=False)
    yield sb
    sb.stop()


@pytest.fixture
def client(sandbox):
    oauth = QboOAuth("client-abc", "secret-xyz", "http://localhost/callback",
                     sandbox.discovery_url)
    approved = requests.get(oauth.authorization_url("s"), allow_redirects=False, timeout=5)
    query = parse_qs(urlparse(approved.headers["Location"]).query)
    tokens = oauth.exchange_code(query["code"][0], query["realmId"][0])
    return QboClient(sandbox.base_url, sandbox.realm, OAuthTokenSource(oauth, tokens),
                     retry=RetryPolicy(max_attempts=2, base=0.01, cap=0.02))


def test_a_capped_cdc_holds_the_newest_changes_not_the_oldest(client):
    since = datetime.now(UTC) - timedelta(days=3)
    capped = client.cdc(["Bill", "Vendor"], since)
    assert capped.truncated
    assert len(capped["Vendor"]) == N_NEWER  # the newest are in …
    bills = {c["Id"] for c in capped["Bill"]}
    assert "1000" not in bills  # … the oldest are not: moving changedSince on skips them


def test_cdc_all_splits_and_falls_back_to_queries_so_nothing_is_skipped(client):
    since = datetime.now(UTC) - timedelta(days=3)
    gone = client.read("Bill", "1001")
    client.delete("Bill", "1001", gone["SyncToken"], request_id=new_request_id())
    client.stats.reset()
    result = client.cdc_all(["Bill", "Vendor", "Account"], since)
    bills = {c["Id"]: c for c in result["Bill"]}
    assert len(result["Vendor"]) == N_NEWER and result["Account"] == []
    assert set(bills) == {str(1000 + i) for i in range(N_OLDER)}  # every one, oldest too
    assert bills["1001"]["status"] == "Deleted"  # the deletion CDC showed is kept
    assert result.queried == {"Bill"} and result.time is not None
    # 1 capped CDC + one per entity + 2 query pages for the 1,499 remaining bills.
    assert client.stats.by_op["cdc"] == 4 and client.stats.by_op["query"] == 2


def test_long_id_lists_are_posted_not_put_in_the_url(client, sandbox):
    ids = [str(1000 + i) for i in range(300)]
    quoted = ", ".join(f"'{i}'" for i in ids)
    rows = client.query(f"SELECT * FROM Bill WHERE Id IN ({quoted}) MAXRESULTS 1000")
    assert {r["Id"] for r in rows} >= set(ids[2:])  # 1001 may have been deleted above
    # The same query in a URL is what proxies refuse; we never send one that long.
    url = requests.Request("GET", f"{sandbox.base_url}/v3/company/{sandbox.realm}/query",
                           params={"query": quoted}).prepare().url
    assert len(url) > 4000


def test_unknown_or_unqueryable_fields_are_refused_like_qbo(client):
    with pytest.raises(ValidationError) as unknown:
        client.query("SELECT * FROM Vendor WHERE Colour = 'blue'")
    assert unknown.value.code == "4001"
    with pytest.raises(ValidationError) as notes:  # a real Vendor field, but not filterable
        client.query("SELECT * FROM Vendor WHERE Notes = 'x'")
    assert notes.value.code == "4001"
    with pytest.raises(ValidationError):
        client.query("SELECT * FROM Bill ORDERBY PrivateNote")
    assert client.query("SELECT * FROM Vendor WHERE DisplayName = 'Vendor 7'")


def test_minorversion_above_the_highest_is_refused(sandbox, client):
    token = client.tokens.access_token()
    url = f"{sandbox.base_url}/v3/company/{sandbox.realm}/companyinfo/{sandbox.realm}"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    for value, status in (("75", 200), ("40", 200), ("76", 400), ("abc", 400)):
        answer = requests.get(url, params={"minorversion": value}, headers=headers, timeout=5)
        assert answer.status_code == status, value
    strict = QboClient(sandbox.base_url, sandbox.realm, client.tokens, minorversion=99,
                       retry=RetryPolicy(max_attempts=1))
    with pytest.raises(QboError):
        strict.company_info()


def test_bill_payment_void_uses_intuits_update_include_void_form(client, sandbox):
    vendor = client.create("Vendor", {"DisplayName": f"Void {uuid.uuid4().hex[:6]}"},
                           request_id=new_request_id())
    bill = client.create("Bill", {
        "VendorRef": {"value": vendor["Id"]}, "TxnDate": "2026-11-01",
        "Line": [{"Amount": 40, "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "35"}}}],
    }, request_id=new_request_id())
    payment = client.create("BillPayment", {
        "VendorRef": {"value": vendor["Id"]}, "PayType": "Check", "TotalAmt": 40,
        "CheckPayment": {"BankAccountRef": {"value": "35"}},
        "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}],
    }, request_id=new_request_id())
    token = client.tokens.access_token()
    refused = requests.post(
        f"{sandbox.base_url}/v3/company/{sandbox.realm}/billpayment",
        params={"operation": "void", "minorversion": 75},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        json={"Id": payment["Id"], "SyncToken": payment["SyncToken"]}, timeout=5)
    assert refused.status_code == 400 and "include=void" in refused.text
    voided = client.void("BillPayment", payment["Id"], payment["SyncToken"],
                         request_id=new_request_id())
    assert voided["TotalAmt"] == 0
    assert client.read("Bill", bill["Id"])["Balance"] == 40
