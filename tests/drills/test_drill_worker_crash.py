"""The worker-crash drill in quick mode, as CI runs it: real Celery workers SIGKILLed mid-sync
and mid-digest fan-out, in a subprocess with its own database; it must print PASS."""

import pytest

from tests.drills.quick import quick_drills_run


@pytest.mark.slow
@pytest.mark.worker
def test_worker_crash_drill_quick(settings, tmp_path):
    code, lines, report = quick_drills_run(settings, tmp_path, ["worker_crash"], suffix="crash",
                                           timeout=300)
    assert code == 0, report
    verdict = next(line for line in lines if "drill_worker_crash" in line)
    assert verdict.startswith("PASS ")
    assert "0 duplicate rows" in verdict and "0 duplicates" in verdict, verdict
