"""`make drill` at small scale, as CI runs it: the isolation probe, the bad-input sweep and the
QBO fault drill in a subprocess with its own database; every drill must print PASS."""

import pytest

from tests.drills.quick import quick_drills_run

DRILLS = ["isolation", "bad_input", "qbo_faults", "accounts"]


@pytest.mark.slow
def test_quick_drills_pass(settings, tmp_path):
    code, lines, report = quick_drills_run(settings, tmp_path, DRILLS, suffix="drill",
                                           timeout=600)
    assert code == 0, report
    for drill in DRILLS:
        assert any(line.startswith(f"PASS drill_{drill}: ") for line in lines), report
    assert "0 server errors, 0 lost" in next(x for x in lines if "drill_bad_input" in x)
    assert (tmp_path / "drills.json").exists()
