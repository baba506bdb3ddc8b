"""Celery's autodiscovery imports `<app>.tasks` only: the documents task lives one package
down, so it is registered from here (without this a worker refuses `ap.document_extract` as an
unregistered task and every uploaded bill waits forever)."""

from apps.ap.documents.tasks import document_extract_task

__all__ = ["document_extract_task"]
