"""The Celery app for the worker-crash drill: Oodaloo's app plus the drill's queue and a short
Redis visibility timeout, so a message held by a SIGKILLed worker comes back in seconds instead
of the production hour (CELERY_BROKER_TRANSPORT_OPTIONS). Used by the drill's worker and sender
processes: `python -m celery -A tests.drills.crash_celery worker -Q $DRILL_QUEUE ...`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.bench")

from oodaloo.celery import app  # noqa: E402

app.conf.update(
    task_default_queue=os.environ["DRILL_QUEUE"],
    broker_transport_options={
        "visibility_timeout": float(os.environ.get("DRILL_VISIBILITY_TIMEOUT", "6")),
        # Sweep for expired unacked messages every second (default: every 100 s).
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    },
)

__all__ = ["app"]
