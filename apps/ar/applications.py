"""Applying a customer's credit — a credit memo or an unapplied payment — to one of the same
customer's open invoices: the invoice side of the shared "apply a credit source" service
(apps/ledger/credit_sources.py), whose two adapters are ``MEMO`` in apps/ar/credits.py
(``credit_memo.apply``) and ``OVERPAYMENT`` in apps/ar/overpayments.py (``payment.apply``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models.functions import Coalesce

from apps.ar.models import Invoice
from apps.core.errors import ApplicationError
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import sinks
from apps.ledger.credit_sources import CreditSource, first_open_documents

__all__ = ["CreditSource", "customer_credit_source",
           "invoice_reread", "oldest_open_invoices"]


def oldest_open_invoices(sources: Iterable[Any]) -> dict[int, Invoice]:
    """{source pk: its customer's open invoice with the oldest due date} — the oldest overdue
    one when any is overdue. ``sources`` have ``pk`` and ``customer_id``. One query."""
    return first_open_documents(sources, Invoice.objects.open(), ("customer_id",),
                                Coalesce("due_date", "txn_date"))


def invoice_reread(ctx: sinks.SinkContext, qbo_id: str) -> None:
    """Store the invoice as QBO has it now (its balance went down)."""
    from apps.ar import ingest

    if ctx.client is None:
        return
    invoice = ctx.client.read("Invoice", str(qbo_id))
    ingest.invoices_ingest(ctx, [parse_entity("Invoice", invoice)])


# Both move an invoice's open balance: one application per invoice at a time (credit_sources).
INVOICE_KINDS = ("credit_memo.apply", "payment.apply")


def _same_customer(row: Any, invoice: Invoice) -> bool:
    return row.customer_qbo_id == invoice.customer_qbo_id


def customer_credit_source(model: Any, target_type: str, left: str, *, prefix: str,
                           error: type[ApplicationError], audit_left: str,
                           words: tuple[str, str, str],
                           payload: Callable[[Any, Any, Invoice, Decimal], dict[str, Any]]
                           ) -> CreditSource:
    """The adapter of a customer credit whose field ``left`` holds what is left to apply;
    ``words``: (what is left, nothing left, already being applied)."""
    left_words, nothing_left, busy = words
    return CreditSource(
        model=model, target_type=target_type, prefix=prefix, error=error, document=Invoice,
        left=lambda row: getattr(row, left), same_party=_same_customer, payload=payload,
        left_words=left_words, nothing_left=nothing_left, busy=busy,
        mismatch=f"A {target_type.replace('_', ' ')} can only be applied to the same "
                 "customer's invoice.",
        audit_left=audit_left, document_kinds=INVOICE_KINDS,
    )
