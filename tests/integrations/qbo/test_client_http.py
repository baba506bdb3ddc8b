"""QboClient against the real QBO sandbox server over HTTP (started in-process, free port)."""

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import redis
import requests
from django.conf import settings

from apps.integrations.qbo.client import (
    QboClient,
    batch_item_error,
    new_request_id,
    qbo_literal,
)
from apps.integrations.qbo.dtos import Deleted, MappingError, parse_entity
from apps.integrations.qbo.errors import (
    AuthenticationError,
    NotFoundError,
    StaleObjectError,
    ThrottledError,
    TransportError,
    ValidationError,
)
from apps.integrations.qbo.oauth import OAuthTokenSource, QboOAuth
from apps.integrations.retry import RetryPolicy
from apps.integrations.sync.limiter import RedisRateLimiter
from apps.sandboxes.qbo import start_sandbox

N_CUSTOMERS = 2345
FAST_RETRY = RetryPolicy(max_attempts=4, base=0.01, cap=0.05)


def meta(days_ago=40):
    stamp = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return {"CreateTime": stamp, "LastUpdatedTime": stamp}


def write_company(directory):
    files = {
        "CompanyInfo": [{"Id": "1", "SyncToken": "0", "MetaData": meta(),
                         "CompanyName": "Acme Agency",
                         "Country": "US", "FiscalYearStartMonth": "January",
                         "CompanyStartDate": "2019-01-01"}],
        "Preferences": [{"Id": "1", "SyncToken": "0", "MetaData": meta(),
                         "CurrencyPrefs": {"HomeCurrency": {"value": "USD"},
                                           "MultiCurrencyEnabled": False}}],
        "Account": [
            {"Id": "35", "SyncToken": "0", "MetaData": meta(), "Name": "Checking",
             "AccountType": "Bank", "AccountSubType": "Checking", "CurrentBalance": 10000,
             "Active": True, "Classification": "Asset", "CurrencyRef": {"value": "USD"}},
            {"Id": "33", "SyncToken": "0", "MetaData": meta(), "Name": "Accounts Payable",
             "AccountType": "Accounts Payable", "CurrentBalance": 0, "Active": True},
            {"Id": "7", "SyncToken": "0", "MetaData": meta(), "Name": "Software",
             "AccountType": "Expense", "CurrentBalance": 0, "Active": True},
        ],
        "Vendor": [{"Id": "56", "SyncToken": "0", "MetaData": meta(), "DisplayName": "SaaS Co",
                    "Balance": 0, "Active": True},
                   {"Id": "57", "SyncToken": "0", "MetaData": meta(), "DisplayName": "Quiet Co",
                    "Balance": 0, "Active": True}],
        "Customer": [
            {"Id": str(1000 + i), "SyncToken": "0", "MetaData": meta(),
             "DisplayName": f"Customer {i:05d}", "Balance": 0, "Active": True,
             "SomeFieldWeIgnore": {"nested": [1, 2]}}
            for i in range(N_CUSTOMERS)
        ],
        "Invoice": [{"Id": "130", "SyncToken": "0", "MetaData": meta(),
                     "CustomerRef": {"value": "1000"}, "TxnDate": "2026-01-10",
                     "DueDate": "2026-02-09", "TotalAmt": 362.07, "Balance": 362.07,
                     "EmailStatus": "NeedToSend",
                     "Line": [{"Amount": 362.07, "DetailType": "SalesItemLineDetail",
                               "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]}],
        "Bill": [],
    }
    for entity, rows in files.items():
        (directory / f"{entity}.json").write_text(json.dumps({entity: rows}))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    directory = tmp_path_factory.mktemp("qbo-company")
    write_company(directory)
    sb = start_sandbox(directory, port=0, persist=False)
    yield sb
    sb.stop()


def connect(sb):
    """The real OAuth flow: authorize (auto-approved) → code → tokens, via intuit-oauth."""
    oauth = QboOAuth("client-abc", "secret-xyz", "http://localhost/callback", sb.discovery_url)
    resp = requests.get(oauth.authorization_url("state-123"), allow_redirects=False, timeout=5)
    assert resp.status_code == 302
    query = parse_qs(urlparse(resp.headers["Location"]).query)
    assert query["state"] == ["state-123"]
    return oauth, oauth.exchange_code(query["code"][0], query["realmId"][0])


@pytest.fixture(scope="module")
def token_source(sandbox):
    oauth, tokens = connect(sandbox)
    return OAuthTokenSource(oauth, tokens)


@pytest.fixture
def client(sandbox, token_source):
    requests.post(f"{sandbox.base_url}/_sandbox/reset", timeout=5)
    sandbox.set_faults("")
    c = QboClient(sandbox.base_url, sandbox.realm, token_source, retry=FAST_RETRY)
    yield c
    sandbox.set_faults("")


def vendor_count(client):
    return client.count("Vendor")


# --- reads ---------------------------------------------------------------------------------


def test_query_all_pages_until_a_short_page(client):
    pages = list(client.query_all("Customer"))
    assert [len(p) for p in pages] == [1000, 1000, N_CUSTOMERS - 2000]
    ids = [row["Id"] for page in pages for row in page]
    assert len(set(ids)) == N_CUSTOMERS
    assert client.stats.by_op["query"] == 3  # the short page ends it; no totalCount needed
    dto = parse_entity("Customer", pages[0][0])
    assert dto.display_name.startswith("Customer ")


def test_query_all_exact_multiple_needs_one_empty_page(client):
    where = "DisplayName < 'Customer 00200'"
    pages = list(client.query_all("Customer", where, page_size=100))
    assert [len(p) for p in pages] == [100, 100]
    assert client.stats.by_op["query"] == 3


def test_query_all_shares_split_the_pages_between_readers(client):
    """Two readers with shares (0, 2) and (1, 2) read every page once between them (a full
    sync's lanes read purchases so); each stops at its first short or empty page."""
    first = list(client.query_all("Customer", page_size=400, share=(0, 2)))
    second = list(client.query_all("Customer", page_size=400, share=(1, 2)))
    whole = list(client.query_all("Customer", page_size=400))
    assert first == whole[0::2] and second == whole[1::2]
    ids = [row["Id"] for page in first + second for row in page]
    assert len(ids) == len(set(ids)) == N_CUSTOMERS
    with pytest.raises(ValueError):
        next(client.query_all("Customer", share=(2, 2)))


def test_query_no_match_is_empty_and_count(client):
    assert client.query("SELECT * FROM Customer WHERE DisplayName = 'Nobody'") == []
    assert client.count("Customer") == N_CUSTOMERS
    assert client.count("Account", "AccountType = 'Bank'") == 1


def test_quoted_literals_survive_the_query_language(client):
    name = f"O'Brien \\ Sons {uuid.uuid4().hex[:4]}"
    made = client.create("Vendor", {"DisplayName": name}, request_id=new_request_id())
    rows = client.query(f"SELECT * FROM Vendor WHERE DisplayName = {qbo_literal(name)}")
    assert [r["Id"] for r in rows] == [made["Id"]]


def test_read_company_preferences_and_not_found(client):
    assert client.read("Account", "35")["Name"] == "Checking"
    assert parse_entity("Account", client.read("Account", "35")).current_balance == Decimal(10000)
    info = parse_entity("CompanyInfo", client.company_info())
    assert info.company_name == "Acme Agency"
    assert parse_entity("Preferences", client.preferences()).home_currency == "USD"
    with pytest.raises(NotFoundError) as exc:
        client.read("Bill", "999999")
    assert exc.value.code == "610" and exc.value.intuit_tid


def test_amounts_come_back_as_exact_decimals(client):
    invoice = client.read("Invoice", "130")
    assert invoice["TotalAmt"] == Decimal("362.07")


# --- writes -------------------------------------------------------------------------------


def test_create_twice_with_same_requestid_makes_one_object(client):
    before = vendor_count(client)
    key = new_request_id()
    first = client.create("Vendor", {"DisplayName": f"Once {key[:8]}"}, request_id=key)
    second = client.create("Vendor", {"DisplayName": f"Once {key[:8]}"}, request_id=key)
    assert first["Id"] == second["Id"]
    assert vendor_count(client) == before + 1


def test_create_bill_with_decimal_payload_and_update_sparse(client):
    bill = client.create(
        "Bill",
        {"VendorRef": {"value": "56"}, "TxnDate": "2026-03-01", "DueDate": "2026-03-31",
         "Line": [{"Amount": Decimal("1234.56"), "DetailType": "AccountBasedExpenseLineDetail",
                   "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}}}]},
        request_id=new_request_id(),
    )
    dto = parse_entity("Bill", bill)
    assert dto.total == Decimal("1234.56") and dto.balance == Decimal("1234.56")
    updated = client.update(
        "Bill", {"Id": bill["Id"], "SyncToken": bill["SyncToken"], "DueDate": "2026-04-15"},
        request_id=new_request_id(),
    )
    assert updated["DueDate"] == "2026-04-15" and updated["SyncToken"] == "1"
    assert updated["VendorRef"]["value"] == "56"  # sparse kept the rest
    with pytest.raises(StaleObjectError) as exc:
        client.update("Bill", {"Id": bill["Id"], "SyncToken": "0", "DueDate": "2026-05-01"},
                      request_id=new_request_id())
    assert exc.value.code == "5010"


def test_validation_fault_parsed(client):
    with pytest.raises(ValidationError) as exc:
        client.create("Vendor", {"DisplayName": "SaaS Co"}, request_id=new_request_id())
    assert exc.value.code == "6240" and exc.value.status == 400


def test_a_bill_naming_an_inactive_vendor_is_refused_like_qbo_does(client):
    vendor = client.create("Vendor", {"DisplayName": f"Gone {uuid.uuid4().hex[:6]}"},
                           request_id=new_request_id())
    client.update("Vendor", {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"],
                             "Active": False}, request_id=new_request_id())
    with pytest.raises(NotFoundError) as exc:
        client.create("Bill", {"VendorRef": {"value": vendor["Id"]}, "TxnDate": "2026-03-01",
                               "Line": [{"Amount": Decimal("5.00"),
                                         "DetailType": "AccountBasedExpenseLineDetail",
                                         "AccountBasedExpenseLineDetail": {
                                             "AccountRef": {"value": "7"}}}]},
                      request_id=new_request_id())
    assert exc.value.code == "610" and "made inactive" in exc.value.detail
    assert client.stats.retries == 0  # validation errors are never retried


def test_write_without_request_id_is_refused(client):
    with pytest.raises(TypeError):
        client.create("Vendor", {"DisplayName": "x"})  # request_id is required
    with pytest.raises(ValueError):
        client.create("Vendor", {"DisplayName": "x"}, request_id="")
    with pytest.raises(ValueError):
        client.create("Vendor", {"DisplayName": "x"}, request_id="x" * 51)


def test_send_invoice_and_pdf(client):
    sent = client.send_invoice("130", send_to="ap@customer.test", request_id=new_request_id())
    assert sent["EmailStatus"] == "EmailSent"
    pdf = client.invoice_pdf("130")
    assert pdf.startswith(b"%PDF")


# --- CDC -----------------------------------------------------------------------------------


def test_cdc_changes_deletions_and_no_change_cost(client):
    since = datetime.now(UTC) - timedelta(seconds=2)
    entities = ["Vendor", "Bill", "Customer", "Invoice", "Account"]
    vendor = client.create("Vendor", {"DisplayName": f"CDC {uuid.uuid4().hex[:6]}"},
                           request_id=new_request_id())
    bill = client.create(
        "Bill",
        {"VendorRef": {"value": vendor["Id"]}, "TxnDate": "2026-03-01",
         "Line": [{"Amount": 10, "DetailType": "AccountBasedExpenseLineDetail",
                   "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}}}]},
        request_id=new_request_id(),
    )
    client.delete("Bill", bill["Id"], bill["SyncToken"], request_id=new_request_id())
    client.stats.reset()
    changes = client.cdc(entities, since)
    assert client.stats.requests == 1  # one request, all entity types
    assert set(changes) >= set(entities)
    vendor_ids = [v["Id"] for v in changes["Vendor"]]
    assert vendor["Id"] in vendor_ids and "57" not in vendor_ids  # untouched: not returned
    assert changes["Account"] == []
    parsed = {dto.qbo_id: dto for dto in (parse_entity("Bill", r) for r in changes["Bill"])}
    assert isinstance(parsed[bill["Id"]], Deleted) and parsed[bill["Id"]].entity == "Bill"
    assert changes.time is not None and not changes.truncated

    client.stats.reset()
    later = client.cdc(entities, changes.time + timedelta(seconds=2))
    assert all(rows == [] for rows in later.values())
    assert client.stats.requests <= len(entities)  # "no change costs ≤ 1 request per type"
    assert client.stats.requests == 1


def test_cdc_all_merges_rounds(client):
    since = datetime.now(UTC) - timedelta(seconds=1)
    made = client.create("Vendor", {"DisplayName": f"CDCall {uuid.uuid4().hex[:6]}"},
                         request_id=new_request_id())
    result = client.cdc_all(["Vendor"], since)
    assert made["Id"] in [v["Id"] for v in result["Vendor"]] and result.time


# --- batch ---------------------------------------------------------------------------------


def test_batch_is_split_in_thirties_and_answers_in_order(client):
    tag = uuid.uuid4().hex[:6]
    items = [{"operation": "create", "Vendor": {"DisplayName": f"B{tag}-{i}"}} for i in range(65)]
    items.append({"Query": "SELECT * FROM Account WHERE AccountType = 'Bank'"})
    items.append({"operation": "create", "Vendor": {"DisplayName": "SaaS Co"}})  # duplicate
    before = vendor_count(client)
    client.stats.reset()
    results = client.batch(items)
    assert client.stats.by_op["batch"] == 3  # 30 + 30 + 7
    assert len(results) == 67
    assert [r["Vendor"]["DisplayName"] for r in results[:65]] == [f"B{tag}-{i}" for i in range(65)]
    assert results[65]["QueryResponse"]["Account"][0]["Id"] == "35"
    err = batch_item_error(results[66])
    assert isinstance(err, ValidationError) and err.code == "6240"
    assert batch_item_error(results[0]) is None
    assert vendor_count(client) == before + 65


def test_batch_retried_with_same_request_id_applies_once(client, sandbox):
    before = vendor_count(client)
    tag = uuid.uuid4().hex[:6]
    items = [{"operation": "create", "Vendor": {"DisplayName": f"R{tag}-{i}"}} for i in range(3)]
    rid = uuid.uuid4().hex[:20]
    client.batch(items, request_id=rid)
    client.batch(items, request_id=rid)
    assert vendor_count(client) == before + 3


# --- auth ----------------------------------------------------------------------------------


def test_401_refreshes_once_then_succeeds(client, sandbox, token_source):
    old_access = token_source.tokens.access_token
    old_refresh = token_source.tokens.refresh_token
    requests.post(f"{sandbox.base_url}/_sandbox/tokens", json={"action": "expire_access"},
                  timeout=5)
    assert client.read("Account", "35")["Id"] == "35"
    assert client.stats.refreshes == 1
    assert client.stats.requests == 2  # the 401 and the successful retry
    assert token_source.tokens.access_token != old_access
    assert token_source.tokens.refresh_token != old_refresh  # rotated and kept


def test_401_twice_raises_authentication_error(sandbox):
    class BadTokens:
        refreshed = 0

        def access_token(self):
            return "not-a-token"

        def refresh(self):
            self.refreshed += 1
            return "still-not-a-token"

    tokens = BadTokens()
    c = QboClient(sandbox.base_url, sandbox.realm, tokens, retry=FAST_RETRY)
    with pytest.raises(AuthenticationError) as exc:
        c.read("Account", "35")
    assert exc.value.status == 401 and exc.value.code == "3200"
    assert tokens.refreshed == 1 and c.stats.requests == 2


# --- faults --------------------------------------------------------------------------------


def test_503s_are_retried_until_success(client, sandbox):
    sandbox.set_faults("error503=0.3,seed=7")
    c = QboClient(sandbox.base_url, sandbox.realm, client.tokens,
                  retry=RetryPolicy(max_attempts=8, base=0.01, cap=0.05))
    for _ in range(15):
        assert c.read("Account", "35")["Id"] == "35"
    injected = sandbox.stats()["errors_injected"]
    assert injected > 0
    assert c.stats.retries == injected


def test_429_from_the_rate_limit_is_retried(client, sandbox):
    sandbox.set_faults("rate=5,window=0.5")
    retry = RetryPolicy(max_attempts=8, base=0.1, cap=0.4)
    c = QboClient(sandbox.base_url, sandbox.realm, client.tokens, retry=retry)
    for _ in range(12):
        c.read("Account", "35")
    assert c.stats.throttled > 0 and c.stats.retries == c.stats.throttled


def test_throttled_error_after_max_attempts(client, sandbox):
    sandbox.set_faults("throttle=1")
    with pytest.raises(ThrottledError) as exc:
        client.read("Account", "35")
    assert exc.value.code == "3001" and exc.value.status == 429
    assert client.stats.requests == FAST_RETRY.max_attempts


def _until_idle(sandbox, timeout: float = 10.0) -> None:
    """Until the sandbox holds no request (a condition, not a guess at how long a hold lasts)."""
    deadline = time.monotonic() + timeout
    while sandbox.stats()["in_flight"]:
        assert time.monotonic() < deadline, "the sandbox still holds a request"
        time.sleep(0.02)


def test_read_timeouts_are_retried_and_not_ambiguous(sandbox, token_source):
    sandbox.set_faults("timeout=1,hold=0.5")
    c = QboClient(sandbox.base_url, sandbox.realm, token_source,
                  retry=RetryPolicy(max_attempts=2, base=0.01, cap=0.01), timeout=(1, 0.2))
    with pytest.raises(TransportError) as exc:
        c.read("Account", "35")
    assert exc.value.ambiguous is False and c.stats.requests == 2
    sandbox.set_faults("")
    _until_idle(sandbox)  # the held requests finish on the server


def test_ambiguous_write_is_retried_with_same_requestid_exactly_one_object(client, sandbox):
    # "drop": the sandbox commits the write, then closes the socket without answering.
    before = vendor_count(client)
    sandbox.set_faults("drop=1")
    key = new_request_id()
    name = f"Dropped {key[:8]}"
    client.stats.reset()
    with pytest.raises(TransportError) as exc:
        client.create("Vendor", {"DisplayName": name}, request_id=key)
    assert exc.value.ambiguous is True
    assert client.stats.requests == FAST_RETRY.max_attempts  # all with the same requestid
    assert sandbox.stats()["idempotent_replays"] == FAST_RETRY.max_attempts - 1
    sandbox.set_faults("")
    assert vendor_count(client) == before + 1
    # Reconciling: the same requestid returns the committed object and creates nothing.
    again = client.create("Vendor", {"DisplayName": name}, request_id=key)
    assert again["DisplayName"] == name
    assert vendor_count(client) == before + 1


def test_dropped_responses_recovered_within_one_call(client, sandbox):
    before = vendor_count(client)
    sandbox.set_faults("drop=0.5,seed=3")
    outcomes = []
    for i in range(6):
        try:
            client.create("Vendor", {"DisplayName": f"Flaky {uuid.uuid4().hex[:6]} {i}"},
                          request_id=new_request_id())
            outcomes.append("ok")
        except TransportError as exc:
            assert exc.ambiguous
            outcomes.append("ambiguous")
    sandbox.set_faults("")
    assert client.stats.transport_errors > 0 and "ok" in outcomes
    assert vendor_count(client) == before + 6  # one object per requestid, never two


def test_write_timeout_without_commit_is_ambiguous(sandbox, token_source, client):
    before = vendor_count(client)
    sandbox.set_faults("timeout=1,hold=0.3")
    c = QboClient(sandbox.base_url, sandbox.realm, token_source,
                  retry=RetryPolicy(max_attempts=2, base=0.01, cap=0.01), timeout=(1, 0.15))
    with pytest.raises(TransportError) as exc:
        c.create("Vendor", {"DisplayName": "Never"}, request_id=new_request_id())
    assert exc.value.ambiguous is True  # we cannot know the server applied nothing
    _until_idle(sandbox)  # the held write has finished on the server (applying nothing)
    sandbox.set_faults("")
    assert vendor_count(client) == before


def test_connection_refused_is_not_ambiguous(token_source):
    sock_port = 9  # discard port: nothing listens on loopback
    c = QboClient(f"http://127.0.0.1:{sock_port}", "1", token_source,
                  retry=RetryPolicy(max_attempts=2, base=0.0, cap=0.0))
    with pytest.raises(TransportError) as exc:
        c.create("Vendor", {"DisplayName": "x"}, request_id=new_request_id())
    assert exc.value.ambiguous is False


# --- limiter -----------------------------------------------------------------------------


def test_shared_limiter_caps_concurrency_at_the_server(sandbox, token_source):
    requests.post(f"{sandbox.base_url}/_sandbox/reset", timeout=5)
    sandbox.set_faults("latency=40")
    prefix = f"test:qboclient:{uuid.uuid4().hex}"
    limiter = RedisRateLimiter(settings.REDIS_URL, prefix=prefix, concurrent=2,
                               per_minute=100, max_wait=10)
    clients = [QboClient(sandbox.base_url, sandbox.realm, token_source, limiter=limiter,
                         retry=FAST_RETRY) for _ in range(6)]
    errors = []

    def work(c):
        try:
            for _ in range(3):
                c.read("Account", "35")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sandbox.set_faults("")
    try:
        assert errors == []
        assert sandbox.stats()["max_in_flight"] <= 2
        assert limiter.usage(sandbox.realm).requests_in_window == 18
    finally:
        r = redis.Redis.from_url(settings.REDIS_URL)
        for key in r.scan_iter(f"{prefix}*"):
            r.delete(key)


def test_mapping_errors_on_sandbox_rows_are_reported_not_fatal(client):
    rows = client.query("SELECT * FROM Customer MAXRESULTS 3")
    rows[1] = dict(rows[1], Balance="lots")
    parsed, quarantined = [], []
    for row in rows:
        try:
            parsed.append(parse_entity("Customer", row))
        except MappingError as exc:
            quarantined.append(exc)
    assert len(parsed) == 2 and quarantined[0].reason == "Balance is not a number: 'lots'"
