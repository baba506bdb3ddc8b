"""Tray items of real books (DESIGN §4b): a vendor's credit to apply to its next bill, and a
currency whose exchange rate is missing (its money is left out of every figure until QuickBooks
has a rate). Returned as Candidate fields; `services.tray_candidates` builds them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.ap.vendor_credits import next_bills, open_credits, unapplied
from apps.core.money import format_money
from apps.runway.engine import RunwayResult
from apps.tray.models import TrayItem

CREDIT_ITEMS_MAX = 25


def vendor_credit_candidates(result: RunwayResult | None, currency: str,
                             tier: int) -> list[dict[str, Any]]:
    credits = list(open_credits().select_related("vendor").order_by("pk")[:CREDIT_ITEMS_MAX])
    targets = next_bills(credits)  # one query: each vendor's next open bill
    out = []
    for credit in credits:
        left = unapplied(credit)
        bill = targets.get(credit.pk)
        if left <= 0 or bill is None:
            continue  # nothing to apply it to yet: the forecast keeps it for later bills
        name = credit.vendor.display_name if credit.vendor else "a vendor"
        own = credit.currency or currency
        applied = min(left, bill.balance)
        number = bill.doc_number or bill.qbo_id
        out.append({
            "key": f"vendor_credit:{credit.pk}",
            "kind": TrayItem.Kind.CREDIT_APPLY,
            "tier": tier,
            "score": left,
            "title": f"Apply {name}'s credit to its next bill",
            "detail": (f"{format_money(left, own)} of credit is unused in QuickBooks. Bill "
                       f"{number} has {format_money(bill.balance, own)} open"
                       + (f", due {bill.due_date:%b %-d}." if bill.due_date else ".")),
            "amount": left if own == currency else None,
            "due_date": bill.scheduled_date or bill.due_date,
            # The forecast already nets the credit against this bill: applying it makes the
            # books agree, it does not move cash.
            "impact_days": Decimal("0.0"),
            "impact_sentence": (
                f"The forecast already counts {format_money(applied, own)} of this credit "
                f"against bill {number}; applying it in QuickBooks makes the books agree."),
            "target_type": "vendor_credit",
            "target_id": str(credit.pk),
        })
    return out


def rate_missing_candidates(result: RunwayResult | None, tier: int) -> list[dict[str, Any]]:
    if result is None:
        return []
    missing = [f for f in result.flags if f.code == "currency_rate_missing"]
    if not missing:
        return []
    lines = "; ".join(f.message for f in missing[:3])
    more = f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""
    return [{
        "key": "currency_rate_missing",
        "kind": TrayItem.Kind.CURRENCY_RATE,
        "tier": tier,
        "score": Decimal(len(missing)),
        "title": "An exchange rate is missing: some money is left out of your figures",
        "detail": (lines + more)[:300],
        "impact_sentence": ("Add the rate in QuickBooks (Settings › Currencies); the next sync "
                            "brings that money into cash, the forecast and aging."),
    }]
