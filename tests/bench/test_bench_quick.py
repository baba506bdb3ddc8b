"""`make bench-quick`, as CI runs it: every registered benchmark runs at small scale and reports
at least one row, none crashes, and the results go to --out (docs/ stays untouched)."""

import json
import subprocess
import sys

import pytest

from tests.bench.harness import ROOT, child_env, drop_database
from tests.bench.run import BENCHMARKS, CRASHED
from tests.bench.test_bench_automation import assert_replay_row


@pytest.mark.slow
def test_quick_bench_runs_every_benchmark(settings, tmp_path):
    db_name = f"{settings.DATABASES['default']['TEST']['NAME']}_bench"
    docs_json = ROOT / "docs" / "benchmarks.json"
    committed = docs_json.read_bytes() if docs_json.exists() else None
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tests.bench.run", "--quick", "--out", str(tmp_path)],
            cwd=ROOT, env=child_env(db_name), capture_output=True, text=True, timeout=1800,
        )
    finally:
        drop_database(db_name)
        drop_database(f"{db_name}_digests_quick")  # the digest fleet (kept between bench runs)
        drop_database(f"{db_name}_reminders_quick")  # the reminder fleet (the same builder)
    report = proc.stdout[-3000:] + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, report
    rows = json.loads((tmp_path / "benchmarks.json").read_text())["results"]
    modules = {row["extra"].get("module") for row in rows}
    assert modules == {name.rsplit(".", 1)[1] for name in BENCHMARKS}, report
    assert not [row["name"] for row in rows if row["notes"] == CRASHED], report
    # The automation replay's figure is checked here, not in a second replay of its own.
    assert_replay_row(next(r for r in rows if r["extra"]["module"] == "bench_automation"))
    assert (tmp_path / "benchmarks.md").exists()
    assert (docs_json.read_bytes() if docs_json.exists() else None) == committed
