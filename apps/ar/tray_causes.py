"""Tray causes of receivables: invoices to chase, unused credit (credit memos and unapplied
payments, one builder with two adapters) and billing emails to fix (plugged in
``oodaloo/wiring.py``; contract in ``apps/core/tray_causes.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.ar.credits import credit_targets
from apps.ar.models import CreditMemo, Invoice, Payment
from apps.ar.overpayments import overpayment_targets
from apps.ar.reminders.selectors import stopped_customers
from apps.ar.services import collections_top
from apps.core.money import format_money
from apps.core.tray_causes import TrayCause, TrayContext, TrayKind, cash_impact
from apps.ledger.credit_sources import CREDIT_APPLY

INVOICE_CHASE = TrayKind("invoice_chase", "Invoice to chase")
CONTACT_FIX = TrayKind("contact_fix", "Billing email to fix")
INVOICE_ITEMS_MAX = 25  # the tray stays a short list; the invoices page has the full ranking
CREDIT_ITEMS_MAX = 25  # largest first (credit memos and unapplied payments each)


def invoice_causes(ctx: TrayContext) -> list[TrayCause]:
    today, currency, late = ctx.today, ctx.currency, ctx.late_by_customer
    ranked = collections_top(
        Invoice.objects.overdue(today).exclude(expected_date__gte=today),  # owner said when
        as_of=today,
        days_late_by_customer=late,
        limit=INVOICE_ITEMS_MAX,
    )
    out = []
    ctx.today_rates([p.invoice for p in ranked], currency, today)  # as the forecast counts it
    for p in ranked:
        inv = p.invoice
        if inv.today_home_balance is None:
            continue  # no rate: left out of the figures; the rate warning says so
        amount = inv.today_home_balance
        name = inv.customer.display_name if inv.customer else f"Customer {inv.customer_qbo_id}"
        what = f"Collecting {format_money(amount, currency)} from {name}"
        days, sentence = cash_impact(amount, ctx.burn, what, currency)
        habit = (f" Usually pays {late[inv.customer_qbo_id]} days late."
                 if late.get(inv.customer_qbo_id) and late[inv.customer_qbo_id] > 0 else "")
        out.append(TrayCause(
            f"invoice:{inv.pk}", INVOICE_CHASE.value, p.score,
            f"Chase {name}" + (f" · invoice {inv.doc_number}" if inv.doc_number else ""),
            f"{format_money(amount, currency)}, {p.days_overdue} days overdue.{habit}",
            amount, inv.due_date or inv.txn_date, days, sentence, "invoice", str(inv.pk),
        ))
    return out


@dataclass(frozen=True)
class TrayCredit:
    """How one kind of unused customer credit reads (the adapter; the builder is shared)."""

    model: Any
    amount_field: str
    key: str  # the tray key's prefix
    target_type: str
    noun: str  # "credit" | "overpayment"
    targets: Callable[[list[Any]], dict[int, Any]]  # one query: each one's oldest open invoice
    title: Callable[[Any, str], str]
    unused: str  # "{money} …" sentence
    dated: bool  # the payment's date is the item's date; a memo has none


MEMOS = TrayCredit(
    CreditMemo, "balance", "credit", "credit_memo", "credit", credit_targets,
    lambda memo, name: f"Apply {name}'s credit memo"
    + (f" {memo.doc_number}" if memo.doc_number else ""),
    "{money} of credit is unused in QuickBooks.", dated=False,
)
OVERPAYMENTS = TrayCredit(
    Payment, "unapplied_amount", "overpayment", "payment", "overpayment", overpayment_targets,
    lambda pay, name: f"Apply {name}'s overpayment",
    "{money} was received but not applied to an invoice.", dated=True,
)


def _credit_causes(ctx: TrayContext, source: TrayCredit) -> list[TrayCause]:
    currency, field = ctx.currency, source.amount_field
    rows = list(
        source.model.objects.filter(is_deleted=False, **{f"{field}__gt": 0})
        .select_related("customer")
        .order_by(f"-{field}", "pk")[:CREDIT_ITEMS_MAX]
    )
    targets = source.targets(rows)
    out = []
    for row in rows:
        left = getattr(row, field)
        own = row.currency or currency  # its own money, never added to home money unconverted
        name = row.customer.display_name if row.customer else "a customer"
        target = targets.get(row.pk)
        detail = source.unused.format(money=format_money(left, own))
        # The forecast already nets the customer's unused credit against their open invoices
        # (DESIGN §4b): applying it makes the books agree, it does not move cash or runway.
        days = Decimal("0.0") if own == currency else None  # no home figure for other money
        rate = "" if days is not None else " at today's rate"
        sentence = (f"No open invoice of {name}'s to apply it to: the forecast does not count "
                    "it.")
        if target is not None:
            number = target.doc_number or target.qbo_id
            detail += (f" Invoice {number} has {format_money(target.balance, own)} open"
                       + (f", due {target.due_date:%b %-d}." if target.due_date else "."))
            applied = format_money(min(left, target.balance), own)
            sentence = (f"The forecast already counts this {source.noun} against {name}'s open "
                        f"invoices{rate}; applying "
                        f"{applied} to invoice {number} in QuickBooks makes the books agree.")
        out.append(TrayCause(
            f"{source.key}:{row.pk}", CREDIT_APPLY.value, left, source.title(row, name), detail,
            left if own == currency else None, row.txn_date if source.dated else None, days,
            sentence, source.target_type, str(row.pk),
        ))
    return out


def credit_causes(ctx: TrayContext) -> list[TrayCause]:
    return [*_credit_causes(ctx, MEMOS), *_credit_causes(ctx, OVERPAYMENTS)]


def contact_causes(ctx: TrayContext) -> list[TrayCause]:
    """Customers whose reminders a bounce stopped: "Fix Acme's billing email"."""
    return [
        TrayCause(
            f"contact:{row.customer_id}:fix", CONTACT_FIX.value, Decimal(1),
            f"Fix {row.customer.display_name}'s billing email",
            f"Reminders to {row.customer.display_name} stopped: {row.stopped_reason}"[:300],
            impact_sentence="No runway change; until the address is fixed, no reminder "
                            "reaches them.",
            target_type="customer", target_id=str(row.customer_id),
        )
        for row in stopped_customers()
    ]
