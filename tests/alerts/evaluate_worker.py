"""A separate worker process for the crash tests:
`python -m tests.alerts.evaluate_worker <slug> <maildir>` evaluates one business's alerts with
the file mail backend and prints the report (OODALOO_ALERTS_FAULT kills it at a point)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from apps.alerts.services import alerts_evaluate  # noqa: E402
from apps.tenancy.models import Business  # noqa: E402


def main(slug: str, maildir: str) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = maildir
    report = alerts_evaluate(Business.objects.get(slug=slug))
    print(report.claimed, report.sent, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
