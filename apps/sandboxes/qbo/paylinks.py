"""`InvoiceLink`: QuickBooks' own pay-online page of an invoice, returned only when a read or a
query asks for it (`include=invoiceLink`, minor version 36 and later).

The rule the sandbox applies (Intuit's Invoice entity reference, as public integrations quote
it; not in our verified facts file, see docs/collections.md): a link exists only when the
company takes online payments (QuickBooks Payments; modelled here as the company's
`Preferences.SalesFormsPrefs.ETransactionPaymentEnabled`), the invoice allows an online payment
(`AllowOnlineCreditCardPayment` or `AllowOnlineACHPayment`), it has a billing email, and
QuickBooks has emailed it (`EmailStatus` `EmailSent`). Otherwise the field is absent, as when
it is not asked for. The link is stable for an invoice (a digest of realm and id).
"""

from __future__ import annotations

import hashlib
from typing import Any

from . import wirejson

INCLUDE = "invoicelink"


def wanted(params: dict[str, str]) -> bool:
    return INCLUDE in {p.strip().lower() for p in params.get("include", "").split(",")}


def _payments_enabled(store: Any) -> bool:
    prefs = store.first("Preferences") or {}
    return bool((prefs.get("SalesFormsPrefs") or {}).get("ETransactionPaymentEnabled"))


def link_for(invoice: dict, realm: str, payments: bool) -> str | None:
    online = invoice.get("AllowOnlineCreditCardPayment") or invoice.get("AllowOnlineACHPayment")
    emailed = invoice.get("EmailStatus") == "EmailSent"
    address = (invoice.get("BillEmail") or {}).get("Address")
    if not (payments and online and emailed and address):
        return None
    digest = hashlib.sha256(f"{realm}:{invoice.get('Id')}".encode()).hexdigest()[:48]
    return f"https://connect.intuit.com/t/scs-v1-{digest}"


def linked_text(table: Any, key: str, realm: str, payments: bool) -> str:
    """An invoice's wire JSON with its link, if it has one: rendered once per object (the
    table drops it when the invoice changes), since a full sync reads every invoice."""
    variants = table.derived.setdefault(key, {})
    text = variants.get(payments)
    if text is None:
        obj = table.objects[key]
        link = link_for(obj, realm, payments)
        text = (table.json_of(key) if link is None
                else wirejson.dumps({**obj, "InvoiceLink": link}))
        variants[payments] = text
    return text


def renderer(store: Any, realm: str):
    """``text_of`` for ``store.run_query``: invoices rendered with their links."""
    payments = _payments_enabled(store)
    return lambda table, key: linked_text(table, key, realm, payments)


def warm(store: Any, realm: str) -> None:
    """Render every invoice with its link now rather than on its first read."""
    table = store.tables.get("Invoice")
    if table is not None:
        render = renderer(store, realm)
        for key in table.objects:
            render(table, key)
