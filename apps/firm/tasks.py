from celery import shared_task

from apps.core.tasks import PublicTask
from apps.firm.digest import firm_digest_dispatch


@shared_task(name="firm.digest_dispatch", base=PublicTask)
def firm_digest_dispatch_task() -> int:
    """Hourly from beat; each member's weekly row makes repeats and retries safe."""
    return firm_digest_dispatch()
