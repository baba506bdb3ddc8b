"""Task base classes: a tenant task sent without a tenant fails loudly, never runs in public;
one sent for a business deleted since is dropped (with a warning), not failed."""

import logging

from celery import shared_task
from django.db import connection
from django_tenants.utils import get_tenant_model
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

from apps.core.services.jobs import job_run_record, job_runs_cleanup

logger = logging.getLogger(__name__)


class MissingTenantError(RuntimeError):
    pass


def _deleted_business(task) -> str | None:
    """The schema a task was sent for when no business has it any more (deleted after the task
    was queued: tenant-schemas-celery could not switch, so the task would run in public)."""
    schema = get_schema_name_from_task(task, {})
    if not schema or schema == "public":
        return None
    return None if get_tenant_model().objects.filter(schema_name=schema).exists() else schema


class BusinessTask(TenantTask):
    """Base for every per-business task: refuses to run in the public schema; records a JobRun."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        if connection.schema_name == "public":
            if gone := _deleted_business(self):
                logger.warning("%s dropped: business %r no longer exists", self.name, gone)
                return None
            raise MissingTenantError(
                f"{self.name} was sent without a business; send it from tenant_context(business)"
            )
        with job_run_record(name=self.name, task_id=self.request.id or ""):
            return super().__call__(*args, **kwargs)


class PublicTask(TenantTask):
    """Base for dispatchers and housekeeping that run in the public schema on purpose."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        with job_run_record(name=self.name, task_id=self.request.id or ""):
            return super().__call__(*args, **kwargs)


@shared_task(name="core.job_runs_cleanup", base=PublicTask)
def job_runs_cleanup_task() -> int:
    return job_runs_cleanup()


@shared_task(name="core.tenant_probe", base=BusinessTask, bind=True)
def tenant_probe_task(self, table: str) -> dict:
    """Operational probe: which schema a worker ran in and how many rows it sees in `table`.

    Used by staff to check a worker's tenant routing (and by the isolation tests)."""
    from django.db import connection as conn

    from apps.core.models import JobRun

    if table not in conn.introspection.table_names():
        raise ValueError(f"unknown table {table!r}")
    with conn.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        count = cursor.fetchone()[0]
    result = {"schema": conn.schema_name, "table": table, "rows": count}
    JobRun.objects.filter(task_id=self.request.id or "").update(details=result)
    return result
