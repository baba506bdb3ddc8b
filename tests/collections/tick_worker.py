"""A separate worker process for the crash tests:
`python -m tests.collections.tick_worker <slug> <YYYY-MM-DD> <maildir> [ahead_seconds]` runs one
business's reminder tick with the file mail backend and prints the report. `ahead_seconds` runs
it on a clock that far ahead: a retry "after" a dead worker's lease without waiting for it."""

import os
import sys
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from apps.collections.services import reminders_run  # noqa: E402
from apps.core.clock import OffsetClock  # noqa: E402
from apps.tenancy.models import Business  # noqa: E402


def main(slug: str, day: str, maildir: str, ahead_seconds: str = "0") -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = maildir
    clock = None
    if float(ahead_seconds):
        clock = OffsetClock()
        clock.advance(float(ahead_seconds))
    report = reminders_run(Business.objects.get(slug=slug), date.fromisoformat(day), clock=clock)
    print(report.state, report.sent, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
