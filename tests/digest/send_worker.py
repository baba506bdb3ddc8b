"""A separate worker process for the concurrency and crash tests:
`python -m tests.digest.send_worker <slug> <week> <maildir> [ahead_seconds]` sends with the file
mail backend (so emails from every process land in one directory) and prints the report's state.
`ahead_seconds` runs the worker on a clock that far ahead: a retry "after" a dead worker's lease
without waiting for it."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from apps.core.clock import OffsetClock  # noqa: E402
from apps.digest.services import digest_send  # noqa: E402
from apps.tenancy.models import Business  # noqa: E402


def main(slug: str, week: str, maildir: str, ahead_seconds: str = "0") -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = maildir
    business = Business.objects.get(slug=slug)
    clock = None
    if float(ahead_seconds):
        clock = OffsetClock()
        clock.advance(float(ahead_seconds))
    report = digest_send(business, week, clock=clock)
    print(report.state, report.sent, report.detail, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
