"""What applying a customer's credit (a credit memo, or an unapplied payment) to one of their
open invoices has in common: which invoice, the amount typed on the form, the form's key, the
outbox states that count as "in flight", and re-reading the invoice once QuickBooks answered.

Used by apps/ar/credits.py (``credit_memo.apply``) and apps/ar/overpayments.py
(``payment.apply``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models.functions import Coalesce

from apps.ar.models import Invoice
from apps.core.errors import ApplicationError
from apps.core.money import parse_money
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import sinks
from apps.integrations.sync.models import Action

CENT = Decimal("0.01")
IN_FLIGHT = (Action.State.PENDING, Action.State.SENT, Action.State.UNKNOWN)


def oldest_open_invoices(sources: Iterable[Any]) -> dict[int, Invoice]:
    """{source pk: its customer's open invoice with the oldest due date} — the oldest overdue
    one when any is overdue. ``sources`` have ``pk`` and ``customer_id``. One query."""
    sources = [s for s in sources if s.customer_id]
    if not sources:
        return {}
    oldest = (
        Invoice.objects.open()
        .filter(customer_id__in={s.customer_id for s in sources})
        .order_by("customer_id", Coalesce("due_date", "txn_date"), "pk")
        .distinct("customer_id")
    )
    by_customer = {inv.customer_id: inv for inv in oldest}
    return {s.pk: by_customer[s.customer_id] for s in sources if s.customer_id in by_customer}


def form_key(prefix: str, *state: Any) -> str:
    """An idempotency key fixed by what the form showed (ids, sync tokens, balances): a double
    click, or a late second click after QBO answered, posts the same key."""
    joined = ":".join(str(part) for part in state)
    return f"{prefix}-{hashlib.sha256(joined.encode()).hexdigest()[:32]}"


def parse_amount(value: Any, error: type[ApplicationError]) -> Decimal:
    """The amount typed on the form (apps/core/money.parse_money): positive cents, or ``error``."""
    return parse_money(value, what="The amount to apply", error=error)


def invoice_reread(ctx: sinks.SinkContext, qbo_id: str) -> None:
    """Store the invoice as QBO has it now (its balance went down)."""
    from apps.ar import ingest

    if ctx.client is None:
        return
    invoice = ctx.client.read("Invoice", str(qbo_id))
    ingest.invoices_ingest(ctx, [parse_entity("Invoice", invoice)])
