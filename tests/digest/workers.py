"""Start a digest worker in its own process (tests/digest/send_worker.py) on this test run's
database: the concurrency and crash tests of the digest share it."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.utils import child_database_url


def send_worker_start(week: str, maildir: Path, ahead: float = 0, **env) -> subprocess.Popen:
    """`env` adds to the worker's environment (e.g. OODALOO_DIGEST_FAULT=kill_before_provider);
    `ahead` runs it on a clock that many seconds ahead."""
    environ = {**os.environ, "DATABASE_URL": child_database_url(),
               "DJANGO_SETTINGS_MODULE": "oodaloo.settings.test", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.digest.send_worker", "alpha", week, str(maildir),
         str(ahead)],
        env=environ, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
