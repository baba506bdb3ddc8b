"""Applying a customer's overpayment (the unapplied part of a QBO Payment) to one of their open
invoices, through the outbox — the credit-memo pattern of apps/ar/credits.py.

QBO applies an unapplied payment by a sparse update of that Payment adding a line
``{Amount, LinkedTxn Invoice}``: the Payment's UnappliedAmt and the invoice's Balance go down.
A sparse update replaces the whole ``Line`` array, so the handler reads the Payment first (for
its SyncToken and lines) and sends every line back; when a line to that invoice already exists
its amount grows instead. The action key is the update's ``requestid``.

Exactly once: the shared service (apps/ledger/credit_sources.py, through this module's
``OVERPAYMENT`` adapter) locks the payment and the invoice; a second click with the same
idempotency key returns the first action, and any other in-flight application is refused.
The finder (reconcile) reads the Payment and looks for a line to the
invoice of at least the amount already applied there before plus this amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from apps.ar.applications import customer_credit_source, invoice_reread, oldest_open_invoices
from apps.ar.models import Invoice, Payment, PaymentLine
from apps.core.errors import ApplicationError
from apps.integrations.qbo import writes
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import outbox, sinks

KIND = "payment.apply"
ZERO = Decimal("0.00")


class OverpaymentError(ApplicationError):
    code = "overpayment_invalid"


def overpayment_targets(payments: Iterable[Payment]) -> dict[int, Invoice]:
    """{payment pk: the customer's open invoice with the oldest due date}. One query."""
    return oldest_open_invoices(payments)


def _payload(business: Any, pay: Payment, inv: Invoice, applied: Decimal) -> dict[str, Any]:
    before = PaymentLine.objects.filter(payment=pay, invoice_qbo_id=inv.qbo_id).aggregate(
        s=Sum("amount"))["s"] or ZERO
    return {
        "payment": pay.qbo_id,
        "invoice": inv.qbo_id,
        "amount": str(applied),
        "already_applied": str(before),  # this payment's line to the invoice before
        "payment_id": pay.pk,
        "invoice_id": inv.pk,
    }


OVERPAYMENT = customer_credit_source(
    Payment, "payment", "unapplied_amount", prefix="op", error=OverpaymentError,
    audit_left="unapplied",
    words=("the payment has {left} unapplied", "This payment has nothing left to apply.",
           "This payment is already being applied; wait for QuickBooks to answer."),
    payload=_payload)


# --- the outbox kind ----------------------------------------------------------------------


def overpayment_apply_body(action: Any, current: dict[str, Any]) -> dict[str, Any]:
    """The sparse update of ``current`` (the Payment as QBO has it) adding the amount to the
    invoice (apps/integrations/qbo/writes.payment_application)."""
    p = action.payload or {}
    amount = outbox.payload_amount(p.get("amount"), "amount")
    return writes.payment_application(current, invoice=p["invoice"], amount=amount)


def overpayment_apply_send(client: Any, action: Any) -> dict[str, Any]:
    current = client.read("Payment", str(action.payload["payment"]))
    return client.update("Payment", overpayment_apply_body(action, current),
                         request_id=action.key)


def overpayment_apply_find(client: Any, action: Any) -> list[dict[str, Any]]:
    """[the Payment] when it has a line to the invoice of at least what was there before plus
    this amount, else []."""
    p = action.payload or {}
    wanted = Decimal(str(p.get("already_applied") or 0)) + Decimal(str(p["amount"]))
    payment = client.read("Payment", str(p["payment"]))
    applied = writes.linked_amount(payment, "Invoice", p["invoice"])
    return [payment] if applied >= wanted else []


def overpayment_apply_after(ctx: sinks.SinkContext, action: Any) -> None:
    """QBO applied the money: re-read the payment and the invoice, so both are current."""
    from apps.ar import ingest

    p = action.payload or {}
    payment = action.result
    if ctx.client is not None:
        payment = ctx.client.read("Payment", str(p["payment"]))
    if payment:
        ingest.payments_ingest(ctx, [parse_entity("Payment", payment)])
    invoice_reread(ctx, p["invoice"])
    ingest.invoices_finalise(ctx, False)  # paid_date when the payment cleared the invoice
