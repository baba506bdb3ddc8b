"""Applying a customer's overpayment (the unapplied part of a QBO Payment) to one of their open
invoices, through the outbox — the credit-memo pattern of apps/ar/credits.py.

QBO applies an unapplied payment by a sparse update of that Payment adding a line
``{Amount, LinkedTxn Invoice}``: the Payment's UnappliedAmt and the invoice's Balance go down.
A sparse update replaces the whole ``Line`` array, so the handler reads the Payment first (for
its SyncToken and lines) and sends every line back; when a line to that invoice already exists
its amount grows instead. The action key is the update's ``requestid``.

Exactly once: ``overpayment_apply`` locks the payment and the invoice; a second click with the
same idempotency key returns the first action, and any other in-flight application of the
payment is refused. The finder (reconcile) reads the Payment and looks for a line to the
invoice of at least the amount already applied there before plus this amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ar.applications import (
    IN_FLIGHT,
    form_key,
    invoice_reread,
    oldest_open_invoices,
    parse_amount,
)
from apps.ar.models import Invoice, Payment, PaymentLine
from apps.core.errors import ApplicationError, Conflict
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed_on_commit
from apps.core.tenant import current_business
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import outbox, sinks
from apps.integrations.sync.models import Action

KIND = "payment.apply"
ZERO = Decimal("0.00")


class OverpaymentError(ApplicationError):
    code = "overpayment_invalid"


@dataclass(frozen=True)
class OverpaymentOffer:
    """What the "Apply to invoice …" button will do, and the idempotency key of that form."""

    invoice: Invoice
    amount: Decimal
    key: str


def overpayment_targets(payments: Iterable[Payment]) -> dict[int, Invoice]:
    """{payment pk: the customer's open invoice with the oldest due date}. One query."""
    return oldest_open_invoices(payments)


def overpayment_apply_key(payment: Payment, invoice: Invoice) -> str:
    return form_key("op", payment.pk, payment.sync_token, payment.unapplied_amount, invoice.pk,
                    invoice.sync_token, invoice.balance)


def overpayment_offers(payment_ids: Iterable[Any]) -> dict[str, OverpaymentOffer]:
    """{payment pk as a string: its offer} for payments with money left. Two queries."""
    ids = [int(i) for i in payment_ids if str(i).isdigit()]
    if not ids:
        return {}
    payments = {p.pk: p for p in Payment.objects.filter(pk__in=ids, is_deleted=False,
                                                         unapplied_amount__gt=0)}
    return {
        str(pk): OverpaymentOffer(inv, min(payments[pk].unapplied_amount, inv.balance),
                                  overpayment_apply_key(payments[pk], inv))
        for pk, inv in overpayment_targets(payments.values()).items()
    }


# --- the decision -------------------------------------------------------------------------


def _lock_pair(payment: Payment, invoice: Invoice) -> tuple[Payment, Invoice]:
    pay = Payment.objects.select_for_update().filter(pk=payment.pk).first()
    if pay is None or pay.is_deleted:
        raise OverpaymentError("This payment no longer exists in QuickBooks.")
    inv = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if inv is None or inv.is_deleted:
        raise OverpaymentError("This invoice no longer exists in QuickBooks.")
    return pay, inv


def overpayment_apply(
    *,
    actor: Any,
    payment: Payment,
    invoice: Invoice,
    amount: Decimal | str | None = None,
    idempotency_key: str,
) -> Action:
    """Apply ``amount`` (default: as much as both allow) of the payment's unapplied money to
    the invoice, as an outbox action. The same ``idempotency_key`` returns the same action."""
    business = current_business()
    membership_require(actor, business, Role.BOOKKEEPER)
    if not idempotency_key or len(idempotency_key) > outbox.KEY_MAX:
        raise OverpaymentError("This form is out of date; reload the page and try again.")
    # The form's token only tells clicks apart; the outbox key is made here, bound to this
    # business and to the two objects, so no token can reach another business's action.
    key = outbox.action_key(business, "op", payment.pk, invoice.pk, idempotency_key)
    existing = Action.objects.filter(business=business, key=key).first()
    if existing is not None:
        if existing.kind != KIND or existing.target_id != str(payment.pk):
            raise Conflict("This form was already used for something else; reload the page.")
        return existing  # a double submit: the first click's action
    wanted = None if amount in (None, "") else parse_amount(amount, OverpaymentError)
    with transaction.atomic():
        pay, inv = _lock_pair(payment, invoice)
        again = Action.objects.filter(business=business, key=key).first()
        if again is not None:  # the other click won the lock
            return again
        if pay.customer_qbo_id != inv.customer_qbo_id:
            raise OverpaymentError("A payment can only be applied to the same customer's invoice.")
        if pay.unapplied_amount <= 0:
            raise Conflict("This payment has nothing left to apply.")
        if inv.balance <= 0:
            raise Conflict("This invoice is already paid.")
        busy = Action.objects.filter(
            business=business, kind=KIND, target_type="payment", target_id=str(pay.pk),
            state__in=IN_FLIGHT,
        ).exists()
        if busy:
            raise Conflict("This payment is already being applied; wait for QuickBooks to answer.")
        most = min(pay.unapplied_amount, inv.balance)
        applied = most if wanted is None else wanted
        if applied > most:
            raise OverpaymentError(
                f"At most {most:,.2f} can be applied: the payment has {pay.unapplied_amount:,.2f} "
                f"unapplied and the invoice {inv.balance:,.2f} open."
            )
        before = PaymentLine.objects.filter(payment=pay, invoice_qbo_id=inv.qbo_id).aggregate(
            s=Sum("amount"))["s"] or ZERO
        payload = {
            "payment": pay.qbo_id,
            "invoice": inv.qbo_id,
            "amount": str(applied),
            "already_applied": str(before),  # this payment's line to the invoice before
            "payment_id": pay.pk,
            "invoice_id": inv.pk,
        }
        action = outbox.action_create(
            business, KIND, payload, key,
            target_type="payment", target_id=str(pay.pk),
            actor_email=getattr(actor, "email", ""),
        )
        audit_record(
            actor=actor, action="payment.applied", business=business, obj=pay,
            before={"unapplied": pay.unapplied_amount, "invoice_balance": inv.balance},
            after={"action": action.key, "invoice": inv.qbo_id, "amount": applied},
        )
    data_changed_on_commit(business)
    return action


def overpayment_actions(business: Any, payment_ids: list[int]):
    return Action.objects.filter(
        business=business, kind=KIND, target_type="payment",
        target_id__in=[str(i) for i in payment_ids],
    )


# --- the outbox kind ----------------------------------------------------------------------


def _links_invoice(line: Any, invoice: str) -> bool:
    return isinstance(line, dict) and any(
        isinstance(t, dict) and t.get("TxnType") == "Invoice" and str(t.get("TxnId")) == invoice
        for t in line.get("LinkedTxn") or []
    )


def overpayment_apply_body(action: Any, current: dict[str, Any]) -> dict[str, Any]:
    """The sparse update of ``current`` (the Payment as QBO has it) adding the amount to the
    invoice: every existing line is sent back, since QBO replaces the ``Line`` array."""
    p = action.payload or {}
    amount = outbox.payload_amount(p.get("amount"), "amount")
    invoice = str(p["invoice"])
    lines = [dict(x) for x in current.get("Line") or [] if isinstance(x, dict)]
    for line in lines:
        if _links_invoice(line, invoice):
            line["Amount"] = Decimal(str(line.get("Amount") or 0)) + amount
            break
    else:
        lines.append({"Amount": amount,
                      "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]})
    return {"Id": str(current["Id"]), "SyncToken": str(current["SyncToken"]), "Line": lines}


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
    applied = sum(
        (Decimal(str(x.get("Amount") or 0)) for x in payment.get("Line") or []
         if _links_invoice(x, str(p["invoice"]))),
        ZERO,
    )
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
