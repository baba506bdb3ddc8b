"""The sandbox as its own process: start, serve, SIGTERM flushes; bad company fails clearly."""

import json

import pytest
import requests

from apps.sandboxes.qbo import start_sandbox_process
from apps.sandboxes.qbo.fixtures import small_company


def test_subprocess_serves_and_flushes_on_sigterm(tmp_path):
    small_company(tmp_path / "co", bills=1, invoices=1)
    proc = start_sandbox_process(tmp_path / "co", faults="limits=off,seed=3")
    try:
        tokens = requests.post(f"{proc.base_url}/_sandbox/tokens", json={"action": "issue"}).json()
        assert tokens["realmId"] == proc.realm
        created = requests.post(
            f"{proc.api_base}/vendor",
            json={"DisplayName": "Via Proc"},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert created.status_code == 200
        assert requests.get(f"{proc.base_url}/_sandbox/faults").json()["limits"] is False
    finally:
        assert proc.stop() == 0
    saved = json.loads((tmp_path / "co" / "Vendor.json").read_text())
    assert "Via Proc" in [v["DisplayName"] for v in saved["Vendor"]]
    state = json.loads((tmp_path / "co" / "_sandbox_state.json").read_text())
    assert state["oauth"]["access"]  # tokens survive a restart


def test_subprocess_reports_malformed_file(tmp_path):
    (tmp_path / "co").mkdir()
    (tmp_path / "co" / "Invoice.json").write_text("{oops")
    with pytest.raises(RuntimeError, match="Invoice.json"):
        start_sandbox_process(tmp_path / "co")


def test_warm_store_serves_the_same_pages_with_every_object_encoded(tmp_path):
    from apps.sandboxes.qbo.query import parse_query
    from apps.sandboxes.qbo.store import CompanyStore

    small_company(tmp_path / "co", bills=3, invoices=2)
    cold, warm = CompanyStore(tmp_path / "co", persist=False), CompanyStore(tmp_path / "co",
                                                                            persist=False)
    warm.warm()
    for name, table in warm.tables.items():
        assert set(table.wire) == set(table.objects), name  # nothing left to encode on a read
        sql = f"SELECT * FROM {name} STARTPOSITION 1 MAXRESULTS 1000"
        assert warm.run_query(parse_query(sql)) == cold.run_query(parse_query(sql))
