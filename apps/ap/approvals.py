"""An approval holds for the amount approved (DESIGN §7 "Money").

`Bill.approved_amount` is the balance the approval was given for. When a sync finds a bill's
QBO balance above it (an edited bill, a deleted payment), the approval lapses: the bill goes back
to "new" (its schedule cleared), a `BillEvent` and an audit entry say why, and the Prep Tray asks
for an approval again. Pay now and schedule re-check the same rule under the row lock, so a
bookkeeper cannot pay the grown balance in the gap before a sync.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from apps.ap.models import Bill, BillEvent
from apps.core.services.audit import audit_record


def bills_approval_lapse(business: Any) -> int:
    """Send every approved or scheduled bill whose balance rose above its approved amount back
    to "new". Runs inside the business's schema (the sync's bill finaliser). Returns how many."""
    grown = list(
        Bill.objects.live()
        .filter(status__in=[Bill.Status.APPROVED, Bill.Status.SCHEDULED],
                approved_amount__isnull=False, balance__gt=F("approved_amount"))
        .select_for_update()
    )
    for bill in grown:
        before = {"status": bill.status, "approved_amount": str(bill.approved_amount),
                  "approved_by": bill.approved_by_email, "scheduled_date": bill.scheduled_date}
        bill.status, bill.scheduled_date = Bill.Status.NEW, None
        bill.approved_by_email, bill.approved_at = "", None
        bill.save(update_fields=["status", "scheduled_date", "approved_by_email", "approved_at"])
        BillEvent.objects.create(bill=bill, kind="approval_lapsed", detail={
            "approved_amount": str(bill.approved_amount), "balance": str(bill.balance),
            "approved_by": before["approved_by"],
            "reason": f"QuickBooks now shows {bill.balance:,.2f} open; it was approved at "
                      f"{bill.approved_amount:,.2f}, so it needs approving again"})
        audit_record(actor=None, action="bill.approval_lapsed", business=business, obj=bill,
                     before={**before, "scheduled_date": str(before["scheduled_date"] or "")},
                     after={"status": bill.status, "balance": str(bill.balance)})
    return len(grown)

