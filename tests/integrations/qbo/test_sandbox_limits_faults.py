"""QBO's limits (429 ThrottleExceeded) and each switchable fault."""

import threading

import pytest
import requests

from apps.sandboxes.qbo import parse_fault_spec, start_sandbox
from apps.sandboxes.qbo.fixtures import small_company


@pytest.fixture
def sandbox(tmp_path):
    small_company(tmp_path / "co", bills=3, invoices=3)
    handle = start_sandbox(tmp_path / "co", persist=False)
    yield handle
    handle.stop()


@pytest.fixture
def headers(sandbox):
    return {"Authorization": "Bearer " + sandbox.issue_tokens()["access_token"]}


def get_bill(sandbox, headers, timeout=5):
    return requests.get(f"{sandbox.api_base}/bill/100", headers=headers, timeout=timeout)


def assert_throttle_fault(response):
    assert response.status_code == 429
    error = response.json()["Fault"]["Error"][0]
    assert error["code"] == "3001" and "ThrottleExceeded" in error["Message"]


def concurrent_statuses(sandbox, headers, n):
    statuses, barrier = [], threading.Barrier(n)

    def one():
        barrier.wait()
        statuses.append(get_bill(sandbox, headers).status_code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


def test_more_than_ten_concurrent_get_429(sandbox, headers):
    sandbox.set_faults("latency=400")
    statuses = concurrent_statuses(sandbox, headers, 14)
    assert statuses.count(200) == 10 and statuses.count(429) == 4
    sandbox.set_faults("latency=400,limits=off")
    assert concurrent_statuses(sandbox, headers, 14) == [200] * 14


def test_rate_limit_per_window(sandbox, headers):
    sandbox.set_faults("rate=5,window=60")
    statuses = [get_bill(sandbox, headers).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert_throttle_fault(get_bill(sandbox, headers))
    requests.post(f"{sandbox.base_url}/_sandbox/clock", json={"advance": 50})
    assert get_bill(sandbox, headers).status_code == 429  # still inside the minute
    requests.post(f"{sandbox.base_url}/_sandbox/clock", json={"advance": 11})
    assert get_bill(sandbox, headers).status_code == 200
    assert sandbox.stats()["throttled"] == 3


def test_batch_items_count_towards_rate(sandbox, headers):
    sandbox.set_faults("rate=10,window=60")
    items = [{"bId": str(i), "Query": "select * from Bill"} for i in range(8)]
    url = f"{sandbox.api_base}/batch"
    assert requests.post(url, json={"BatchItemRequest": items}, headers=headers).ok
    assert requests.post(url, json={"BatchItemRequest": items}, headers=headers).status_code == 429


def test_error503_and_error500(sandbox, headers):
    sandbox.set_faults("error503=1")
    response = get_bill(sandbox, headers)
    assert response.status_code == 503 and response.json()["Fault"]["type"] == "SystemFault"
    sandbox.set_faults({"error503": 0, "error500": 1})
    assert get_bill(sandbox, headers).status_code == 500


def test_throttle_burst(sandbox, headers):
    sandbox.set_faults("throttle=1,burst=3,seed=1")
    assert_throttle_fault(get_bill(sandbox, headers))
    sandbox.set_faults("throttle=0")
    assert get_bill(sandbox, headers).status_code == 200
    sandbox.app.faults.set(parse_fault_spec("throttle=0.000001,burst=3,seed=1"))
    sandbox.app.faults.burst_left = 2  # as if a burst had just started
    statuses = [get_bill(sandbox, headers).status_code for _ in range(3)]
    assert statuses == [429, 429, 200]


def test_timeout_holds_and_applies_nothing(sandbox, headers):
    sandbox.set_faults("timeout=1,hold=3")
    body = {"VendorRef": {"value": "1"}, "Line": [{"Amount": 5}]}
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{sandbox.api_base}/bill", json=body, headers=headers, timeout=0.5)
    assert sandbox.stats()["entities"]["Bill"] == 3


def test_drop_commits_then_closes_and_requestid_recovers(sandbox, headers):
    sandbox.set_faults("drop=1")
    body = {"VendorRef": {"value": "1"}, "Line": [{"Amount": 5}]}
    url = f"{sandbox.api_base}/bill"
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url, json=body, headers=headers, params={"requestid": "r-9"}, timeout=5)
    assert sandbox.stats()["entities"]["Bill"] == 4  # the write happened
    sandbox.set_faults("")
    retry = requests.post(url, json=body, headers=headers, params={"requestid": "r-9"})
    assert retry.status_code == 200
    assert sandbox.stats()["entities"]["Bill"] == 4  # and was not repeated
    assert retry.json()["Bill"]["TotalAmt"] == 5


def test_seeded_faults_repeat(sandbox, headers):
    def run():
        requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"spec": "error503=0.5,seed=42"})
        return [get_bill(sandbox, headers).status_code for _ in range(12)]

    first, second = run(), run()
    assert first == second and 503 in first and 200 in first


def test_fault_control_api_and_spec_parsing(sandbox):
    doc = requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"spec": "latency=20,drop=0.1,limits=off,seed=1"},
    ).json()
    assert doc["latency"] == 20 and doc["drop"] == 0.1 and doc["limits"] is False
    merged = requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"error503": 0.2}).json()
    assert merged["latency"] == 20 and merged["error503"] == 0.2
    assert "latency=20.0" in merged["spec"]
    bad = requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"spec": "bogus=1"})
    assert bad.status_code == 400
    with pytest.raises(ValueError):
        parse_fault_spec("drop=2")
    reset = requests.post(f"{sandbox.base_url}/_sandbox/reset")
    assert reset.ok and requests.get(f"{sandbox.base_url}/_sandbox/faults").json()["latency"] == 0
