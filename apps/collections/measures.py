"""Collections measures (docs/collections.md "Measures"): DSO trend, overdue share, reminders
per paid invoice, days late before vs after reminders per customer. Home currency throughout.

- DSO at a date d (`dso_series`: two queries for all dates) = AR open at d ÷ invoiced in the
  90 days to d × 90, one decimal — the runway's own ratio (`days_outstanding`) at past dates.
  AR open at d: invoices issued by d and not fully paid by d (their `paid_date`), at their home
  total less the payments applied on or before d (at the invoice's rate; none = home). An
  invoice closed without a payment date (a credit memo) is left out. Points: today and the last
  5 month ends.
- Overdue share = overdue open balance ÷ open balance today (percent, one decimal).
- Reminders per paid invoice = reminder sends in sent emails for the invoices fully paid in the
  last 90 days ÷ those invoices.
- Days late before vs after, per customer with reminders: the average days late (paid − due) of
  its paid invoices that got no reminder and were paid before its first reminder, vs those that
  got one. "Enough history" = at least 3 invoices on each side (the runway's habit minimum);
  below that the row says how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce

from apps.ar.models import Invoice, PaymentLine
from apps.ar.reminders.models import ReminderEmail, ReminderSend
from apps.ar.reminders.sequences import HABIT_MIN_PAID
from apps.runway.engine.aging import days_outstanding

DSO_WINDOW = 90
SENT = (ReminderEmail.State.SENT, ReminderEmail.State.PARTIAL)
TENTH = Decimal("0.1")


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _open_at(d: date) -> Q:
    """Issued by d and not fully paid by d (closed without a payment date: left out)."""
    return Q(txn_date__lte=d) & (Q(paid_date__gt=d) | Q(paid_date__isnull=True, balance__gt=0))


def dso_series(points: list[date]) -> list[tuple[date, Decimal | None]]:
    """DSO at each date, in two queries whatever the number of points."""
    money = DecimalField(max_digits=24, decimal_places=10)
    live = Invoice.objects.live()
    totals = live.aggregate(**{
        f"open{i}": Sum("home_total", filter=_open_at(d)) for i, d in enumerate(points)} | {
        f"billed{i}": Sum("home_total", filter=Q(
            txn_date__gt=d - timedelta(days=DSO_WINDOW), txn_date__lte=d))
        for i, d in enumerate(points)})
    # The invoice's rate; NULL means the home currency (rate 1).
    home = ExpressionWrapper(F("amount") * Coalesce(F("invoice__exchange_rate"), Value(1)),
                             output_field=money)
    lines = PaymentLine.objects.filter(invoice__is_deleted=False, payment__is_deleted=False)
    paid = lines.aggregate(**{
        f"paid{i}": Sum(home, filter=Q(payment__txn_date__lte=d) & _prefixed(_open_at(d)))
        for i, d in enumerate(points)})
    out = []
    for i, d in enumerate(points):
        billed = totals[f"billed{i}"] or Decimal(0)
        if billed <= 0:
            out.append((d, None))
            continue
        applied = (paid[f"paid{i}"] or Decimal(0)).quantize(Decimal("0.01"),
                                                            rounding=ROUND_HALF_UP)
        ar = max((totals[f"open{i}"] or Decimal(0)) - applied, Decimal(0))
        out.append((d, days_outstanding(ar, billed)))  # the runway's DSO ratio
    return out


def _prefixed(q: Q) -> Q:
    """The same condition on the payment line's invoice."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [_prefixed(c) if isinstance(c, Q) else (f"invoice__{c[0]}", c[1])
                    for c in q.children]
    return out


def dso_at(d: date) -> Decimal | None:
    return dso_series([d])[0][1]


def month_ends(today: date, n: int = 5) -> list[date]:
    out, first = [], today.replace(day=1)
    for _ in range(n):
        first_prev = first - timedelta(days=1)
        out.append(first_prev)
        first = first_prev.replace(day=1)
    return sorted(out)


