"""The staff view of digests across every business.

Runs live in each business's schema; the staff page reads the **public summary rows**
(``BusinessSummary``: the latest digest's week, state, sent and last-opened times, error),
written after every digest event — one query over one public table, however many businesses
(docs/scaling.md: cross-business pages never query many schemas). A run's full detail (timings,
deliveries) stays in its business's digest history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from apps.tenancy.models import BusinessSummary

PROBLEM_STATES = ("failed", "unknown", "partial")
# A send takes seconds to minutes; a run still `sending` this long after it began was left by a
# dead worker or a retry that keeps failing, and nothing else will surface it.
SENDING_STUCK_AFTER = timedelta(hours=1)


def digest_problems(now: datetime | None = None) -> Q:
    """Summary rows whose latest digest needs staff: failed, unknown or partial, a recipient
    bounced, or stuck in `sending` past SENDING_STUCK_AFTER (the staff home and the runs list)."""
    now = now or timezone.now()
    stuck = Q(digest_state="sending") & (Q(digest_started_at__lt=now - SENDING_STUCK_AFTER)
                                         | Q(digest_started_at__isnull=True))
    return Q(digest_state__in=PROBLEM_STATES) | Q(digest_bounced__gt=0) | stuck


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


def staff_runs(*, state: str = "", problem: bool = False, limit: int = 200,
               now: datetime | None = None) -> list[StaffRun]:
    """The latest digest of each business (newest first; ``state`` filters; ``problem``: only
    those ``digest_problems`` names — the staff home's count)."""
    rows = (
        BusinessSummary.objects.select_related("business")
        .exclude(digest_week="")
        .exclude(business__is_template=True)
        .order_by("-digest_week", "business__name")
    )
    if state:
        rows = rows.filter(digest_state=state)
    if problem:
        rows = rows.filter(digest_problems(now))
    return [
        StaffRun(r.business_id, r.business.name, r.business.schema_name, r.digest_week,
                 r.digest_state, r.digest_sent_at, r.digest_opened_at, r.digest_error)
        for r in rows[:limit]
    ]
