"""One reminder email's subject, text and HTML, from its lead step's templates. The preview and
the send call the same function, so the preview is the email as sent (only the unsubscribe link
differs per recipient; the preview shows the first recipient's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from apps.accounts.models import Membership, Role
from apps.ar.reminders.merge import InvoiceRow, MergeValues, render_html, render_text
from apps.ar.reminders.models import ReminderStep
from apps.core.money import format_money

UNSUBSCRIBE_PLACEHOLDER = "%%OODALOO_UNSUBSCRIBE%%"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str

    def for_recipient(self, unsubscribe_url: str) -> Rendered:
        return Rendered(self.subject, self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
                        self.html.replace(UNSUBSCRIBE_PLACEHOLDER, escape(unsubscribe_url)))


def owner_of(business: Any) -> tuple[str, str]:
    """(name, email) of the business's first owner: the sign-off and the reply-to."""
    m = (Membership.objects.filter(business=business, role=Role.OWNER, user__is_active=True)
         .select_related("user").order_by("id").first())
    if m is None:
        return business.name, ""
    return (m.user.full_name or m.user.email), m.user.email


def reminder_render(*, business: Any, customer_name: str, step: ReminderStep,
                    invoices: list[tuple[Any, Decimal]], day: date, pay_link: str,
                    owner_name: str) -> Rendered:
    """`invoices`: (invoice, balance) pairs in the order they are listed."""
    currency = invoices[0][0].currency if invoices else (business.currency or "USD")
    rows = []
    oldest = 0
    for inv, balance in invoices:
        due = inv.due_date or inv.txn_date
        late = (day - due).days
        oldest = max(oldest, late)
        rows.append(InvoiceRow(inv.doc_number or inv.qbo_id, f"{due:%b %-d, %Y}", late,
                               format_money(balance, currency),
                               getattr(inv, "invoice_link", "") or ""))
    total = sum((b for _, b in invoices), Decimal(0))
    values = MergeValues(customer=customer_name, business=business.name, rows=tuple(rows),
                         total=format_money(total, currency), days_overdue=oldest,
                         pay_link=pay_link, owner=owner_name)
    subject = " ".join(render_text(step.subject, values).split())[:300]
    footer_text = (f"\n\n--\nSent for {business.name} by Oodaloo. Not the right person for "
                   f"these? Unsubscribe: {UNSUBSCRIBE_PLACEHOLDER}\n")
    footer_html = (f'<p style="color:#666;font-size:12px">Sent for {escape(business.name)} by '
                   f'Oodaloo. Not the right person for these? <a href="{UNSUBSCRIBE_PLACEHOLDER}">'
                   "Unsubscribe</a></p>")
    html = ('<div style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222">'
            f"{render_html(step.body, values)}{footer_html}</div>")
    return Rendered(subject, render_text(step.body, values) + footer_text, html)
