"""The staff view of digests across every business.

Runs live in each business's schema; the staff page reads the **public summary rows**
(``BusinessSummary``: the latest digest's week, state, sent and last-opened times, error),
written after every digest event — one query over one public table, however many businesses
(docs/scaling.md: cross-business pages never query many schemas). A run's full detail (timings,
deliveries) stays in its business's digest history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from apps.tenancy.models import BusinessSummary


@dataclass(frozen=True)
class StaffRun:
    business_id: int
    business_name: str
    schema: str
    week: str
    state: str
    sent_at: datetime | None
    opened_at: datetime | None
    error: str


def staff_runs(*, state: str = "", problem: bool = False, limit: int = 200) -> list[StaffRun]:
    """The latest digest of each business (newest first; ``state`` filters; ``problem``: only
    failed, unknown or partial runs, or ones with a bounced recipient — the staff home's count)."""
    rows = (
        BusinessSummary.objects.select_related("business")
        .exclude(digest_week="")
        .exclude(business__is_template=True)
        .order_by("-digest_week", "business__name")
    )
    if state:
        rows = rows.filter(digest_state=state)
    if problem:
        rows = rows.filter(Q(digest_state__in=["failed", "unknown", "partial"])
                           | Q(digest_bounced__gt=0))
    return [
        StaffRun(r.business_id, r.business.name, r.business.schema_name, r.digest_week,
                 r.digest_state, r.digest_sent_at, r.digest_opened_at, r.digest_error)
        for r in rows[:limit]
    ]
