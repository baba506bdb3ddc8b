"""Invoices and customers: AR aging, the collections priority list, habits, reminders and
"expect on" dates."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.ar.applications import CreditSource
from apps.ar.credits import MEMO
from apps.ar.models import Customer, Invoice
from apps.ar.overpayments import OVERPAYMENT
from apps.ar.reminders import selectors as reminder_selectors
from apps.ar.reminders.manual import invoice_remind
from apps.ar.selectors import invoice_filters, invoices_filtered
from apps.ar.services import collections_top, invoice_expect_on
from apps.collections.services import customer_habits
from apps.core.errors import ApplicationError
from apps.core.tray_causes import cash_impact
from apps.portal.apply_credit import credit_apply_response
from apps.portal.collections import customer_context
from apps.portal.common import (
    PAGE_SIZE,
    action_error,
    paginate,
    parse_date,
    querystring_without_page,
    today_for,
)
from apps.portal.page_cache import deferred
from apps.portal.runway_data import charts, habit_sentences, runway_now
from apps.portal.tray import action_done_from_tray
from apps.runway.rates import with_today_rates


def priority_top(today, late: dict, limit: int = PAGE_SIZE):
    """The top of the collections ranking, bounded in SQL (see ar.services.collections_top)."""
    return collections_top(
        Invoice.objects.overdue(today), as_of=today, days_late_by_customer=late, limit=limit
    )


def _invoice_page(request, tab: str, status: str, q: str) -> dict:
    business = request.business
    currency = business.currency or "USD"
    today = today_for(request)
    result = runway_now(business)
    habits = habit_sentences(result)
    late = {cid: h.avg_days_late for cid, h in habits.items()}
    data = {"result": result, "habits": habits, "priorities": None, "page": None,
            "charts": charts(result, currency) if result is not None else None}
    if tab == "priority":
        data["priorities"] = priority_top(today, late)
        with_today_rates([getattr(p, "invoice", None) for p in data["priorities"]], currency,
                         today)
    else:
        qs = invoices_filtered(invoice_filters({"status": status, "q": q}), today)
        data["page"] = paginate(request, qs)
        with_today_rates(data["page"].object_list, currency, today)
    return data


@portal_view
def invoice_list(request):
    tab = request.GET.get("tab", "priority")
    status = request.GET.get("status", "open")
    q = request.GET.get("q", "").strip()
    context = {"tab": tab, "currency": request.business.currency or "USD",
               "today": today_for(request), "status": status, "q": q,
               "qs": querystring_without_page(request)}
    # Deferred: read only when the page's cached fragment misses (portal/page_cache.py).
    context |= deferred(lambda: _invoice_page(request, tab, status, q),
                        "result", "habits", "charts", "priorities", "page")
    return render(request, "portal/invoices/list.html", context)


@portal_view
def invoice_detail(request, pk: int):
    invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=pk)
    business = request.business
    currency = business.currency or "USD"
    result = runway_now(business)
    habit = habit_sentences(result).get(invoice.customer_qbo_id)
    with_today_rates([invoice], currency, today_for(request))
    impact_days, sentence, expected = None, "", None
    amount = invoice.today_home_balance  # a foreign invoice at today's rate (None: no rate)
    if result is not None and invoice.balance > 0 and amount is not None:
        impact_days, sentence = cash_impact(
            amount,
            result.daily_burn,
            f"Collecting {amount:,.2f} now",
            currency,
        )
        expected = result.forecast.invoice_dates.get(str(invoice.pk))
    return render(
        request,
        "portal/invoices/detail.html",
        {
            "invoice": invoice,
            "habit": habit,
            "currency": currency,
            "today": today_for(request),
            "impact_days": impact_days,
            "impact_sentence": sentence,
            "forecast_date": expected,
            "in_forecast": result is not None and str(invoice.pk) in result.forecast.invoice_dates,
            "reminder_emails": reminder_selectors.emails_for_invoice(invoice.pk),
        },
    )


@portal_view
def customer_detail(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    result = runway_now(request.business)
    invoices = paginate(
        request, Invoice.objects.live().filter(customer=customer).order_by("-txn_date", "-pk")
    )
    return render(
        request,
        "portal/invoices/customer.html",
        {
            **customer_context(customer),
            "customer": customer,
            "habit": habit_sentences(result).get(customer.qbo_id),
            "page": invoices,
            "currency": request.business.currency or "USD",
            "today": today_for(request),
            "qs": "",
        },
    )


def _after(request, invoice: Invoice, message: str):
    return action_done_from_tray(
        request, message, default_next=f"/invoices/{invoice.pk}/", target=("invoice", invoice.pk)
    )


@require_POST
@portal_view
def invoice_remind_view(request, pk: int):
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        email = invoice_remind(actor=request.user, invoice=invoice,
                               habits=customer_habits(today_for(request)))
    except ApplicationError as exc:
        return action_error(request, exc)
    step = email.sends.first()
    return _after(request, invoice, f"Reminder ({step.tone}, step {step.step_offset:+d} days) "
                  "on its way to the customer's billing email.")


@require_POST
@portal_view
def invoice_expect_view(request, pk: int):
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        on = None
        if not request.POST.get("clear"):
            on = parse_date(request.POST.get("on"), label="date you expect the money")
        invoice_expect_on(actor=request.user, invoice=invoice, on=on)
    except ApplicationError as exc:
        return action_error(request, exc)
    message = (
        f"Expected on {on:%a %b %-d}; the forecast moved."
        if on
        else ("Back to the customer's habit.")
    )
    return _after(request, invoice, message)


def _credit_source_apply(request, source: CreditSource, pk: int, *, thing: str, what: str):
    """Apply a credit source (credit memo, overpayment) to the invoice the tray offered."""
    row = get_object_or_404(source.model, pk=pk)
    return credit_apply_response(
        request, document_model=Invoice, label="invoice", thing=thing, what=what,
        apply=lambda invoice, **given: source.apply(actor=request.user, row=row,
                                                    document=invoice, **given),
        target=(source.target_type, row.pk),
    )


@require_POST
@portal_view(write="bookkeeper")
def credit_apply_view(request, pk: int):
    """Apply a credit memo to the invoice the tray offered (through the outbox, once)."""
    return _credit_source_apply(request, MEMO, pk, thing="credit", what="credit")


@require_POST
@portal_view(write="bookkeeper")
def overpayment_apply_view(request, pk: int):
    """Apply a payment's unapplied money to the invoice the tray offered (outbox, once)."""
    return _credit_source_apply(request, OVERPAYMENT, pk, thing="payment",
                                what="the overpayment")
