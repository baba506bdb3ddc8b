from celery import shared_task

from apps.accounts.retention import auth_records_cleanup
from apps.core.tasks import PublicTask


@shared_task(name="accounts.auth_records_cleanup", base=PublicTask)
def auth_records_cleanup_task() -> dict:
    return auth_records_cleanup()
