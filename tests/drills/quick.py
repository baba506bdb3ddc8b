"""Shared by the drill tests and drills: running drills in quick mode in a subprocess with a
database of their own, and waiting for a Celery worker to be ready."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.bench.harness import ROOT, child_env, drop_database


def quick_drills_run(settings, out: Path, drills: list[str], *, suffix: str,
                     timeout: int) -> tuple[int, list[str], str]:
    """`python -m tests.drills.run --quick --only DRILLS` in `<test db>_<suffix>` (dropped after).
    Returns (exit status, the PASS/FAIL lines, a report for assertion messages)."""
    db_name = f"{settings.DATABASES['default']['TEST']['NAME']}_{suffix}"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.drills.run", "--quick", "--out", str(out),
             "--only", *drills],
            cwd=ROOT, env=child_env(db_name), capture_output=True, text=True, timeout=timeout,
        )
    finally:
        drop_database(db_name)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    return proc.returncode, lines, "\n".join(lines) + "\n" + proc.stderr[-3000:]


def worker_wait_ready(proc: subprocess.Popen, log: Path, name: str, timeout: float) -> None:
    """Block until the worker logged " ready." (raises with its log if it died or timed out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if " ready." in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"worker {name} did not start: {log.read_text()[-2000:]}")
