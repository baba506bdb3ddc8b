"""Applying a customer's credit memo to one of their open invoices, through the outbox.

QBO has no "apply" call: a credit memo is applied by a Payment with TotalAmt 0 and two lines,
one linked to the Invoice (lowers its Balance) and one linked to the CreditMemo (consumes its
RemainingCredit), both for the same amount. The action key is the Payment's ``requestid`` and
is written into its ``PrivateNote`` so the reconciler can find it (as for bill payments).

Exactly once: ``credit_apply`` locks the memo and the invoice; a second click with the same
idempotency key returns the first action, and any other in-flight application of the memo is
refused, so two clicks never make two Payments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ar.applications import (
    IN_FLIGHT,
    form_key,
    invoice_reread,
    oldest_open_invoices,
    parse_amount,
)
from apps.ar.models import CreditMemo, Invoice
from apps.core.dates import local_today
from apps.core.errors import ApplicationError, Conflict
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed_on_commit
from apps.core.tenant import current_business
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import outbox, sinks
from apps.integrations.sync.models import Action

KIND = "credit_memo.apply"


class CreditError(ApplicationError):
    code = "credit_invalid"


# --- which invoice a credit should go to --------------------------------------------------


def credit_targets(memos: Iterable[CreditMemo]) -> dict[int, Invoice]:
    """{memo pk: the customer's open invoice with the oldest due date} — the oldest overdue
    one when any is overdue. One query whatever the number of memos."""
    return oldest_open_invoices(memos)


@dataclass(frozen=True)
class CreditOffer:
    """What the "Apply to invoice …" button will do, and the idempotency key of that form."""

    invoice: Invoice
    amount: Decimal
    key: str


def credit_apply_key(memo: CreditMemo, invoice: Invoice) -> str:
    """Fixed by what the form showed (the memo's and invoice's versions): a double click, or a
    late second click after QBO answered, posts the same key and gets the same action."""
    return form_key("cm", memo.pk, memo.sync_token, memo.balance, invoice.pk,
                    invoice.sync_token, invoice.balance)


def credit_offers(memo_ids: Iterable[Any]) -> dict[str, CreditOffer]:
    """{memo pk as a string (tray items keep target ids as strings): its offer}. Two queries."""
    ids = [int(i) for i in memo_ids if str(i).isdigit()]
    if not ids:
        return {}
    memos = {m.pk: m for m in CreditMemo.objects.filter(pk__in=ids, is_deleted=False,
                                                         balance__gt=0)}
    return {
        str(pk): CreditOffer(inv, min(memos[pk].balance, inv.balance),
                             credit_apply_key(memos[pk], inv))
        for pk, inv in credit_targets(memos.values()).items()
    }


# --- the decision -------------------------------------------------------------------------


def _amount(value: Any) -> Decimal:
    return parse_amount(value, CreditError)


def _lock_pair(credit_memo: CreditMemo, invoice: Invoice) -> tuple[CreditMemo, Invoice]:
    memo = CreditMemo.objects.select_for_update().filter(pk=credit_memo.pk).first()
    if memo is None or memo.is_deleted:
        raise CreditError("This credit memo no longer exists in QuickBooks.")
    inv = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if inv is None or inv.is_deleted:
        raise CreditError("This invoice no longer exists in QuickBooks.")
    return memo, inv


def credit_apply(
    *,
    actor: Any,
    credit_memo: CreditMemo,
    invoice: Invoice,
    amount: Decimal | str | None = None,
    idempotency_key: str,
) -> Action:
    """Apply ``amount`` (default: as much as both allow) of the memo's remaining credit to the
    invoice, as an outbox action. The same ``idempotency_key`` returns the same action."""
    business = current_business()
    membership_require(actor, business, Role.BOOKKEEPER)
    if not idempotency_key or len(idempotency_key) > outbox.KEY_MAX:
        raise CreditError("This form is out of date; reload the page and try again.")
    # The form's token only tells clicks apart; the outbox key is made here, bound to this
    # business and to the two objects, so no token can reach another business's action.
    key = outbox.action_key(business, "cm", credit_memo.pk, invoice.pk, idempotency_key)
    existing = Action.objects.filter(business=business, key=key).first()
    if existing is not None:
        if existing.kind != KIND or existing.target_id != str(credit_memo.pk):
            raise Conflict("This form was already used for something else; reload the page.")
        return existing  # a double submit: the first click's action
    wanted = None if amount in (None, "") else _amount(amount)
    with transaction.atomic():
        memo, inv = _lock_pair(credit_memo, invoice)
        again = Action.objects.filter(business=business, key=key).first()
        if again is not None:  # the other click won the lock
            return again
        if memo.customer_qbo_id != inv.customer_qbo_id:
            raise CreditError("A credit memo can only be applied to the same customer's invoice.")
        if memo.balance <= 0:
            raise Conflict("This credit memo has no credit left to apply.")
        if inv.balance <= 0:
            raise Conflict("This invoice is already paid.")
        busy = Action.objects.filter(
            business=business, kind=KIND, target_type="credit_memo", target_id=str(memo.pk),
            state__in=IN_FLIGHT,
        ).exists()
        if busy:
            raise Conflict("This credit is already being applied; wait for QuickBooks to answer.")
        most = min(memo.balance, inv.balance)
        applied = most if wanted is None else wanted
        if applied > most:
            raise CreditError(
                f"At most {most:,.2f} can be applied: the credit has {memo.balance:,.2f} left "
                f"and the invoice {inv.balance:,.2f} open."
            )
        payload = {
            "customer": memo.customer_qbo_id,
            "credit_memo": memo.qbo_id,
            "invoice": inv.qbo_id,
            "amount": str(applied),
            "date": local_today(business.timezone).isoformat(),
            "credit_memo_id": memo.pk,
            "invoice_id": inv.pk,
        }
        action = outbox.action_create(
            business, KIND, payload, key,
            target_type="credit_memo", target_id=str(memo.pk),
            actor_email=getattr(actor, "email", ""),
        )
        audit_record(
            actor=actor, action="credit_memo.applied", business=business, obj=memo,
            before={"balance": memo.balance, "invoice_balance": inv.balance},
            after={"action": action.key, "invoice": inv.qbo_id, "amount": applied},
        )
    data_changed_on_commit(business)
    return action


def credit_actions(business: Any, memo_ids: list[int]):
    return Action.objects.filter(
        business=business, kind=KIND, target_type="credit_memo",
        target_id__in=[str(i) for i in memo_ids],
    )


# --- the outbox kind ----------------------------------------------------------------------


def credit_apply_body(action: Any) -> dict[str, Any]:
    """The zero-total QBO Payment that applies the credit (see the module doc)."""
    p = action.payload or {}
    amount = outbox.payload_amount(p.get("amount"), "amount")
    return {
        "CustomerRef": {"value": str(p["customer"])},
        "TotalAmt": Decimal("0.00"),
        "TxnDate": str(p["date"]),
        "Line": [
            {"Amount": amount, "LinkedTxn": [{"TxnId": str(p["invoice"]), "TxnType": "Invoice"}]},
            {"Amount": amount,
             "LinkedTxn": [{"TxnId": str(p["credit_memo"]), "TxnType": "CreditMemo"}]},
        ],
        "PrivateNote": f"{outbox.NOTE_PREFIX}{action.key}",
    }


def credit_apply_send(client: Any, action: Any) -> dict[str, Any]:
    return client.create("Payment", credit_apply_body(action), request_id=action.key)


def credit_apply_find(client: Any, action: Any) -> list[dict[str, Any]]:
    """Payments in QBO carrying this action's key (TxnDate is filterable; the note is not)."""
    return outbox.find_by_note(client, "Payment", credit_apply_body(action)["TxnDate"], action)


def credit_apply_after(ctx: sinks.SinkContext, action: Any) -> None:
    """QBO applied the credit: store the Payment and re-read the invoice and the memo, so
    both balances are current before the next sync."""
    from apps.ar import ingest

    p = action.payload or {}
    if action.result:
        ingest.payments_ingest(ctx, [parse_entity("Payment", action.result)])
    if ctx.client is None:
        return
    invoice_reread(ctx, p["invoice"])
    memo = ctx.client.read("CreditMemo", str(p["credit_memo"]))
    ingest.credit_memos_ingest(ctx, [parse_entity("CreditMemo", memo)])
    ingest.invoices_finalise(ctx, False)  # paid_date when the credit cleared the invoice
