"""Applying a customer's credit memo to one of their open invoices, through the outbox.

QBO has no "apply" call: a credit memo is applied by a Payment with TotalAmt 0 and two lines,
one linked to the Invoice (lowers its Balance) and one linked to the CreditMemo (consumes its
RemainingCredit), both for the same amount. The action key is the Payment's ``requestid`` and
is written into its ``PrivateNote`` so the reconciler can find it (as for bill payments).

Exactly once: the shared service (apps/ledger/credit_sources.py, through this module's ``MEMO``
adapter) locks the memo and the invoice; a second click with the same idempotency key
returns the first action, and any other in-flight application of the memo is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from apps.ar.applications import customer_credit_source, invoice_reread, oldest_open_invoices
from apps.ar.models import CreditMemo, Invoice
from apps.core.dates import local_today
from apps.core.errors import ApplicationError
from apps.integrations.qbo import writes
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import outbox, sinks

KIND = "credit_memo.apply"


class CreditError(ApplicationError):
    code = "credit_invalid"


# --- which invoice a credit should go to --------------------------------------------------


def credit_targets(memos: Iterable[CreditMemo]) -> dict[int, Invoice]:
    """{memo pk: the customer's open invoice with the oldest due date} — the oldest overdue
    one when any is overdue. One query whatever the number of memos."""
    return oldest_open_invoices(memos)


def _payload(business: Any, memo: CreditMemo, inv: Invoice, applied: Decimal) -> dict[str, Any]:
    return {
        "customer": memo.customer_qbo_id,
        "credit_memo": memo.qbo_id,
        "invoice": inv.qbo_id,
        "amount": str(applied),
        "date": local_today(business.timezone).isoformat(),
        "credit_memo_id": memo.pk,
        "invoice_id": inv.pk,
    }


MEMO = customer_credit_source(
    CreditMemo, "credit_memo", "balance", prefix="cm", error=CreditError, audit_left="balance",
    words=("the credit has {left} left", "This credit memo has no credit left to apply.",
           "This credit is already being applied; wait for QuickBooks to answer."),
    payload=_payload)


# --- the outbox kind ----------------------------------------------------------------------


def credit_apply_body(action: Any) -> dict[str, Any]:
    """The zero-total QBO Payment that applies the credit (see the module doc)."""
    p = action.payload or {}
    amount = outbox.payload_amount(p.get("amount"), "amount")
    return writes.credit_memo_application(
        customer=p["customer"], txn_date=outbox.payload_date(p.get("date"), "date"),
        invoice=p["invoice"], credit_memo=p["credit_memo"], amount=amount,
        note=outbox.action_note(action))


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
