"""Extraction runs in a worker under a time limit; the task only loads, calls, and handles time.
The sweep (beat) finds documents whose reading task was lost and queues them again."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django_tenants.utils import tenant_context

from apps.ap.documents.limits import Limits
from apps.ap.documents.models import Document
from apps.ap.documents.services import (
    DOCUMENT_EXTRACT,
    document_needs_hands,
    document_process,
    documents_lost,
    documents_requeue,
)
from apps.core.tasks import BusinessTask, PublicTask
from apps.tenancy.models import Business

_LIMITS = Limits()


@shared_task(
    name=DOCUMENT_EXTRACT, base=BusinessTask, bind=True,
    soft_time_limit=_LIMITS.soft_time_limit_s, time_limit=_LIMITS.hard_time_limit_s,
)
def document_extract_task(self, document_id: int) -> str:
    try:
        document = document_process(document_id=document_id)
    except SoftTimeLimitExceeded:
        document = Document.objects.get(pk=document_id)
        document = document_needs_hands(
            document, f"Reading took longer than {_LIMITS.soft_time_limit_s} s and was stopped;"
                      " please enter the fields by hand.")
    return document.state if document else "missing"


@shared_task(name="ap.documents_requeue", base=BusinessTask)
def documents_requeue_task() -> list[int]:
    return documents_requeue()


@shared_task(name="ap.documents_requeue_dispatch", base=PublicTask)
def documents_requeue_dispatch_task() -> int:
    """Beat's tick: a sweep task for each business that has a lost document (one indexed
    query per schema here, so businesses with nothing lost cost no task)."""
    sent = 0
    for business in Business.objects.real().iterator():
        with tenant_context(business):
            if documents_lost().exists():
                documents_requeue_task.delay()
                sent += 1
    return sent
