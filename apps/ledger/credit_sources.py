"""Applying a *credit source* to one of the same party's open documents, through the outbox: a
customer's credit memo or unapplied payment to an invoice (apps/ar/credits.py,
apps/ar/overpayments.py), a vendor's credit to a bill (apps/ap/vendor_credits.py).

One service — the form's key, the in-flight actions and ``apply`` — and one ``CreditSource``
adapter per kind, which names the models, the words and the outbox
payload. It sits below ap and ar (independent siblings) so both use the same code.

Exactly once: the source and the document are locked; a second click with the same idempotency
key returns the first action; any other in-flight application of the same source is refused.
The outbox key is made here, bound to the business and to the two objects, so no form token can
reach another business's action.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.core.errors import ApplicationError, Conflict
from apps.core.money import parse_money
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed_on_commit
from apps.core.tenant import current_business
from apps.core.tray_causes import TrayKind
from apps.integrations.sync import outbox
from apps.integrations.sync.models import IN_FLIGHT, Action

# Both credit sources (vendor credits, credit memos and overpayments) raise this tray kind.
CREDIT_APPLY = TrayKind("credit_apply", "Credit to apply")


def document_busy(business: Any, document: Any, kinds: Iterable[str]) -> bool:
    """Is an action of ``kinds`` that moves this bill's or invoice's open balance (a payment, a
    credit application) on its way? Two of them could each fit the balance QBO still shows and
    together exceed it, so a document takes one at a time. They name it in their payload by
    its QBO id, under its noun ("bill", "invoice")."""
    return Action.objects.filter(
        business=business, kind__in=list(kinds), state__in=IN_FLIGHT,
        **{f"payload__{document._meta.model_name}": document.qbo_id},
    ).exists()


def form_key(prefix: str, *state: Any) -> str:
    """An idempotency key fixed by what the form showed (ids, sync tokens, balances): a double
    click, or a late second click after QBO answered, posts the same key."""
    joined = ":".join(str(part) for part in state)
    return f"{prefix}-{hashlib.sha256(joined.encode()).hexdigest()[:32]}"


def first_open_documents(sources: Iterable[Any], documents: Any, keys: tuple[str, ...],
                         first_by: Any) -> dict[int, Any]:
    """{source pk: the first of ``documents`` (open invoices or bills) by ``first_by`` that
    shares the source's ``keys`` (its party id first, then e.g. its currency)}. One query."""
    party = keys[0]
    sources = [s for s in sources if getattr(s, party)]
    if not sources:
        return {}
    first = (documents.filter(**{f"{party}__in": {getattr(s, party) for s in sources}})
             .order_by(*keys, first_by, "pk").distinct(*keys))
    by_key = {tuple(getattr(d, k) for k in keys): d for d in first}
    out = {}
    for source in sources:
        document = by_key.get(tuple(getattr(source, k) for k in keys))
        if document is not None:
            out[source.pk] = document
    return out


@dataclass(frozen=True)
class CreditOffer:
    """What an "Apply to invoice/bill …" button will do, and the idempotency key of that form
    (built by the tray: apps/tray/offers.py)."""

    document: Any  # the Invoice or Bill it goes to
    amount: Decimal
    key: str


@dataclass(frozen=True)
class CreditSource:
    """The adapter: how one kind of credit is read, matched to a document, worded and sent.

    ``target_type`` ("credit_memo", "payment", "vendor_credit") names the outbox target, the
    kind (``<target_type>.apply``), the audit action (``<target_type>.applied``) and, spaced,
    the noun of the messages."""

    model: Any  # CreditMemo | Payment | VendorCredit
    target_type: str
    prefix: str  # of the form and outbox keys: "cm" | "op" | "vc"
    error: type[ApplicationError]
    document: Any  # the model it is applied to: Invoice | Bill
    left: Callable[[Any], Decimal]  # what is left to apply on a row
    same_party: Callable[[Any, Any], bool]  # may this row go to this document?
    payload: Callable[[Any, Any, Any, Decimal], dict[str, Any]]  # (business, row, doc, amount)
    mismatch: str  # when same_party refuses
    nothing_left: str
    busy: str  # another application of the row is in flight
    document_kinds: tuple[str, ...]  # every outbox kind that moves the document's balance
    left_words: str  # "the credit has {left} left"
    audit_left: str  # the audit's name for what was left: "balance" | "unapplied"

    @property
    def kind(self) -> str:
        return f"{self.target_type}.apply"

    @property
    def noun(self) -> str:
        return self.target_type.replace("_", " ")

    @property
    def document_noun(self) -> str:
        return self.document._meta.model_name  # "invoice" | "bill"

    def key(self, row: Any, document: Any) -> str:
        """The form's idempotency key, fixed by both objects' versions."""
        return self.key_for(row.pk, row.sync_token, self.left(row), document)

    def key_for(self, pk: int, sync_token: str, left: Decimal, document: Any) -> str:
        """The same key from the row's id, version and what is left (the tray page reads its
        offers in one statement, without the rows: apps/tray/offers.py)."""
        return form_key(self.prefix, pk, sync_token, left, document.pk, document.sync_token,
                        document.balance)

    def actions(self, business: Any, ids: Iterable[Any]):
        return Action.objects.filter(business=business, kind=self.kind,
                                     target_type=self.target_type,
                                     target_id__in=[str(i) for i in ids])

    def _lock_pair(self, row: Any, document: Any) -> tuple[Any, Any]:
        locked = self.model.objects.select_for_update().filter(pk=row.pk).first()
        if locked is None or locked.is_deleted:
            raise self.error(f"This {self.noun} no longer exists in QuickBooks.")
        doc = self.document.objects.select_for_update().filter(pk=document.pk).first()
        if doc is None or doc.is_deleted:
            raise self.error(f"This {self.document_noun} no longer exists in QuickBooks.")
        return locked, doc

    def apply(self, *, actor: Any, row: Any, document: Any, amount: Decimal | str | None = None,
              idempotency_key: str) -> Action:
        """Apply ``amount`` (default: as much as both allow) of what is left on ``row`` to the
        document, as an outbox action. The same ``idempotency_key`` returns the same action."""
        business = current_business()
        membership_require(actor, business, Role.BOOKKEEPER)
        if not idempotency_key:
            raise self.error("This form is out of date; reload the page and try again.")
        if len(idempotency_key) > outbox.TOKEN_MAX:
            raise self.error(f"The idempotency key is too long ({outbox.TOKEN_MAX} characters "
                             "at most).")
        key = outbox.action_key(business, self.prefix, row.pk, document.pk, idempotency_key)
        existing = Action.objects.filter(business=business, key=key).first()
        if existing is not None:
            if existing.kind != self.kind or existing.target_id != str(row.pk):
                raise Conflict("This form was already used for something else; reload the page.")
            return existing  # a double submit: the first click's action
        wanted = (None if amount in (None, "") else
                  parse_money(amount, what="The amount to apply", error=self.error))
        with transaction.atomic():
            row, doc = self._lock_pair(row, document)
            again = Action.objects.filter(business=business, key=key).first()
            if again is not None:  # the other click won the lock
                return again
            if not self.same_party(row, doc):
                raise self.error(self.mismatch)
            left = self.left(row)
            if left <= 0:
                raise Conflict(self.nothing_left)
            if doc.balance <= 0:
                raise Conflict(f"This {self.document_noun} is already paid.")
            if self.actions(business, [row.pk]).filter(state__in=IN_FLIGHT).exists():
                raise Conflict(self.busy)
            if document_busy(business, doc, self.document_kinds):
                raise Conflict(f"Another payment or credit for this {self.document_noun} is on "
                               "its way; wait for QuickBooks to answer.")
            most = min(left, doc.balance)
            applied = most if wanted is None else wanted
            if applied > most:
                raise self.error(
                    f"At most {most:,.2f} can be applied: "
                    + self.left_words.format(left=f"{left:,.2f}")
                    + f" and the {self.document_noun} {doc.balance:,.2f} open."
                )
            action = outbox.action_create(
                business, self.kind, self.payload(business, row, doc, applied), key,
                target_type=self.target_type, target_id=str(row.pk),
                actor_email=getattr(actor, "email", ""),
            )
            audit_record(
                actor=actor, action=f"{self.target_type}.applied", business=business, obj=row,
                before={self.audit_left: left, f"{self.document_noun}_balance": doc.balance},
                after={"action": action.key, self.document_noun: doc.qbo_id, "amount": applied},
            )
        data_changed_on_commit(business)
        return action
