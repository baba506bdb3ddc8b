"""Query language, reads and company loading, over real HTTP."""

import json
import statistics
import time

import pytest
import requests

from apps.sandboxes.qbo import SandboxLoadError, start_sandbox
from apps.sandboxes.qbo.fixtures import small_company, write_company


@pytest.fixture
def sandbox(tmp_path):
    small_company(tmp_path / "co", bills=25, invoices=6)
    handle = start_sandbox(tmp_path / "co", persist=False)
    yield handle
    handle.stop()


@pytest.fixture
def api(sandbox):
    session = requests.Session()
    token = sandbox.issue_tokens()["access_token"]
    session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
    return session


def query(sandbox, api, text):
    response = api.get(f"{sandbox.api_base}/query", params={"query": text, "minorversion": 75})
    return response


def test_select_all_envelope(sandbox, api):
    response = query(sandbox, api, "SELECT * FROM Bill")
    assert response.status_code == 200
    doc = response.json()
    assert set(doc) == {"QueryResponse", "time"}
    page = doc["QueryResponse"]
    assert page["startPosition"] == 1
    assert page["maxResults"] == 25 == len(page["Bill"])
    assert [b["Id"] for b in page["Bill"]] == [str(i) for i in range(100, 125)]


def test_paging_is_one_based_and_ends_short(sandbox, api):
    seen = []
    start = 1
    while True:
        page = query(sandbox, api, f"select * from Bill STARTPOSITION {start} MAXRESULTS 10")
        rows = page.json()["QueryResponse"].get("Bill", [])
        seen += [r["Id"] for r in rows]
        if len(rows) < 10:
            break
        start += 10
    assert len(seen) == 25 == len(set(seen))
    empty = query(sandbox, api, "select * from Bill STARTPOSITION 26 MAXRESULTS 10").json()
    assert empty["QueryResponse"] == {}


def test_maxresults_capped_at_1000_and_default_100(tmp_path):
    bills = [{"Id": str(i), "VendorRef": {"value": "1"}, "TotalAmt": 1} for i in range(1, 1201)]
    write_company(tmp_path / "big", {"Bill": bills})
    with start_sandbox(tmp_path / "big", persist=False) as sb:
        headers = {"Authorization": "Bearer " + sb.issue_tokens()["access_token"]}
        url = f"{sb.api_base}/query"
        big = requests.get(
            url, params={"query": "select * from Bill maxresults 5000"}, headers=headers
        ).json()["QueryResponse"]
        assert big["maxResults"] == 1000 == len(big["Bill"])
        default = requests.get(url, params={"query": "select * from Bill"}, headers=headers).json()[
            "QueryResponse"
        ]
        assert default["maxResults"] == 100


def test_where_operators(sandbox, api):
    def ids(text):
        rows = query(sandbox, api, text).json()["QueryResponse"].get("Bill", [])
        return [r["Id"] for r in rows]

    assert ids("select * from Bill where Id = '101'") == ["101"]
    assert ids("select * from Bill where Id IN ('101', '103', '999')") == ["101", "103"]
    assert ids("select * from Bill where TotalAmt > 122") == ["123", "124"]
    assert ids("select * from Bill where TotalAmt >= 123 AND VendorRef = '2'") == ["123"]
    assert ids("select * from Bill where TotalAmt < 101") == ["100"]
    assert ids("select * from Bill where TotalAmt <= 101 and Balance = 101") == ["101"]
    assert ids("select * from Bill where MetaData.LastUpdatedTime > '2026-11-24'") == ["123", "124"]
    assert ids(
        "select * from Bill where metadata.lastupdatedtime > '2026-11-24T09:00:00-07:00'"
    ) == ["124"]
    assert ids("select * from Bill where MetaData.LastUpdatedTime >= '2026-11-24T16:00:00Z'") == [
        "123",
        "124",
    ]
    customers = query(sandbox, api, "select * from Customer where DisplayName LIKE 'Glo%'")
    assert [c["DisplayName"] for c in customers.json()["QueryResponse"]["Customer"]] == ["Globex"]
    banks = query(sandbox, api, "select * from Account where AccountType = 'Bank'").json()
    assert [a["Name"] for a in banks["QueryResponse"]["Account"]] == ["Checking"]


def test_orderby_and_count(sandbox, api):
    rows = query(sandbox, api, "select * from Bill orderby TotalAmt desc maxresults 3").json()
    assert [r["TotalAmt"] for r in rows["QueryResponse"]["Bill"]] == [124, 123, 122]
    rows = query(sandbox, api, "SELECT * FROM Invoice ORDER BY CustomerRef, TotalAmt DESC").json()
    pairs = [(r["CustomerRef"]["value"], r["TotalAmt"]) for r in rows["QueryResponse"]["Invoice"]]
    assert pairs == [("3", 1040), ("3", 1020), ("3", 1000), ("4", 1050), ("4", 1030), ("4", 1010)]
    count = query(sandbox, api, "SELECT COUNT(*) FROM Bill WHERE VendorRef = '1'").json()
    assert count["QueryResponse"] == {"totalCount": 13}


def test_query_errors_are_faults(sandbox, api):
    bad = query(sandbox, api, "SELECT * FROM Bill WHERE")
    assert bad.status_code == 400
    error = bad.json()["Fault"]["Error"][0]
    assert error["code"] == "4000" and bad.json()["Fault"]["type"] == "ValidationFault"
    unknown = query(sandbox, api, "select * from NoSuchThing")
    assert unknown.status_code == 400 and unknown.json()["Fault"]["Error"][0]["code"] == "4001"
    known_but_empty = query(sandbox, api, "select * from Purchase").json()
    assert known_but_empty["QueryResponse"] == {}


