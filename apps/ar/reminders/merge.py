"""The reminder templates' merge fields: a small safe formatter, not a template engine.

A template is plain text with fields written `{{ customer }}`. Only the names in FIELDS exist;
anything else between braces (an unknown name, a filter, a tag, a stray `{{`) is refused when
the owner saves (`template_errors`), so sending never meets a bad template. Rendering escapes
the owner's text and every value for the HTML part; the invoices table is ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

FIELDS = {
    "customer": "the customer's name",
    "business": "your business's name",
    "invoices_table": "the invoices in this email (number, due date, days overdue, balance, "
                      "and QuickBooks' pay-online link where it has one)",
    "total": "the total open balance of those invoices",
    "days_overdue": "days past due of the oldest invoice (0 before the due date)",
    "pay_link": "your payment link; else QuickBooks' pay-online link(s) of the invoices; else "
                "a line asking them to reply",
    "owner": "your name, for the sign-off",
    "count": "how many invoices the email lists",
}
_FIELD = re.compile(r"\{\{(.*?)\}\}", re.S)
_NAME = re.compile(r"^\s*([a-z_]+)\s*$")
_STRAY = ("{{", "}}", "{%", "%}")


def template_errors(text: str) -> list[str]:
    """Why `text` can't be used as a template (empty list: it can)."""
    errors = []
    for match in _FIELD.finditer(text):
        name = _NAME.match(match.group(1))
        if name is None:
            errors.append(f"“{match.group(0)}” is not a merge field; use one of "
                          f"{', '.join('{{ ' + f + ' }}' for f in FIELDS)}.")
        elif name.group(1) not in FIELDS:
            errors.append(f"Unknown merge field “{{{{ {name.group(1)} }}}}”; known fields: "
                          f"{', '.join(FIELDS)}.")
    rest = _FIELD.sub("", text)
    for token in _STRAY:
        if token in rest:
            errors.append(f"Unmatched “{token}”: merge fields look like {{{{ customer }}}}.")
            break
    return errors


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    due: str
    days_overdue: int
    balance: str  # formatted money
    pay_url: str = ""  # QuickBooks' pay-online page of the invoice (`InvoiceLink`), if any


@dataclass(frozen=True)
class MergeValues:
    customer: str
    business: str
    rows: tuple[InvoiceRow, ...]
    total: str
    days_overdue: int
    pay_link: str
    owner: str

    def text_value(self, name: str) -> str:
        if name == "invoices_table":
            return table_text(self.rows)
        if name == "pay_link":
            return self.pay_link or self._invoice_links() or (
                "Reply to this email and we'll send payment details.")
        if name == "count":
            return str(len(self.rows))
        return str(getattr(self, name))

    def html_value(self, name: str) -> str:
        if name == "invoices_table":
            return table_html(self.rows)
        if name == "pay_link" and self.pay_link:
            link = escape(self.pay_link)
            return f'<a href="{link}">{link}</a>'
        if name == "pay_link" and self._invoice_links():
            linked = [r for r in self.rows if r.pay_url]
            if len(linked) == 1:
                return f'<a href="{escape(linked[0].pay_url)}">Pay online</a>'
            return escape(MANY_LINKS)
        return escape(self.text_value(name))

    def _invoice_links(self) -> str:
        """Without the owner's own link: the one invoice's QuickBooks pay link, or a pointer
        to the table when several invoices have one."""
        linked = [r for r in self.rows if r.pay_url]
        if not linked:
            return ""
        return f"Pay online: {linked[0].pay_url}" if len(linked) == 1 else MANY_LINKS


MANY_LINKS = "Each invoice listed has its own “Pay online” link."


def table_text(rows: tuple[InvoiceRow, ...]) -> str:
    lines = []
    for r in rows:
        lines.append(f"  Invoice {r.number:<12} due {r.due:<12} {_late(r.days_overdue):<18} "
                     f"{r.balance}")
        if r.pay_url:
            lines.append(f"    Pay online: {r.pay_url}")
    return "\n".join(lines)


def _late(days: int) -> str:
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} overdue"
    if days == 0:
        return "due today"
    return f"due in {-days} day{'s' if days != -1 else ''}"


def table_html(rows: tuple[InvoiceRow, ...]) -> str:
    links = any(r.pay_url for r in rows)

    def pay(r: InvoiceRow) -> str:
        if not links:
            return ""
        return (f'<td><a href="{escape(r.pay_url)}">Pay online</a></td>' if r.pay_url
                else "<td></td>")

    cells = "".join(
        f"<tr><td>{escape(r.number)}</td><td>{escape(r.due)}</td>"
        f"<td>{escape(_late(r.days_overdue))}</td>"
        f'<td style="text-align:right">{escape(r.balance)}</td>{pay(r)}</tr>'
        for r in rows)
    return ('<table cellpadding="4" style="border-collapse:collapse">'
            "<tr><th align=left>Invoice</th><th align=left>Due</th><th align=left>Status</th>"
            f'<th align="right">Balance</th>{"<th></th>" if links else ""}</tr>{cells}</table>')


def render_text(template: str, values: MergeValues) -> str:
    return _FIELD.sub(lambda m: values.text_value(m.group(1).strip()), template)


def render_html(template: str, values: MergeValues) -> str:
    """The owner's text escaped, paragraphs kept, fields substituted (already safe HTML)."""
    out, last = [], 0
    for m in _FIELD.finditer(template):
        out.append(escape(template[last:m.start()]))
        out.append(values.html_value(m.group(1).strip()))
        last = m.end()
    out.append(escape(template[last:]))
    body = "".join(out)
    paragraphs = [p.replace("\n", "<br>") for p in body.split("\n\n")]
    return "".join(f"<p>{p}</p>" for p in paragraphs if p.strip())
