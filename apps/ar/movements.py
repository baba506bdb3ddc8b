"""Customer payments as money into a bank account, for bank reconciliation
(``apps.ledger.movements``)."""

from __future__ import annotations

from collections.abc import Iterator

from apps.ar.models import Payment
from apps.ledger.movements import QboRecord


def payment_movements(account_qbo_ids: set[str]) -> Iterator[QboRecord]:
    for pk, acct, day, total, who in Payment.objects.filter(
        is_deleted=False, deposit_account_qbo_id__in=list(account_qbo_ids)
    ).values_list("pk", "deposit_account_qbo_id", "txn_date", "total", "customer__display_name"):
        yield QboRecord("payment", pk, acct, day, -total, who or "")
