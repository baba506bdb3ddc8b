"""Celery settings (tenant-schemas-celery) and the beat schedule; imported by base.py.
The broker URL stays in base.py beside REDIS_URL, from which it defaults."""

from datetime import timedelta

from oodaloo.settings.env import env

# --- Celery (tenant-schemas-celery); beat runs dispatcher ticks that fan out per business ---
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A task whose worker died is redelivered after this many seconds (acks_late).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
# Untrusted files are read on a queue of their own (its own worker in the Procfile), so a file
# that takes a reader to its limits delays only other files, never syncs, digests or payments.
DOCUMENTS_QUEUE = "documents"
CELERY_TASK_ROUTES = {"ap.document_extract": {"queue": DOCUMENTS_QUEUE}}


def _every(task: str, **interval: int) -> dict:
    """A beat entry: `task` every `interval` (timedelta's keywords)."""
    return {"task": task, "schedule": timedelta(**interval)}


# Housekeeping, in the public schema.
_HOUSEKEEPING = {
    "cleanup-job-runs": _every("core.job_runs_cleanup", days=1),
    "cleanup-auth-records": _every("accounts.auth_records_cleanup", days=1),
    # Spare template clones for sign-ups; also queued after each one is taken.
    "tenancy-spares-refill": _every("tenancy.spares_refill", minutes=5),
}
# Dispatchers: each finds the businesses (or firms) due and queues one task per business.
_DISPATCHERS = {
    "digest-dispatch": _every("digest.dispatch", minutes=15),
    # Each business's reminders once a day, after its local 08:00 (apps/collections).
    "reminders-dispatch": _every("reminders.dispatch", minutes=15),
    # Hourly: each business with a rule on gets one automation tick (apps/automation).
    "automation-dispatch": _every("automation.dispatch", hours=1),
    "sync-dispatch": _every("sync.dispatch", minutes=5),
    # Bill documents whose reading task was lost (never queued, worker gone) are queued again.
    "documents-requeue": _every("ap.documents_requeue_dispatch", minutes=5),
    # Owner alerts (apps/alerts): runway, cash-zero week, payments, sync, QuickBooks reconnect
    # notices (14 and 3 days before expiry), bank logins. Also evaluated after every sync.
    "alerts-dispatch": _every("alerts.dispatch", hours=1),
    "actions-reconcile": _every("sync.actions_reconcile_dispatch", minutes=10),
    # Hourly; enqueues per business on its local Monday, each stores one snapshot a week.
    "runway-snapshots": _every("runway.snapshot_dispatch", hours=1),
    # Hourly; on each firm's local Monday from 07:00, one digest per member (apps/firm/digest.py).
    "firm-digest": _every("firm.digest_dispatch", hours=1),
}
CELERY_BEAT_SCHEDULE = {**_HOUSEKEEPING, **_DISPATCHERS}
JOB_RUN_RETENTION = timedelta(days=30)
# Sign-in records (django-axes access and failure logs); expired sessions go the same night.
AUTH_LOG_RETENTION = timedelta(days=env.int("AUTH_LOG_RETENTION_DAYS", default=90))
