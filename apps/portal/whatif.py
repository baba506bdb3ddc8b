"""What-if: toggle decisions and watch runway and the low point move. Nothing is saved (GET)."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render

from apps.accounts.permissions import portal_view
from apps.ap.models import Bill
from apps.ar.models import Invoice
from apps.core.errors import ApplicationError
from apps.portal.common import BadInput, parse_date, today_for
from apps.portal.runway_data import runway_now
from apps.runway.charts import forecast_svg
from apps.runway.engine import (
    CollectInvoice,
    DecisionError,
    ExpectInvoice,
    PayBillNow,
    ScheduleBill,
)
from apps.runway.services import runway_compute

CHOICES = 15


def _decisions(request, bills, invoices, today):
    """Each row's box ("pay"/"collect" now) or date ("delay"/"expect" until) becomes a decision;
    `chosen` keeps what the form showed."""
    decisions, chosen = [], {}
    for rows, now, later, now_decision, later_decision in (
        (bills, "pay", "delay", PayBillNow, ScheduleBill),
        (invoices, "collect", "expect", CollectInvoice, ExpectInvoice),
    ):
        for row in rows:
            if request.GET.get(f"{now}_{row.pk}"):
                decisions.append(now_decision(str(row.pk)))
                chosen[f"{now}_{row.pk}"] = True
            elif request.GET.get(f"{later}_{row.pk}"):
                on = parse_date(request.GET.get(f"{later}_{row.pk}"), label="date")
                if on < today:
                    raise BadInput("A what-if date can't be in the past.")
                decisions.append(later_decision(str(row.pk), on))
                chosen[f"{later}_{row.pk}"] = on
    return decisions, chosen


def _svg(result, currency):
    return forecast_svg(
        result.weeks,
        opening=result.available,
        low_point_amount=result.low_point.amount,
        low_point_week=result.low_point.week_start,
        currency=currency,
    )


@portal_view
def whatif(request):
    business = request.business
    currency = business.currency or "USD"
    today = today_for(request)
    base = runway_now(business)
    bills = list(
        Bill.objects.open()
        .exclude(status=Bill.Status.ON_HOLD)
        .filter(due_date__lte=today + timedelta(days=45))
        .select_related("vendor")
        .order_by("due_date", "pk")[:CHOICES]
    )
    invoices = list(
        Invoice.objects.open()
        .select_related("customer")
        .filter(due_date__lte=today + timedelta(days=30))
        .order_by("-home_balance", "pk")[:CHOICES]
    )
    context = {
        "base": base,
        "currency": currency,
        "today": today,
        "bills": bills,
        "invoices": invoices,
        "error": "",
        "scenario": None,
        "chosen": {},
    }
    if base is not None:
        context["base_svg"] = _svg(base, currency)
        try:
            decisions, chosen = _decisions(request, bills, invoices, today)
            context["chosen"] = chosen
            if decisions:
                scenario = runway_compute(business, as_of=today, decisions=decisions)
                context["scenario"] = scenario
                context["scenario_svg"] = _svg(scenario, currency)
                if scenario.runway_days is not None and base.runway_days is not None:
                    context["days_delta"] = scenario.runway_days - base.runway_days
                context["low_delta"] = scenario.low_point.amount - base.low_point.amount
        except (ApplicationError, DecisionError) as exc:
            context["error"] = getattr(exc, "message", str(exc))
    return render(request, "portal/whatif.html", context)
