"""`make drill` at small scale, as CI runs it: the isolation probe, the bad-input sweep and the
QBO fault drill in a subprocess with its own database; every drill must print PASS."""

import subprocess
import sys

import pytest

from tests.bench.harness import ROOT, child_env, drop_database

DRILLS = ["isolation", "bad_input", "qbo_faults", "accounts"]


@pytest.mark.slow
def test_quick_drills_pass(settings, tmp_path):
    db_name = f"{settings.DATABASES['default']['TEST']['NAME']}_drill"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.drills.run", "--quick", "--out", str(tmp_path),
             "--only", *DRILLS],
            cwd=ROOT, env=child_env(db_name), capture_output=True, text=True, timeout=600,
        )
    finally:
        drop_database(db_name)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    report = "\n".join(lines) + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, report
    for drill in DRILLS:
        assert any(line.startswith(f"PASS drill_{drill}: ") for line in lines), report
    assert "0 server errors, 0 lost" in next(x for x in lines if "drill_bad_input" in x)
    assert (tmp_path / "drills.json").exists()
