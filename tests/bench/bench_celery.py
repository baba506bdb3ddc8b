"""The Celery app of the digest benchmark: Oodaloo's app on a queue of the run's own (so no
other worker on the same Redis takes its tasks), and the sender of beat's tick.

    python -m celery -A tests.bench.bench_celery worker -Q $BENCH_QUEUE ...
    python -m tests.bench.bench_celery dispatch [ENTRY]  # what beat's entry sends (default
                                                         # `digest-dispatch`)
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.bench")

from oodaloo.celery import app  # noqa: E402

app.conf.update(task_default_queue=os.environ["BENCH_QUEUE"])

__all__ = ["app"]

if __name__ == "__main__" and sys.argv[1:2] == ["dispatch"]:
    import django

    django.setup()
    from django.conf import settings

    name = sys.argv[2] if len(sys.argv) > 2 else "digest-dispatch"
    entry = settings.CELERY_BEAT_SCHEDULE[name]  # the beat entry, as beat sends it
    app.send_task(entry["task"])
