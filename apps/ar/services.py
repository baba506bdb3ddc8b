"""Collections: "expect on" dates and the priority list (reminders: apps/ar/reminders).

Collections priority = open balance × days overdue × the customer's habit factor, where the
habit factor = 1 + max(0, average days late) ÷ 30, capped at 4 (a customer who usually pays a
month late counts double; one with no history counts once). See docs/portal.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ar.models import Invoice
from apps.core.dates import date_in_next_year, local_today
from apps.core.errors import ApplicationError, Conflict
from apps.core.services.audit import audited_update
from apps.core.services.data_version import data_changed_on_commit
from apps.core.tenant import current_business

HABIT_CAP = Decimal(4)


class InvoiceError(ApplicationError):
    code = "invoice_invalid"






def _lock(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if locked is None:
        raise InvoiceError("This invoice no longer exists.")
    if locked.is_deleted:
        raise InvoiceError("This invoice was deleted in QuickBooks.")
    return locked


# --- priority (pure) ----------------------------------------------------------------------


def habit_factor(avg_days_late: Decimal | None) -> Decimal:
    if avg_days_late is None or avg_days_late <= 0:
        return Decimal(1)
    return min(Decimal(1) + Decimal(avg_days_late) / 30, HABIT_CAP)


@dataclass(frozen=True)
class Priority:
    invoice: Any
    days_overdue: int
    factor: Decimal
    score: Decimal


def collections_priority(
    invoices: Iterable[Any],
    *,
    as_of: date,
    days_late_by_customer: Mapping[str, Decimal | None],
    customer_key: Callable[[Any], str] = lambda inv: inv.customer_qbo_id,
) -> list[Priority]:
    """Overdue open invoices, highest priority first. `days_late_by_customer` maps a customer's
    key (the QBO customer id, as the runway's habits use) to its average days late."""
    ranked = []
    for inv in invoices:
        due = inv.due_date or inv.txn_date
        days = (as_of - due).days
        if days <= 0 or inv.balance <= 0:
            continue
        factor = habit_factor(days_late_by_customer.get(customer_key(inv)))
        score = (inv.home_balance * days * factor).quantize(Decimal("0.01"))
        ranked.append(Priority(inv, days, factor, score))
    ranked.sort(key=lambda p: (-p.score, p.invoice.pk))
    return ranked


TOP_MARGIN = 25  # extra rows fetched so ties at the cut are ranked by the same Python rule

# The exact score before rounding, in SQL: home balance × days overdue × the habit factor
# (computed in Python by habit_factor and passed in, so Postgres only multiplies: exact).
_TOP_SQL = """
SELECT i.id
FROM {table} i
LEFT JOIN unnest(%s::text[], %s::numeric[]) AS h(customer_qbo_id, factor)
       ON h.customer_qbo_id = i.customer_qbo_id
WHERE i.id IN ({ids}) AND i.balance > 0 AND COALESCE(i.due_date, i.txn_date) < %s::date
ORDER BY i.home_balance * (%s::date - COALESCE(i.due_date, i.txn_date))
         * COALESCE(h.factor, 1) DESC, i.id
LIMIT %s
"""


def collections_top(
    invoices: Any,
    *,
    as_of: date,
    days_late_by_customer: Mapping[str, Decimal | None],
    limit: int,
) -> list[Priority]:
    """The first ``limit`` of ``collections_priority(invoices)`` without loading every overdue
    invoice: Postgres orders ``invoices`` (a queryset, e.g. ``Invoice.objects.overdue(as_of)``)
    by the unrounded score and returns a bounded head, which Python ranks by the one rule.
    Exact: if the head's last row could still tie with the cut (scores are rounded to cents),
    everything is ranked. Two queries whatever the number of invoices."""
    factors = {cid: habit_factor(late) for cid, late in days_late_by_customer.items() if cid}
    factors = {cid: f for cid, f in factors.items() if f != 1}
    sql, params = invoices.order_by().values("pk").query.sql_with_params()
    head_size = limit + TOP_MARGIN
    with connection.cursor() as cursor:
        cursor.execute(
            _TOP_SQL.format(table=invoices.model._meta.db_table, ids=sql),
            [list(factors), list(factors.values()), *params, as_of, as_of, head_size],
        )
        ids = [row[0] for row in cursor.fetchall()]
    rows = invoices.model.objects.filter(pk__in=ids).select_related("customer")
    ranked = collections_priority(rows, as_of=as_of, days_late_by_customer=days_late_by_customer)
    if len(ids) == head_size and len(ranked) >= limit:
        by_pk = {p.invoice.pk: p.score for p in ranked}
        if by_pk.get(ids[-1], Decimal(0)) >= ranked[limit - 1].score:
            # The cut falls within rounding of the head's end: rank everything (rare).
            ranked = collections_priority(
                invoices.select_related("customer").iterator(chunk_size=2000),
                as_of=as_of,
                days_late_by_customer=days_late_by_customer,
            )
    return ranked[:limit]


def invoice_expect_on(*, actor: Any, invoice: Invoice, on: date | None) -> Invoice:
    """The owner's "expect on" date (today or later) for the forecast; None = the habit."""
    business = current_business()
    date_in_next_year(on, local_today(business.timezone), InvoiceError,
                      past="The expected date can't be in the past.",
                      too_far="Choose a date within the next year.")
    with transaction.atomic():
        invoice = _lock(invoice)
        membership_require(actor, business, Role.BOOKKEEPER)
        if invoice.balance <= 0:
            raise Conflict("This invoice is already paid.")
        audited_update(actor=actor, action="invoice.expect_on", business=business, obj=invoice,
                       field="expected_date", value=on)
    data_changed_on_commit(business)
    return invoice
