"""Celery's autodiscovery imports `<app>.tasks` only: the documents tasks live one package
down, so they are registered from here (without this a worker refuses `ap.document_extract` as
an unregistered task and every uploaded bill waits forever)."""

from apps.ap.documents.tasks import (
    document_extract_task,
    documents_requeue_dispatch_task,
    documents_requeue_task,
)

__all__ = ["document_extract_task", "documents_requeue_dispatch_task", "documents_requeue_task"]
