"""The staff view of digest runs across every business.

Runs live in each business's schema. Instead of copying them into public, the staff page reads
them with one `UNION ALL` query over the schemas (schema names come from our Business table and
are quoted as identifiers), newest first. On Citus schema sharding this is a fan-out query
across nodes, still one round trip from Django (docs/digest.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from apps.tenancy.models import Business

_COLUMNS = ("id", "key", "week", "state", "late", "attempts", "created_at", "started_at",
            "sent_at", "render_ms", "send_ms", "pdf_bytes", "pdf_pages", "stale", "error")


@dataclass(frozen=True)
class StaffRun:
    business_id: int
    business_name: str
    schema: str
    id: int
    key: str
    week: str
    state: str
    late: bool
    attempts: int
    created_at: datetime
    started_at: datetime | None
    sent_at: datetime | None
    render_ms: int | None
    send_ms: int | None
    pdf_bytes: int | None
    pdf_pages: int | None
    stale: bool
    error: str
    recipients: int
    sent: int
    unknown: int


def staff_runs(*, state: str = "", limit: int = 200) -> list[StaffRun]:
    businesses = list(Business.objects.real().order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name='digest_digestrun'"
        )
        present = {row[0] for row in cursor.fetchall()}
    businesses = [b for b in businesses if b.schema_name in present]
    if not businesses:
        return []
    qn = connection.ops.quote_name
    cols = ", ".join(f"r.{c}" for c in _COLUMNS)
    parts = []
    params: list = []
    for b in businesses:
        s = qn(b.schema_name)
        parts.append(
            f"SELECT %s::bigint AS business_id, {cols}, "
            f"(SELECT count(*) FROM {s}.digest_digestdelivery d WHERE d.run_id = r.id) "
            f"AS recipients, "
            f"(SELECT count(*) FROM {s}.digest_digestdelivery d WHERE d.run_id = r.id "
            f"AND d.state = 'sent') AS sent, "
            f"(SELECT count(*) FROM {s}.digest_digestdelivery d WHERE d.run_id = r.id "
            f"AND d.state = 'unknown') AS unknown "
            f"FROM {s}.digest_digestrun r" + (" WHERE r.state = %s" if state else "")
        )
        params.append(b.pk)
        if state:
            params.append(state)
    sql = " UNION ALL ".join(parts) + " ORDER BY created_at DESC LIMIT %s"
    params.append(limit)
    by_id = {b.pk: b for b in businesses}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        b = by_id[row[0]]
        out.append(StaffRun(row[0], b.name, b.schema_name, *row[1:]))
    return out
