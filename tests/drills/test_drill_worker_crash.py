"""The worker-crash drills in quick mode, as CI runs them: real Celery workers SIGKILLed
mid-sync and mid-digest fan-out (worker_crash), and mid reminder tick (reminder_crash), each in
a subprocess with its own database; they must print PASS with no duplicates."""

import subprocess
import sys

import pytest

from tests.bench.harness import ROOT, child_env, drop_database


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.parametrize("drill,must_say", [
    ("worker_crash", ("0 duplicate rows", "0 duplicates")),
    ("reminder_crash", (" 0 duplicates",)),
])
def test_worker_crash_drill_quick(settings, tmp_path, drill, must_say):
    db_name = f"{settings.DATABASES['default']['TEST']['NAME']}_{drill.split('_')[0]}"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.drills.run", "--quick", "--out", str(tmp_path),
             "--only", drill],
            cwd=ROOT, env=child_env(db_name), capture_output=True, text=True, timeout=300,
        )
    finally:
        drop_database(db_name)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    report = "\n".join(lines) + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, report
    verdict = next(line for line in lines if f"drill_{drill}" in line)
    assert verdict.startswith("PASS ") and all(s in verdict for s in must_say), verdict
