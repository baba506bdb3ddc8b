"""Read paths for the digest pages (run inside the business's schema)."""

from datetime import date

from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce

from apps.core.dates import local_today as _local_today
from apps.digest.models import DigestEvent, DigestRun


def local_today(business) -> date:
    return _local_today(business.timezone)


def run_for_week(week: str) -> DigestRun | None:
    """The digest as sent that week (the scheduled run; else the latest resend)."""
    return DigestRun.objects.as_sent(week).first()


def runs_with_tracking(limit: int = 60):
    """Past runs with per-run tracking counts (one query)."""
    return (
        DigestRun.objects.defer("content")
        .annotate(
            recipients=Count("deliveries", filter=~Q(deliveries__state="cancelled"),
                             distinct=True),
            cancelled=Count("deliveries", filter=Q(deliveries__state="cancelled"), distinct=True),
            delivered=Count("deliveries", filter=Q(deliveries__last_event__in=[
                "delivered", "opened", "clicked"]), distinct=True),
            opened=Count("deliveries", filter=Q(deliveries__last_event__in=["opened", "clicked"]),
                         distinct=True),
            clicked=Count("deliveries", filter=Q(deliveries__last_event="clicked"), distinct=True),
            bounced=Count("deliveries", filter=Q(deliveries__last_event__in=[
                "bounced", "rejected", "failed", "complained"]), distinct=True),
        )
        .order_by("-week", "-created_at")[:limit]
    )


def receives_digest(membership) -> bool:
    if membership.receives_digest is not None:
        return membership.receives_digest
    return membership.role == "owner"


def _run_error(run: DigestRun | None) -> str:
    if run is None:
        return ""
    if run.pdf_error:  # the email went without its PDF: staff see why
        return "\n".join(filter(None, [run.error, f"PDF not attached: {run.pdf_error}"]))
    return run.error


def digest_summary(business) -> dict:
    """The latest digest of the business for the public summary row (apps/tenancy/summary.py):
    its week, state, when it was sent and when a recipient last opened one."""
    run = DigestRun.objects.defer("content").order_by("-created_at", "-id").first()
    opened = DigestEvent.objects.filter(event_type__in=["opened", "clicked"]).aggregate(
        at=Max(Coalesce("occurred_at", "received_at"))
    )["at"]
    return {
        "digest_week": run.week if run else "",
        "digest_state": run.state if run else "",
        "digest_sent_at": run.sent_at if run else None,
        "digest_started_at": run.started_at if run else None,
        "digest_error": _run_error(run),
        "digest_opened_at": opened,
        # Recipients of the latest run whose mail bounced or was rejected (the staff home).
        "digest_bounced": run.deliveries.filter(
            last_event__in=["bounced", "rejected", "failed"]).count() if run else 0,
    }
