"""Deletions a full listing reveals: rows we have that a complete read of their type did not
return.

QBO's queries never return deleted objects; only CDC reports deletes, and only for 30 days. So
after a gap longer than that, or when a delete was missed, the rows of a type that every page
of its full listing left untouched (``synced_at`` older than the run's start) are candidates.
Each is asked for by Id before it is marked deleted: a row a listing skipped (pages shifting
while QBO was edited) comes back and is stored instead. Only full listings sweep: an
incremental run sees changes, not everything, so absence there means nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from apps.integrations.qbo.client import QboClient
from apps.integrations.sync.company_change import synced_models
from apps.integrations.sync.models import QboConnection, QuarantinedRecord
from apps.integrations.sync.qbo_pages import (
    ID_CHUNK,
    PAGE,
    RATES,
    SOURCE,
    _chunks,
    _RunState,
    ingest_page,
)

# Rates have no Id to ask for (their qbo_id is our own key) and are upserted by date.
UNSWEPT = frozenset({RATES})


def vanished_mark(state: _RunState, client: QboClient, conn: QboConnection,
                  entities: Sequence[str], started: datetime) -> dict[str, int]:
    """After a complete read of ``entities`` that began at ``started``: mark deleted (through
    the sinks, as a CDC delete) what QBO no longer has. Returns {entity: rows marked}."""
    models = {m.__name__: m for m in synced_models()}
    gone: dict[str, list[str]] = {}
    for entity in entities:
        model = models.get(entity)
        if model is None or entity in UNSWEPT:
            continue
        held = set(QuarantinedRecord.objects.filter(
            business=state.ctx.business, source=SOURCE, entity=entity, resolved_at__isnull=True,
        ).values_list("external_id", flat=True))  # QBO has them; we could not store them
        unseen = [
            qbo_id for qbo_id in model._base_manager.filter(
                realm_id=conn.realm_id, is_deleted=False, synced_at__lt=started,
                # Rows QBO sent carry its timestamp; ours awaiting their first push do not.
                qbo_updated_at__isnull=False,
            ).values_list("qbo_id", flat=True)
            if qbo_id not in held
        ]
        missing = _absent_in_qbo(state, client, entity, unseen)
        if missing:
            gone[entity] = missing
    with transaction.atomic():
        for entity, ids in gone.items():
            for page in _chunks(ids):
                ingest_page(state, entity, [{"Id": i, "status": "Deleted"} for i in page])
    return {entity: len(ids) for entity, ids in gone.items()}


def _absent_in_qbo(state: _RunState, client: QboClient, entity: str,
                   ids: list[str]) -> list[str]:
    """The ids QBO does not return by Id; the ones it returns are stored (the listing missed
    them)."""
    missing: list[str] = []
    for chunk in _chunks(ids, ID_CHUNK):
        quoted = ", ".join("'" + i.replace("'", "") + "'" for i in chunk)
        rows = client.query(f"SELECT * FROM {entity} WHERE Id IN ({quoted}) MAXRESULTS {PAGE}")
        if rows:
            ingest_page(state, entity, rows)
        found = {str(row.get("Id")) for row in rows}
        missing += [i for i in chunk if i not in found]
    return missing
