"""Production settings pass `check --deploy` and refuse to boot without their secrets."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings


def _check(extra_env: dict) -> subprocess.CompletedProcess:
    dropped = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"DJANGO_SETTINGS_MODULE": "oodaloo.settings.production", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check({
        "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": ".oodaloo.app",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_production_secret_fails_at_boot():
    result = _check({"ALLOWED_HOSTS": ".oodaloo.app"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
