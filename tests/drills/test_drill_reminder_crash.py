"""The reminder-crash drill in quick mode: real Celery workers SIGKILLed mid-tick, in a
subprocess with its own database; it must print PASS with zero duplicates."""

import subprocess
import sys

import pytest

from tests.bench.harness import ROOT, child_env, drop_database


@pytest.mark.slow
@pytest.mark.worker
def test_reminder_crash_drill_quick(settings, tmp_path):
    db_name = f"{settings.DATABASES['default']['TEST']['NAME']}_remind"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.drills.run", "--quick", "--out", str(tmp_path),
             "--only", "reminder_crash"],
            cwd=ROOT, env=child_env(db_name), capture_output=True, text=True, timeout=300,
        )
    finally:
        drop_database(db_name)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    report = "\n".join(lines) + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, report
    verdict = next(line for line in lines if "drill_reminder_crash" in line)
    assert verdict.startswith("PASS ") and " 0 duplicates" in verdict, verdict