def test_query_by_post_text_body(sandbox, api):
    response = api.post(
        f"{sandbox.api_base}/query",
        data="select * from Vendor",
        headers={"Content-Type": "application/text"},
    )
    assert [v["DisplayName"] for v in response.json()["QueryResponse"]["Vendor"]] == [
        "Rent Co",
        "Cloud SaaS",
    ]


def test_read_companyinfo_preferences_and_missing(sandbox, api):
    bill = api.get(f"{sandbox.api_base}/bill/100?minorversion=75").json()
    assert bill["Bill"]["Id"] == "100" and "time" in bill
    info = api.get(f"{sandbox.api_base}/companyinfo/{sandbox.realm}").json()
    assert info["CompanyInfo"]["CompanyName"] == "Sandbox Agency LLC"
    prefs = api.get(f"{sandbox.api_base}/preferences").json()
    assert prefs["Preferences"]["CurrencyPrefs"]["HomeCurrency"]["value"] == "USD"
    missing = api.get(f"{sandbox.api_base}/bill/99999")
    assert missing.status_code == 400
    assert missing.json()["Fault"]["Error"][0]["code"] == "610"


def test_unknown_fields_served_untouched(tmp_path):
    write_company(tmp_path / "co", {})
    (tmp_path / "co" / "Bill.json").write_text(
        '{"Bill": [{"Id": "1", "VendorRef": {"value": "1"}, "TotalAmt": 5.00, "NewThing": '
        '{"deep": [1, 2.50, null]}}], "note": "extra top-level keys are fine"}'
    )
    with start_sandbox(tmp_path / "co", persist=False) as sb:
        headers = {"Authorization": "Bearer " + sb.issue_tokens()["access_token"]}
        bill = requests.get(f"{sb.api_base}/bill/1", headers=headers).text
        assert '"NewThing":{"deep":[1,2.50,null]}' in bill and '"TotalAmt":5.00' in bill
        rows = requests.get(
            f"{sb.api_base}/query", params={"query": "select * from Bill"}, headers=headers
        ).json()["QueryResponse"]["Bill"]
        assert rows[0]["NewThing"] == {"deep": [1, 2.5, None]}


@pytest.mark.parametrize("name, content, expected", [
    ("Gizmo.json", '{"Gizmo": [{"Id": "7"}]}', "Gizmo is not a QBO entity type"),
    ("notes.txt", "hello", "not a company file"),
    ("Bill.json.bak", '{"Bill": []}', "not a company file"),
    ("ExchangeRate.json", '{"ExchangeRate": [{"SourceCurrencyCode": "EUR", "Rate": 1.1}]}',
     "lacks SourceCurrencyCode, TargetCurrencyCode or AsOfDate"),
])
def test_a_file_the_sandbox_cannot_serve_stops_it_naming_the_file(tmp_path, name, content,
                                                                   expected):
    write_company(tmp_path / "co", {"Vendor": []})
    (tmp_path / "co" / name).write_text(content)
    with pytest.raises(SandboxLoadError) as err:
        start_sandbox(tmp_path / "co", persist=False)
    assert name in str(err.value) and expected in str(err.value)


@pytest.mark.parametrize(
    "content, expected",
    [
        ("{not json", "not valid JSON"),
        ('["a"]', "expected an object"),
        ('{"Invoice": []}', 'expected a top-level key "Bill"'),
        ('{"Bill": [{"VendorRef": {}}]}', "has no Id"),
        ('{"Bill": [1]}', "is not an object"),
    ],
)
def test_malformed_file_names_the_file(tmp_path, content, expected):
    write_company(tmp_path / "co", {"Vendor": [{"Id": "1", "DisplayName": "ok"}]})
    (tmp_path / "co" / "Bill.json").write_text(content)
    with pytest.raises(SandboxLoadError) as info:
        start_sandbox(tmp_path / "co", persist=False)
    assert "Bill.json" in str(info.value) and expected in str(info.value)


def test_large_company_pages_deep_as_cheaply_as_its_first_page(tmp_path):
    bills = [
        {
            "Id": str(i),
            "SyncToken": "0",
            "VendorRef": {"value": str(i % 50), "name": "V"},
            "TxnDate": "2026-10-01",
            "DueDate": "2026-11-01",
            "TotalAmt": 100.25,
            "Balance": 100.25,
            "Line": [{"Amount": 100.25, "DetailType": "AccountBasedExpenseLineDetail"}],
            "MetaData": {
                "CreateTime": "2026-10-01T09:00:00-07:00",
                "LastUpdatedTime": "2026-10-01T09:00:00-07:00",
            },
        }
        for i in range(1, 50001)
    ]
    (tmp_path / "co").mkdir()
    (tmp_path / "co" / "Bill.json").write_text(json.dumps({"Bill": bills}))
    sb = start_sandbox(tmp_path / "co", persist=False)
    try:
        session = requests.Session()
        session.headers["Authorization"] = "Bearer " + sb.issue_tokens()["access_token"]

        def page(start: int) -> tuple[int, float]:
            began = time.perf_counter()
            body = session.get(
                f"{sb.api_base}/query",
                params={"query": f"select * from Bill startposition {start} maxresults 1000"},
            ).json()
            return len(body["QueryResponse"]["Bill"]), time.perf_counter() - began

        total = sum(page(start)[0] for start in range(1, 20001, 1000))
        # Paging must not rescan from the top: a page deep in the company costs about what the
        # first one does. Compared within this run (medians, interleaved) rather than against a
        # wall-clock threshold, so a busy machine slows both alike; speed itself is `make bench`.
        first, deep = [], []
        for _ in range(5):
            first.append(page(1)[1])
            deep.append(page(49001)[1])
    finally:
        sb.stop()
    assert total == 20000
    assert statistics.median(deep) < 3 * statistics.median(first) + 0.02, (first, deep)
