"""manage.py make_demo_company is a thin wrapper over generate_company."""

from __future__ import annotations

import io
import json

from django.core.management import call_command


def test_command_writes_both_directories(tmp_path):
    out = io.StringIO()
    call_command("make_demo_company", "--out", str(tmp_path), "--seed", "4", "--years", "1",
                 "--scale", "0.3", "--as-of", "2026-06-30", "--realm", "4620816365",
                 "--name", "Test Agency", stdout=out)
    assert "Test Agency (realm 4620816365) as of 2026-06-30" in out.getvalue()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["realm"] == "4620816365" and summary["seed"] == 4
    info = json.loads((tmp_path / "qbo" / "CompanyInfo.json").read_text())
    assert info["CompanyInfo"][0]["CompanyName"] == "Test Agency"
    assert json.loads((tmp_path / "plaid" / "accounts.json").read_text())["accounts"]
