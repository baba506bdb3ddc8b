"""Task base classes: a tenant task sent without a tenant fails loudly, never runs in public."""

from celery import shared_task
from django.db import connection
from tenant_schemas_celery.task import TenantTask

from apps.core.services.jobs import job_run_record, job_runs_cleanup


class MissingTenantError(RuntimeError):
    pass


class BusinessTask(TenantTask):
    """Base for every per-business task: refuses to run in the public schema; records a JobRun."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        if connection.schema_name == "public":
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
