"""The security drills in quick mode, as CI runs them: forged and replayed webhooks under
secrets from the environment, and real bombs against a real documents-queue worker; each in a
subprocess with its own database, each must print PASS."""

import pytest

from tests.drills.quick import quick_drills_run


@pytest.mark.slow
@pytest.mark.worker
def test_security_drills_pass(settings, tmp_path):
    code, lines, report = quick_drills_run(settings, tmp_path, ["webhooks", "bombs"],
                                           suffix="security", timeout=900)
    assert code == 0, report
    webhooks = next(line for line in lines if "drill_webhooks" in line)
    assert webhooks.startswith("PASS ") and "(0 effects)" in webhooks, webhooks
    assert "applied 2×" not in webhooks and "secrets from the environment: yes" in webhooks
    bombs = next(line for line in lines if "drill_bombs" in line)
    assert bombs.startswith("PASS ") and "documents worker alive" in bombs, bombs
