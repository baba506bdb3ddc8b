"""The security drills in quick mode, as CI runs them: forged and replayed webhooks under
secrets from the environment, and real bombs against a real documents-queue worker; each in a
subprocess with its own database, each must print PASS."""

import subprocess
import sys

import pytest

from tests.bench.harness import ROOT, child_env, drop_database

DRILLS = ["webhooks", "bombs"]


@pytest.mark.slow
@pytest.mark.worker
def test_security_drills_pass(settings, tmp_path):
    db_name = f"{settings.DATABASES['default']['TEST']['NAME']}_security"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.drills.run", "--quick", "--out", str(tmp_path),
             "--only", *DRILLS],
            cwd=ROOT, env=child_env(db_name), capture_output=True, text=True, timeout=900,
        )
    finally:
        drop_database(db_name)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    report = "\n".join(lines) + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, report
    webhooks = next(line for line in lines if "drill_webhooks" in line)
    assert webhooks.startswith("PASS ") and "(0 effects)" in webhooks, webhooks
    assert "applied 2×" not in webhooks and "secrets from the environment: yes" in webhooks
    bombs = next(line for line in lines if "drill_bombs" in line)
    assert bombs.startswith("PASS ") and "documents worker alive" in bombs, bombs
