"""Applying a *credit source* — a credit memo or an unapplied payment — to one of the same
customer's open invoices: one service (``credit_source_apply``, offers, keys, in-flight actions)
and two adapters (``CreditSource`` values in apps/ar/credits.py for ``credit_memo.apply`` and
apps/ar/overpayments.py for ``payment.apply``), which differ only in their model, field, words
and the outbox payload. Exactly once: the source and the invoice are locked; a second click with
the same idempotency key returns the first action; any other in-flight application of the same
source is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models.functions import Coalesce

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ar.models import Invoice
from apps.core.errors import ApplicationError, Conflict
from apps.core.money import parse_money
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed_on_commit
from apps.core.tenant import current_business
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import outbox, sinks
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


# --- the one service over both sources ----------------------------------------------------


@dataclass(frozen=True)
class CreditSource:
    """The adapter: how one kind of customer credit is read, worded and sent."""

    model: Any  # CreditMemo | Payment
    left: str  # the field with what is left to apply: "balance" | "unapplied_amount"
    kind: str  # the outbox kind
    prefix: str  # of the form and outbox keys: "cm" | "op"
    target_type: str  # "credit_memo" | "payment"
    error: type[ApplicationError]
    noun: str  # "credit memo" | "payment"
    audit_action: str
    audit_left: str  # the audit's name for what was left: "balance" | "unapplied"
    left_words: str  # "the credit has {left} left" | "the payment has {left} unapplied"
    nothing_left: str
    busy: str
    payload: Callable[[Any, Any, Invoice, Decimal], dict[str, Any]]  # (business, row, inv, amt)


@dataclass(frozen=True)
class CreditOffer:
    """What the "Apply to invoice …" button will do, and the idempotency key of that form."""

    invoice: Invoice
    amount: Decimal
    key: str


def credit_source_key(source: CreditSource, row: Any, invoice: Invoice) -> str:
    """Fixed by what the form showed (both objects' versions): a double click, or a late second
    click after QBO answered, posts the same key and gets the same action."""
    return form_key(source.prefix, row.pk, row.sync_token, getattr(row, source.left),
                    invoice.pk, invoice.sync_token, invoice.balance)


def credit_source_offers(source: CreditSource, ids: Iterable[Any]) -> dict[str, CreditOffer]:
    """{pk as a string (tray items keep target ids as strings): its offer}. Two queries."""
    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        return {}
    rows = {r.pk: r for r in source.model.objects.filter(
        pk__in=ids, is_deleted=False, **{f"{source.left}__gt": 0})}
    return {
        str(pk): CreditOffer(inv, min(getattr(rows[pk], source.left), inv.balance),
                             credit_source_key(source, rows[pk], inv))
        for pk, inv in oldest_open_invoices(rows.values()).items()
    }


def credit_source_actions(source: CreditSource, business: Any, ids: list[int]):
    return Action.objects.filter(business=business, kind=source.kind,
                                 target_type=source.target_type,
                                 target_id__in=[str(i) for i in ids])


def _lock_pair(source: CreditSource, row: Any, invoice: Invoice) -> tuple[Any, Invoice]:
    locked = source.model.objects.select_for_update().filter(pk=row.pk).first()
    if locked is None or locked.is_deleted:
        raise source.error(f"This {source.noun} no longer exists in QuickBooks.")
    inv = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if inv is None or inv.is_deleted:
        raise source.error("This invoice no longer exists in QuickBooks.")
    return locked, inv


def credit_source_apply(source: CreditSource, *, actor: Any, row: Any, invoice: Invoice,
                        amount: Decimal | str | None, idempotency_key: str) -> Action:
    """Apply ``amount`` (default: as much as both allow) of what is left on ``row`` to the
    invoice, as an outbox action. The same ``idempotency_key`` returns the same action."""
    business = current_business()
    membership_require(actor, business, Role.BOOKKEEPER)
    if not idempotency_key or len(idempotency_key) > outbox.KEY_MAX:
        raise source.error("This form is out of date; reload the page and try again.")
    # The form's token only tells clicks apart; the outbox key is made here, bound to this
    # business and to the two objects, so no token can reach another business's action.
    key = outbox.action_key(business, source.prefix, row.pk, invoice.pk, idempotency_key)
    existing = Action.objects.filter(business=business, key=key).first()
    if existing is not None:
        if existing.kind != source.kind or existing.target_id != str(row.pk):
            raise Conflict("This form was already used for something else; reload the page.")
        return existing  # a double submit: the first click's action
    wanted = None if amount in (None, "") else parse_amount(amount, source.error)
    with transaction.atomic():
        row, inv = _lock_pair(source, row, invoice)
        again = Action.objects.filter(business=business, key=key).first()
        if again is not None:  # the other click won the lock
            return again
        if row.customer_qbo_id != inv.customer_qbo_id:
            raise source.error(
                f"A {source.noun} can only be applied to the same customer's invoice.")
        left = getattr(row, source.left)
        if left <= 0:
            raise Conflict(source.nothing_left)
        if inv.balance <= 0:
            raise Conflict("This invoice is already paid.")
        if credit_source_actions(source, business, [row.pk]).filter(state__in=IN_FLIGHT).exists():
            raise Conflict(source.busy)
        most = min(left, inv.balance)
        applied = most if wanted is None else wanted
        if applied > most:
            raise source.error(
                f"At most {most:,.2f} can be applied: "
                + source.left_words.format(left=f"{left:,.2f}")
                + f" and the invoice {inv.balance:,.2f} open."
            )
        action = outbox.action_create(
            business, source.kind, source.payload(business, row, inv, applied), key,
            target_type=source.target_type, target_id=str(row.pk),
            actor_email=getattr(actor, "email", ""),
        )
        audit_record(
            actor=actor, action=source.audit_action, business=business, obj=row,
            before={source.audit_left: left, "invoice_balance": inv.balance},
            after={"action": action.key, "invoice": inv.qbo_id, "amount": applied},
        )
    data_changed_on_commit(business)
    return action
