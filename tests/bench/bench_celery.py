"""The Celery app of the digest benchmark: Oodaloo's app on a queue of the run's own (so no
other worker on the same Redis takes its tasks), and the sender of beat's tick.

    python -m celery -A tests.bench.bench_celery worker -Q $BENCH_QUEUE ...
    python -m tests.bench.bench_celery dispatch     # what beat's `digest-dispatch` entry sends
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.bench")

from oodaloo.celery import app  # noqa: E402

app.conf.update(task_default_queue=os.environ["BENCH_QUEUE"])

__all__ = ["app"]

if __name__ == "__main__" and sys.argv[1:] == ["dispatch"]:
    import django

    django.setup()
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["digest-dispatch"]  # the beat entry, as beat sends it
    app.send_task(entry["task"])
