"""Tray causes of payables: bills to approve or pay soon, and vendor credits to apply to the
vendor's next bill (plugged in ``oodaloo/wiring.py``; contract in ``apps/core/tray_causes.py``)."""

from __future__ import annotations

from decimal import Decimal

from apps.ap.models import Bill
from apps.ap.services import bill_payment_actions
from apps.ap.vendor_credits import next_bills, open_credits, unapplied
from apps.core.money import format_money
from apps.core.tray_causes import TrayCause, TrayContext, TrayKind, cash_impact
from apps.integrations.sync.models import IN_FLIGHT
from apps.ledger.credit_sources import CREDIT_APPLY

BILL_APPROVE = TrayKind("bill_approve", "Bill to approve")
BILL_PAY = TrayKind("bill_pay", "Bill to pay")
BILL_WINDOW_DAYS = 14
URGENT_DAYS = 3
BILL_ITEMS_MAX = 100  # most overdue first; the bills page lists the rest
CREDIT_ITEMS_MAX = 25


def bill_causes(ctx: TrayContext) -> list[TrayCause]:
    today, currency = ctx.today, ctx.currency
    bills = list(
        Bill.objects.due_within(today, BILL_WINDOW_DAYS)
        .exclude(status=Bill.Status.ON_HOLD)
        .exclude(status=Bill.Status.SCHEDULED, scheduled_date__gt=today)
        .select_related("vendor")
        .order_by("due_date", "pk")[:BILL_ITEMS_MAX]
    )
    if not bills:
        return []
    ctx.today_rates(bills, currency, today)  # a foreign bill at today's rate, as the forecast
    paying = set(
        bill_payment_actions(ctx.business, [b.pk for b in bills])
        .filter(state__in=IN_FLIGHT)
        .values_list("target_id", flat=True)
    )
    out = []
    for bill in bills:
        if str(bill.pk) in paying:
            continue  # a payment is on its way; the bill page shows its state
        if bill.today_home_balance is None:
            continue  # no rate: left out of the figures; the rate warning says so
        due = bill.due_date or bill.txn_date
        days_left = (due - today).days
        vendor = bill.vendor.display_name if bill.vendor else f"Vendor {bill.vendor_qbo_id}"
        approve = bill.status == Bill.Status.NEW
        when = (f"{-days_left} days overdue" if days_left < 0
                else "due today" if days_left == 0 else f"due in {days_left} days")
        amount = bill.today_home_balance
        what = f"Paying {vendor} {format_money(amount, currency)} today"
        days, sentence = cash_impact(-amount, ctx.burn, what, currency)
        out.append(TrayCause(
            f"bill:{bill.pk}", (BILL_APPROVE if approve else BILL_PAY).value, Decimal(-days_left),
            f"{'Approve' if approve else 'Pay'} {vendor}"
            + (f" · bill {bill.doc_number}" if bill.doc_number else ""),
            f"{format_money(amount, currency)} {when}.",
            amount, due, days, sentence, "bill", str(bill.pk),
            rank="bill_urgent" if days_left <= URGENT_DAYS else "bill_soon",
        ))
    return out


def vendor_credit_causes(ctx: TrayContext) -> list[TrayCause]:
    """A vendor's unused credit and the next open bill it can go against (DESIGN §4b)."""
    credits = list(open_credits().select_related("vendor").order_by("pk")[:CREDIT_ITEMS_MAX])
    targets = next_bills(credits)  # one query: each vendor's next open bill
    out = []
    for credit in credits:
        left = unapplied(credit)
        bill = targets.get(credit.pk)
        if left <= 0 or bill is None:
            continue  # nothing to apply it to yet: the forecast keeps it for later bills
        name = credit.vendor.display_name if credit.vendor else "a vendor"
        own = credit.currency or ctx.currency
        applied = min(left, bill.balance)
        number = bill.doc_number or bill.qbo_id
        out.append(TrayCause(
            f"vendor_credit:{credit.pk}", CREDIT_APPLY.value, left,
            f"Apply {name}'s credit to its next bill",
            f"{format_money(left, own)} of credit is unused in QuickBooks. Bill "
            f"{number} has {format_money(bill.balance, own)} open"
            + (f", due {bill.due_date:%b %-d}." if bill.due_date else "."),
            left if own == ctx.currency else None,
            bill.scheduled_date or bill.due_date,
            # The forecast already nets the credit against this bill: applying it makes the
            # books agree, it does not move cash.
            Decimal("0.0"),
            f"The forecast already counts {format_money(applied, own)} of this credit "
            f"against bill {number}; applying it in QuickBooks makes the books agree.",
            "vendor_credit", str(credit.pk),
        ))
    return out
