"""Bill payments as money out of a bank account, for bank reconciliation
(``apps.ledger.movements``)."""

from __future__ import annotations

from collections.abc import Iterator

from apps.ap.models import BillPayment
from apps.ledger.movements import QboRecord


def bill_payment_movements(account_qbo_ids: set[str]) -> Iterator[QboRecord]:
    for pk, acct, day, total, who in BillPayment.objects.filter(
        is_deleted=False, account_qbo_id__in=list(account_qbo_ids)
    ).values_list("pk", "account_qbo_id", "txn_date", "total", "vendor__display_name"):
        yield QboRecord("bill_payment", pk, acct, day, total, who or "")
