"""The firm member's portfolio: every client they are granted, ranked by risk.

Reads only public rows: the person's grants (``Membership`` with ``firm`` set) joined to the
businesses and their summary rows — one query however many clients (docs/firm.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from apps.accounts.models import Firm, Membership, User
from apps.core.dates import local_today
from apps.firm.risk import Risk, risk_of

FILTERS = {
    "": "All clients",
    "cash_zero": "Runs out of cash within 13 weeks",
    "short_runway": "Under 90 days of runway",
    "overdue": "Overdue receivables",
    "decisions": "Decisions waiting",
    "health": "Sync or bank-feed problems",
}


@dataclass
class ClientRow:
    membership: Membership
    business: object
    summary: object | None
    risk: Risk
    rank: int = 0

    @property
    def runway_days(self) -> Decimal | None:
        return self.summary.runway_days if self.summary else None


def _summary(business):
    try:
        return business.summary
    except ObjectDoesNotExist:
        return None


def _matches(row: ClientRow, flt: str) -> bool:
    s = row.summary
    if flt == "cash_zero":
        return bool(s and s.cash_zero_week)
    if flt == "short_runway":
        return bool(s and s.runway_days is not None and s.runway_days < 90)
    if flt == "overdue":
        return bool(s and s.overdue_ar)
    if flt == "decisions":
        return bool(s and s.tray_waiting)
    if flt == "health":
        return not (row.risk.sync_ok and row.risk.bank_ok)
    return True


def portfolio_rows(*, user: User, firm: Firm, q: str = "", flt: str = "",
                   today: date | None = None) -> list[ClientRow]:
    """The clients ``user`` is granted through ``firm``, riskiest first (``q`` searches the
    name and address; ``flt`` is a key of FILTERS)."""
    now = timezone.now()
    today = today or local_today(firm.timezone)
    grants = (
        Membership.objects.filter(user=user, firm=firm, business__is_template=False)
        .select_related("business", "business__summary")
    )
    q = (q or "").strip()
    if q:
        grants = grants.filter(business__name__icontains=q) | grants.filter(
            business__slug__icontains=q)
    rows = []
    for m in grants:
        summary = _summary(m.business)
        rows.append(ClientRow(m, m.business, summary,
                              risk_of(m.business, summary, today=today, now=now)))
    rows = [r for r in rows if _matches(r, flt)]
    big = Decimal("1e9")
    rows.sort(key=lambda r: (-r.risk.score,
                             r.runway_days if r.runway_days is not None else big,
                             r.business.name.lower()))
    for i, row in enumerate(rows, 1):
        row.rank = i
    return rows


CSV_HEADER = ["rank", "business", "address", "risk_score", "runway_days", "cash", "available",
              "reserved", "low_point", "low_point_week", "cash_zero_week", "overdue_ar",
              "decisions_waiting", "last_sync", "sync_error", "bank_feed", "digest_sent",
              "digest_opened", "currency", "figures_as_of", "reasons"]


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _text(value: str) -> str:
    """Free text (names, errors) can never start a spreadsheet formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def portfolio_csv(rows: list[ClientRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        s, b = r.summary, r.business
        figures = [getattr(s, f, None) if s else None for f in (
            "runway_days", "cash", "available", "reserved", "low_point", "low_point_week",
            "cash_zero_week", "overdue_ar", "tray_waiting")]
        writer.writerow([
            r.rank, _text(b.name), b.slug, r.risk.score, *map(_cell, figures),
            _cell(b.last_sync_at), _text(b.last_error[:200]), s.bank_feed_status if s else "",
            _cell(s.digest_sent_at if s else None), _cell(s.digest_opened_at if s else None),
            s.currency if s else b.currency, _cell(s.as_of if s else None),
            _text("; ".join(r.risk.reasons)),
        ])
    return out.getvalue()
