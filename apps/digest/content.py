"""What a digest says: `digest_build(business, week)` gathers it into a JSON-ready dict.

Every number comes from the runway engine's result (`to_json(runway_compute(...))`), so the
digest can never disagree with the portal or `manage.py runway`. The dict is stored on the run,
which is what lets "view in browser" and the history show a past digest exactly as sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core import signing
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.ap.models import Bill
from apps.ar.models import Invoice
from apps.collections.measures import collections_measures, measures_as_json
from apps.core.dates import local_now
from apps.core.money import format_money
from apps.integrations.sync.policy import is_sync_due
from apps.runway.charts import aging_svg, forecast_svg
from apps.runway.engine import to_json
from apps.runway.rates import with_today_rates
from apps.runway.services import forecast_accuracy_for, runway_compute
from apps.tenancy.urls import business_url
from apps.tray.models import TrayItem

BILLS_HORIZON_DAYS = 14
MAX_CHASE = 5
MAX_BILLS = 8
MAX_TRAY = 5
LINK_SALT = "digest-link"
# Countries that print on US Letter; everyone else gets A4.
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR", "DO", "CR"})


def week_parse(week: str) -> date:
    """'2026-W10' → the Monday of that ISO week."""
    year, _, num = week.upper().partition("-W")
    return date.fromisocalendar(int(year), int(num), 1)


def week_label(day: date) -> str:
    year, num, _ = day.isocalendar()
    return f"{year}-W{num:02d}"


def deep_link(business, path: str) -> str:
    """A signed link into the portal. The signature only proves we wrote it (the target can't be
    tampered with); the portal view it lands on still requires sign-in."""
    token = signing.dumps({"p": path}, salt=LINK_SALT, compress=True)
    return business_url(business, f"/digest/go/{token}/")


def deep_link_target(token: str) -> str:
    path = signing.loads(token, salt=LINK_SALT)["p"]
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise signing.BadSignature("not a portal path")
    return path


@dataclass(frozen=True)
class Freshness:
    last_sync_at: datetime | None
    stale: bool
    note: str


def data_freshness(business, now: datetime | None = None) -> Freshness:
    """Is the data older than the sync policy allows at send time? Stated, never hidden."""
    now = now or timezone.now()
    local = now.astimezone(local_now(business.timezone).tzinfo)
    last = business.last_sync_at
    stale = is_sync_due("qbo", local, last.astimezone(local.tzinfo) if last else None, False)
    if last is None:
        note = "QuickBooks has not been synced yet, so these numbers may be incomplete."
    elif stale:
        note = (
            f"Data as of {last.astimezone(local.tzinfo):%a %d %b %H:%M} — older than usual; "
            "a refresh was requested and next week's digest will catch up."
        )
    else:
        note = ""
    return Freshness(last, stale, note)


def _previous_content(week_start: date) -> dict | None:
    from apps.digest.models import DigestRun

    run = DigestRun.objects.as_sent(week_label(week_start - timedelta(days=7))).only(
        "content").first()
    return run.content if run else None


def _changes(current: dict, previous: dict | None, currency: str) -> list[str]:
    if previous is None:
        return ["This is your first digest — next week's will show what changed."]
    out: list[str] = []
    pairs = [
        ("Available cash", current["runway"]["available"], previous["runway"]["available"]),
        ("Open receivables", current["runway"]["ar_open"], previous["runway"]["ar_open"]),
        ("Open bills", current["runway"]["ap_open"], previous["runway"]["ap_open"]),
        ("Forecast low point", current["runway"]["low_point"]["amount"],
         previous["runway"]["low_point"]["amount"]),
    ]
    for label, now_s, before_s in pairs:
        delta = Decimal(now_s) - Decimal(before_s)
        if delta:
            verb = "up" if delta > 0 else "down"
            out.append(f"{label} {verb} {format_money(abs(delta), currency)} "
                       f"(now {format_money(Decimal(now_s), currency)}).")
    before_names = {c["customer"] for c in previous.get("chase", [])}
    new = [c["customer"] for c in current["chase"] if c["customer"] not in before_names]
    if new:
        out.append("Newly overdue: " + ", ".join(new) + ".")
    paid = sorted(before_names - {c["customer"] for c in current["chase"]})
    if paid:
        out.append("No longer overdue: " + ", ".join(paid) + ".")
    return out or ["No material change since last week."]


def _chase(result, as_of: date, business, currency: str) -> list[dict]:
    habits = {h.customer_id: h for h in result.habits}
    by_customer: dict[str, dict[str, Any]] = {}
    invoices = list(Invoice.objects.overdue(as_of).select_related("customer").order_by("due_date"))
    with_today_rates(invoices, currency, as_of)  # foreign ones at today's rate, as the forecast
    for inv in invoices:
        if inv.today_home_balance is None:
            continue  # no rate: left out, like everywhere else (the tray warns)
        row = by_customer.setdefault(inv.customer_qbo_id, {
            "customer": inv.customer.display_name if inv.customer else inv.customer_qbo_id,
            "amount": Decimal("0"), "invoices": 0, "oldest_due": inv.due_date,
        })
        row["amount"] += inv.today_home_balance
        row["invoices"] += 1
    rows = sorted(by_customer.items(), key=lambda kv: -kv[1]["amount"])[:MAX_CHASE]
    out = []
    for customer_id, row in rows:
        habit = habits.get(customer_id)
        out.append({
            "customer": row["customer"],
            "amount": f"{row['amount']:.2f}",
            "amount_text": format_money(row["amount"], currency),
            "invoices": row["invoices"],
            "days_overdue": (as_of - row["oldest_due"]).days,
            "habit": habit.sentence if habit else "",
            "link": deep_link(business, f"/invoices/?customer={customer_id}"),
        })
    return out


def _bills(as_of: date, business, currency: str) -> tuple[list[dict], str, int]:
    qs = Bill.objects.due_within(as_of, BILLS_HORIZON_DAYS).select_related("vendor")
    qs = qs.order_by("due_date", "id")
    total = Decimal("0")
    rows, count = [], 0
    bills = list(qs)
    with_today_rates(bills, currency, as_of)  # foreign ones at today's rate, as the forecast
    for bill in bills:
        if bill.today_home_balance is None:
            continue  # no rate: left out, like everywhere else (the tray warns)
        total += bill.today_home_balance
        count += 1
        if len(rows) < MAX_BILLS:
            rows.append({
                "vendor": bill.vendor.display_name if bill.vendor else bill.vendor_qbo_id,
                "amount_text": format_money(bill.today_home_balance, currency),
                "due": bill.due_date.isoformat() if bill.due_date else None,
                "overdue": bool(bill.due_date and bill.due_date < as_of),
                "status": bill.get_status_display(),
                "link": deep_link(business, f"/bills/{bill.pk}/"),
            })
    return rows, format_money(total, currency), count


def _tray(as_of: date, business, currency: str) -> list[dict]:
    items = TrayItem.objects.visible(as_of)[:MAX_TRAY]
    return [{
        "title": item.title,
        "detail": item.detail,
        "amount_text": format_money(item.amount, currency) if item.amount is not None else "",
        "impact": item.impact_sentence,
        "link": deep_link(business, f"/tray/?item={item.pk}"),
    } for item in items]


def _accuracy(business) -> dict | None:
    acc = forecast_accuracy_for(business)
    if not acc.count or acc.percent is None:
        return None
    return {"count": acc.count, "percent": f"{acc.percent}", "mae": f"{acc.mae:.2f}"}


def digest_build(business, week: str, *, now: datetime | None = None) -> dict:
    """The digest of `week` for `business`, as a JSON-ready dict (see docs/digest.md).

    The runway is computed as of the business's local today when `week` is the current week,
    else as of that week's Monday (for rebuilding a past or a future week)."""
    now = now or timezone.now()
    monday = week_parse(week)
    today = now.astimezone(local_now(business.timezone).tzinfo).date()
    as_of = today if monday <= today < monday + timedelta(days=7) else monday
    currency = business.currency or "USD"
    with tenant_context(business):
        result = runway_compute(business, as_of=as_of)
        numbers = to_json(result)
        previous = _previous_content(monday)
        chase = _chase(result, as_of, business, currency)
        bills, bills_total, bills_count = _bills(as_of, business, currency)
        tray = _tray(as_of, business, currency)
        accuracy = _accuracy(business)
        collections = measures_as_json(collections_measures(as_of))
    fresh = data_freshness(business, now)
    before_days = (previous or {}).get("runway", {}).get("runway_days")
    days = numbers["runway_days"]
    change = (
        f"{Decimal(days) - Decimal(before_days):+.1f}" if days and before_days else None
    )
    low = result.low_point
    content = {
        "version": 1,
        "business": {"name": business.name, "slug": business.slug, "country": business.country,
                     "timezone": business.timezone},
        "week": week,
        "week_start": monday.isoformat(),
        "as_of": as_of.isoformat(),
        "generated_at": now.isoformat(),
        "currency": currency,
        "paper": "letter" if business.country.upper() in LETTER_COUNTRIES else "a4",
        "runway": numbers | {"runway_days_last_week": before_days, "runway_days_change": change},
        "text": {
            "cash": format_money(result.cash, currency),
            "reserved": format_money(result.reserved, currency),
            "available": format_money(result.available, currency),
            "daily_burn": format_money(result.daily_burn, currency),
            "low_point": format_money(low.amount, currency),
            "low_point_week": low.week_start.isoformat() if low.week_start else None,
            "cash_zero_week": numbers["cash_zero_week"],
            "ar_open": format_money(result.ar_aging.total, currency),
            "ap_open": format_money(result.ap_aging.total, currency),
        },
        "charts": {
            "forecast": forecast_svg(
                result.weeks, opening=result.available, low_point_amount=low.amount,
                low_point_week=low.week_start, currency=currency,
            ),
            "ar_aging": aging_svg(result.ar_aging, title="Receivables by age", currency=currency),
        },
        "chase": chase,
        "bills": bills,
        "bills_total": bills_total,
        "bills_count": bills_count,
        "tray": tray,
        "accuracy": accuracy,
        "collections": collections,
        "freshness": {
            "last_sync_at": fresh.last_sync_at.isoformat() if fresh.last_sync_at else None,
            "stale": fresh.stale,
            "note": fresh.note,
        },
        "links": {
            "portal": business_url(business, "/"),
            "browser": business_url(business, f"/digest/{week}/"),
            "history": business_url(business, "/digest/"),
            "tray": deep_link(business, "/tray/"),
        },
    }
    content["changes"] = _changes(content, previous, currency)
    return content