@dataclass(frozen=True)
class CustomerEffect:
    customer_id: int
    name: str
    before_n: int
    before_avg: Decimal | None
    after_n: int
    after_avg: Decimal | None

    @property
    def enough(self) -> bool:
        return self.before_n >= HABIT_MIN_PAID and self.after_n >= HABIT_MIN_PAID

    @property
    def change(self) -> Decimal | None:
        if not self.enough:
            return None
        return _tenth(self.after_avg - self.before_avg)


def _avg(values: list[int]) -> Decimal | None:
    return _tenth(Decimal(sum(values)) / len(values)) if values else None


def customer_effects(limit: int = 50) -> list[CustomerEffect]:
    firsts = dict(ReminderEmail.objects.filter(state__in=SENT).values("customer_id")
                  .annotate(first=Min("day")).values_list("customer_id", "first")[:limit])
    if not firsts:
        return []
    reminded = set(ReminderSend.objects.filter(
        email__state__in=SENT, state=ReminderSend.State.INCLUDED,
        email__customer_id__in=list(firsts)).values_list("invoice_id", flat=True))
    rows = (Invoice.objects.live().filter(customer_id__in=list(firsts), paid_date__isnull=False)
            .values_list("pk", "customer_id", "customer__display_name", "due_date", "txn_date",
                         "paid_date"))
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for pk, cid, name, due, txn, paid in rows:
        names[cid] = name
        late = (paid - (due or txn)).days
        if pk in reminded:
            after.setdefault(cid, []).append(late)
        elif paid < firsts[cid]:
            before.setdefault(cid, []).append(late)
    return sorted(
        (CustomerEffect(cid, names.get(cid, ""), len(before.get(cid, [])),
                        _avg(before.get(cid, [])), len(after.get(cid, [])),
                        _avg(after.get(cid, [])))
         for cid in firsts),
        key=lambda e: (not e.enough, e.name))


@dataclass(frozen=True)
class Measures:
    dso: list[tuple[date, Decimal | None]]
    overdue_share: Decimal | None  # percent
    paid_recently: int
    reminders_for_paid: int
    reminders_per_paid: Decimal | None
    emails_last_7_days: int
    effects: list[CustomerEffect]


def collections_measures(today: date) -> Measures:
    open_qs = Invoice.objects.open()
    open_total = open_qs.aggregate(s=Sum("home_balance"))["s"] or Decimal(0)
    overdue = open_qs.filter(due_date__lt=today).aggregate(s=Sum("home_balance"))["s"] or 0
    share = _tenth(Decimal(overdue) / open_total * 100) if open_total > 0 else None
    paid = Invoice.objects.live().filter(paid_date__gt=today - timedelta(days=DSO_WINDOW),
                                         paid_date__lte=today)
    paid_n = paid.count()
    sends = ReminderSend.objects.filter(invoice__in=paid, email__state__in=SENT,
                                        state=ReminderSend.State.INCLUDED).count()
    per_paid = (Decimal(sends) / paid_n).quantize(Decimal("0.01")) if paid_n else None
    week = ReminderEmail.objects.filter(state__in=SENT, day__gt=today - timedelta(days=7),
                                        day__lte=today).count()
    return Measures(dso_series([*month_ends(today), today]), share, paid_n, sends, per_paid, week,
                    customer_effects())


def measures_as_json(m: Measures) -> dict:
    """For the digest's stored content (strings for Decimals and dates)."""
    s = lambda v: None if v is None else str(v)  # noqa: E731
    return {
        "dso": [{"date": d.isoformat(), "days": s(v)} for d, v in m.dso],
        "overdue_share": s(m.overdue_share),
        "paid_recently": m.paid_recently,
        "reminders_per_paid": s(m.reminders_per_paid),
        "emails_last_7_days": m.emails_last_7_days,
        "effects": [{"name": e.name, "before_n": e.before_n, "before_avg": s(e.before_avg),
                     "after_n": e.after_n, "after_avg": s(e.after_avg), "enough": e.enough,
                     "change": s(e.change)} for e in m.effects[:10]],
    }
