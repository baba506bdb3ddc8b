"""The worker-crash drills in quick mode, as CI runs them: real Celery workers SIGKILLed
mid-sync and mid-digest fan-out (worker_crash), mid reminder tick (reminder_crash) and mid
automation tick (automation_crash), each in
a subprocess with its own database; they must print PASS with no duplicates."""

import pytest

from tests.drills.quick import quick_drills_run


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.parametrize("drill,must_say", [
    ("worker_crash", ("0 duplicate rows", "0 duplicates")),
    ("reminder_crash", (" 0 duplicates",)),
    ("automation_crash", (" 0 duplicates",)),
])
def test_worker_crash_drill_quick(settings, tmp_path, drill, must_say):
    code, lines, report = quick_drills_run(settings, tmp_path, [drill],
                                           suffix=drill.split("_")[0], timeout=300)
    assert code == 0, report
    verdict = next(line for line in lines if f"drill_{drill}" in line)
    assert verdict.startswith("PASS ") and all(s in verdict for s in must_say), verdict
