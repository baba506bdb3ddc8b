"""The worker-crash drill in quick mode, as CI runs it: real Celery workers SIGKILLed mid-sync
and mid-digest fan-out, in a subprocess with its own database; it must print PASS."""

import subprocess
import sys

import pytest

from tests.bench.harness import ROOT, child_env, drop_database


@pytest.mark.slow
@pytest.mark.worker
def test_worker_crash_drill_quick(settings, tmp_path):
    db_name = f"{settings.DATABASES['default']['TEST']['NAME']}_crash"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.drills.run", "--quick", "--out", str(tmp_path),
             "--only", "worker_crash"],
            cwd=ROOT, env=child_env(db_name), capture_output=True, text=True, timeout=300,
        )
    finally:
        drop_database(db_name)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    report = "\n".join(lines) + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, report
    verdict = next(line for line in lines if "drill_worker_crash" in line)
    assert verdict.startswith("PASS ")
    assert "0 duplicate rows" in verdict and "0 duplicates" in verdict, verdict
