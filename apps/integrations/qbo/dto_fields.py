"""Field helpers shared by every DTO parser module (dtos_parties, dtos_documents,
dtos_payments, dtos_books): one place for the small readings more than one entity needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.integrations.qbo.reader import Reader


def email_address(obj: dict[str, Any], key: str = "PrimaryEmailAddr") -> str:
    value = obj.get(key)
    return str(value.get("Address") or "") if isinstance(value, dict) else ""


def https_link(link: str) -> str:
    """A pay link goes into customers' emails: only a plain https URL is kept."""
    link = link.strip()
    return link if link.startswith("https://") and len(link) <= 1000 and " " not in link else ""


def money_head(r: Reader, total_field: str = "TotalAmt") -> tuple[Decimal, str, Decimal]:
    """(amount, currency, rate) every money transaction starts with."""
    return r.amount(total_field, required=True), r.currency(), r.exchange_rate()


def currency_code(r: Reader, name: str) -> str:
    code = r.text(name).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise r.fail(f"{name} is not an ISO currency code: {r.obj.get(name)!r}")
    return code
