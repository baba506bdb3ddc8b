"""The outbox kind `bill_payment.create`: a bill recorded as paid in QuickBooks, as a
BillPayment (PayType Check) from the action's payload ``{"vendor", "bill", "amount",
"bank_account", "date"}`` (QBO ids; for a bill in another currency also ``"currency"`` and
``"exchange_rate"``, home units per one). The payload is made by `ap.services.bill_pay_now`; the
finder looks for the action's key in the PrivateNote on the day the send wrote."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from apps.integrations.qbo import writes
from apps.integrations.sync import outbox

KIND = "bill_payment.create"


def bill_payment_body(action: Any) -> dict[str, Any]:
    """QBO takes the amount in the bill's currency, with its CurrencyRef and ExchangeRate."""
    p = action.payload or {}
    amount = outbox.payload_amount(p.get("amount"), "amount")
    currency, rate = p.get("currency"), None
    if currency:
        try:
            rate = Decimal(str(p.get("exchange_rate")))
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            raise outbox.OutboxError(
                f"exchange_rate must be positive, got {p.get('exchange_rate')!r}")
    return writes.bill_payment(
        vendor=p["vendor"], bank_account=p["bank_account"],
        txn_date=outbox.payload_date(p.get("date"), "date"),
        links=[writes.Link(amount, "Bill", p["bill"])], total=amount,
        note=outbox.action_note(action), currency=currency, exchange_rate=rate)


def bill_payment_send(client: Any, action: Any) -> dict[str, Any]:
    return client.create("BillPayment", bill_payment_body(action), request_id=action.key)


def bill_payment_find(client: Any, action: Any) -> list[dict[str, Any]]:
    """BillPayments in QBO carrying this action's key."""
    return outbox.find_by_note(client, "BillPayment", bill_payment_body(action)["TxnDate"],
                               action)
