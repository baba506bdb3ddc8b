"""Extraction runs in a worker under a time limit; the task only loads, calls, and handles time."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from apps.ap.documents.limits import Limits
from apps.ap.documents.models import Document
from apps.ap.documents.services import DOCUMENT_EXTRACT, document_needs_hands, document_process
from apps.core.tasks import BusinessTask

_LIMITS = Limits()


@shared_task(
    name=DOCUMENT_EXTRACT, base=BusinessTask, bind=True,
    soft_time_limit=_LIMITS.soft_time_limit_s, time_limit=_LIMITS.soft_time_limit_s + 30,
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
