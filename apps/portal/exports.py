"""CSV downloads of the portal's lists (bills, invoices, customers, vendors, activity, forecast
weeks), with the list's own filters, from the same selectors the page and the API use.

Cells are CSV-injection safe: text starting with = + - @ (or a tab / carriage return) gets a
leading apostrophe so a spreadsheet shows it instead of running it as a formula. Plain numbers
(`-400.00`) are left as numbers. Rows stream, so a long list never sits in memory."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.http import StreamingHttpResponse
from django.urls import path

from apps.accounts.models import Role
from apps.accounts.permissions import portal_view
from apps.ap.selectors import bill_filters, bills_filtered, vendors_filtered
from apps.ar.selectors import customers_filtered, invoice_filters, invoices_filtered
from apps.core.activity_log import activity_filtered
from apps.portal.common import today_for
from apps.runway.services import runway_json

RISKY_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(RISKY_START) and not NUMBER.match(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_response(request, name: str, header: list[str], rows: Iterable[Iterable]
                 ) -> StreamingHttpResponse:
    """A streamed CSV download named for the business's local day."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = today_for(request).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


BILL_COLUMNS = ["id", "number", "vendor", "date", "due", "total", "balance", "currency",
                "status", "scheduled"]
INVOICE_COLUMNS = ["id", "number", "customer", "date", "due", "total", "balance", "currency",
                   "expected"]
PARTY_COLUMNS = ["id", "name", "company", "email", "balance", "currency", "active"]
ACTIVITY_COLUMNS = ["when", "who", "action", "object", "object id"]
FORECAST_COLUMNS = ["week", "opening", "money in (AR)", "bills (AP)", "recurring", "closing",
                    "currency"]


@portal_view
def bills_csv(request):
    rows = bills_filtered(bill_filters(request.GET), today_for(request)).iterator()
    return csv_response(request, "bills", BILL_COLUMNS, (
        (b.pk, b.doc_number, b.vendor.display_name if b.vendor else "", b.txn_date, b.due_date,
         b.total, b.balance, b.currency, b.status, b.scheduled_date or "") for b in rows))


@portal_view
def invoices_csv(request):
    rows = invoices_filtered(invoice_filters(request.GET), today_for(request)).iterator()
    return csv_response(request, "invoices", INVOICE_COLUMNS, (
        (i.pk, i.doc_number, i.customer.display_name if i.customer else "", i.txn_date,
         i.due_date, i.total, i.balance, i.currency, i.expected_date or "") for i in rows))


def _parties_csv(request, name: str, parties):
    """Customers or vendors: the same columns for both."""
    return csv_response(request, name, PARTY_COLUMNS, (
        (p.pk, p.display_name, p.company_name, p.email, p.balance, p.currency, p.active)
        for p in parties.iterator()))


@portal_view
def customers_csv(request):
    return _parties_csv(request, "customers", customers_filtered(request.GET))


@portal_view
def vendors_csv(request):
    return _parties_csv(request, "vendors", vendors_filtered(request.GET))


@portal_view(read=Role.BOOKKEEPER, write=Role.OWNER)
def activity_csv(request):
    zone = ZoneInfo(request.business.timezone)  # as the owner reads times, offset included
    return csv_response(request, "activity", ACTIVITY_COLUMNS, (
        (e.created_at.astimezone(zone).isoformat(), e.actor_label, e.action, e.object_type,
         e.object_id)
        for e in activity_filtered(request.business, request.GET).iterator()))


@portal_view
def forecast_csv(request):
    data = runway_json(request.business)
    return csv_response(request, "forecast", FORECAST_COLUMNS, (
        (w["week_start"], w["opening"], w["ar_in"], w["ap_out"], w["recurring_out"],
         w["closing"], data["currency"]) for w in data["weeks"]))


urlpatterns = [
    path("bills/csv/", bills_csv, name="bills-csv"),
    path("invoices/csv/", invoices_csv, name="invoices-csv"),
    path("customers/csv/", customers_csv, name="customers-csv"),
    path("vendors/csv/", vendors_csv, name="vendors-csv"),
    path("activity/csv/", activity_csv, name="activity-csv"),
    path("forecast/csv/", forecast_csv, name="forecast-csv"),
]
