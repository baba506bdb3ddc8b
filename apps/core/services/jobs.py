"""Job-run history: every task records its state, timings and error; old history is cleaned up."""

from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.core.models import JobRun


def _business_id() -> int | None:
    tenant = getattr(connection, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        return None
    return tenant.pk


@contextmanager
def job_run_record(*, name: str, key: str = "", task_id: str = ""):
    """Wrap a unit of work; the run is marked failed (with the error) if the body raises."""
    run = JobRun.objects.create(
        name=name, key=key, task_id=task_id or "", business_id=_business_id()
    )
    try:
        yield run
    except BaseException as exc:
        run.state = JobRun.State.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:4000]
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
        raise
    run.state = JobRun.State.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])


def job_runs_cleanup(*, now=None) -> int:
    """Delete run history older than the retention (30 days by default)."""
    cutoff = (now or timezone.now()) - settings.JOB_RUN_RETENTION
    deleted, _ = JobRun.objects.filter(started_at__lt=cutoff).delete()
    return deleted
