"""The staff home: every count staff act on, across all businesses, from public rows only.

Sync health lives on ``Business``, connections, bank items, actions, quarantine and the review
queue are public tables (one row per business or per item), digest figures come from the
``BusinessSummary`` rows: no query ever reads a business schema (DESIGN §9, docs/scaling.md).
Each count carries the admin list it links into; docs/operating.md says what fixes each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from apps.digest.staff import digest_problems
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.models import Action, QboConnection, QuarantinedRecord
from apps.review.models import ReviewTask
from apps.tenancy.models import Business, BusinessSummary

EXPIRY_HORIZON = timedelta(days=14)  # the reconnect notices' first email


@dataclass
class Count:
    key: str
    label: str
    count: int
    url: str
    alert: bool = False
    detail: list[str] = field(default_factory=list)


def _changelist(name: str, query: str = "") -> str:
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{query}" if query else url


def _stale_before(now):
    return now - timedelta(hours=settings.STAFF_SYNC_STALE_HOURS)


def sync_problems(now=None):
    """Connected businesses whose last sync failed, or that have not synced for too long."""
    now = now or timezone.now()
    connected = Business.objects.real().filter(
        qbo_connection__status=QboConnection.Status.CONNECTED)
    failing = connected.exclude(last_error="")
    stale = connected.filter(Q(last_sync_at__isnull=True) | Q(last_sync_at__lt=_stale_before(now)))
    return failing, stale


def staff_home(now=None) -> list[Count]:
    now = now or timezone.now()
    failing, stale = sync_problems(now)
    expiring = (QboConnection.objects.exclude(status=QboConnection.Status.DISCONNECTED)
                .filter(refresh_expires_at__lte=now + EXPIRY_HORIZON)
                .select_related("business").order_by("refresh_expires_at"))
    bank = PlaidItem.objects.exclude(status=PlaidItem.Status.OK)
    actions = Action.objects.filter(state__in=[Action.State.UNKNOWN, Action.State.FAILED])
    quarantined = QuarantinedRecord.objects.filter(resolved_at__isnull=True)
    waiting = ReviewTask.objects.waiting()
    sla = timedelta(hours=settings.STAFF_REVIEW_SLA_HOURS)
    oldest = waiting.aggregate(at=Min("created_at"))["at"]
    over_sla = waiting.filter(created_at__lt=now - sla).count()
    digests = BusinessSummary.objects.filter(
        digest_problems(now), updated_at__gte=now - timedelta(days=7),
    ).exclude(business__is_template=True)
    held = (BusinessSummary.objects.filter(automation_held__gt=0)
            .exclude(business__is_template=True).select_related("business"))
    paused = Business.objects.real().filter(automation_paused_at__isnull=False)
    days_left = [
        f"{c.business.name}: {max(0, (c.refresh_expires_at - now).days)} days left"
        for c in expiring[:20]
    ]
    review_detail = []
    if oldest is not None:
        hours = int((now - oldest).total_seconds() // 3600)
        review_detail.append(f"oldest waiting {hours} h (SLA {settings.STAFF_REVIEW_SLA_HOURS} h)")
    return [
        Count("sync_failing", "Syncs failing", failing.count(),
              _changelist("tenancy_business", "health=failing"), alert=True,
              detail=[b.name for b in failing[:20]]),
        Count("sync_stale", f"Syncs stale (> {settings.STAFF_SYNC_STALE_HOURS} h)", stale.count(),
              _changelist("tenancy_business", "health=stale"), alert=True),
        Count("qbo_expiring", "QuickBooks connections expiring (14 days)", expiring.count(),
              _changelist("sync_qboconnection", "expiring=14"), detail=days_left),
        Count("bank_repair", "Bank items needing repair", bank.count(),
              _changelist("plaid_plaiditem", "status__in=login_required,pending_expiration,"
                                             "disconnected")),
        Count("actions", "Payment actions unknown or failed", actions.count(),
              _changelist("sync_action", "state__in=unknown,failed"), alert=True),
        Count("quarantined", "Quarantined records", quarantined.count(),
              _changelist("sync_quarantinedrecord", "resolved_at__isempty=1")),
        Count("review_depth", "Review queue depth", waiting.count(),
              _changelist("review_reviewtask"), detail=review_detail),
        Count("review_over_sla", f"Documents waiting over the SLA "
                                 f"({settings.STAFF_REVIEW_SLA_HOURS} h)", over_sla,
              _changelist("review_reviewtask", "over_sla=1"), alert=True),
        Count("digests", "Digests failed, stuck sending or bounced this week", digests.count(),
              reverse("admin:digest-runs") + "?problem=1",
              detail=[f"{s.business.name}: {s.digest_state}"
                      + (f", {s.digest_bounced} bounced" if s.digest_bounced else "")
                      for s in digests.select_related("business")[:20]]),
        Count("automation_held", "Automation held back", held.count(),
              _changelist("tenancy_business", "automation=held"),
              detail=[f"{s.business.name}: {s.automation_held} held" for s in held[:20]]),
        Count("automation_paused", "Automation paused by staff", paused.count(),
              _changelist("tenancy_business", "automation=paused"),
              detail=[b.name for b in paused[:20]]),
    ]
