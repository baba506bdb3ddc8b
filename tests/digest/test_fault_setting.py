"""Fault-drill hooks act only behind settings.FAULT_DRILLS (on in test/bench, off elsewhere)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SCRIPT = """
import django, sys
django.setup()
from django.conf import settings
settings.FAULT_DRILLS = sys.argv[1] == "on"
from apps.integrations.mail.delivery import fault_hook
fault_hook("OODALOO_TEST_FAULT")("kill_here")
print("alive")
"""


def _run(drills: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oodaloo.settings.test",
           "OODALOO_TEST_FAULT": "kill_here"}
    return subprocess.run([sys.executable, "-c", SCRIPT, drills], env=env, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("drills,alive", [("off", True), ("on", False)])
def test_the_fault_hook_kills_only_when_drills_are_on(drills, alive):
    result = _run(drills)
    assert (result.returncode == 0 and "alive" in result.stdout) is alive, result.stderr[-2000:]
    if not alive:
        assert result.returncode == -9


def test_drills_are_off_unless_a_test_or_bench_setting_turns_them_on():
    from oodaloo.settings import base

    assert base.FAULT_DRILLS is False
    assert settings.FAULT_DRILLS is True  # the test settings
