"""Keeping spare schemas ready for sign-ups (apps/tenancy/spares.py)."""

from celery import shared_task

from apps.core.tasks import PublicTask
from apps.tenancy.spares import spares_refill


@shared_task(name="tenancy.spares_refill", base=PublicTask)
def spares_refill_task() -> dict:
    """Idempotent: clones only up to the configured number; a second run finds them ready."""
    return spares_refill()
