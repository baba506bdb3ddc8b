"""Invoices and customers over the API: the filtered list (the portal's selector), detail, remind
(the customer's next reminder step, once a day at most), the "expect on" date, disputes,
customers with their payment habit and reminder settings, and applying credit memos and
overpayments — each through the service the portal calls."""

from __future__ import annotations

from django.db import connection
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from apps.api.base import action_view, detail_view, document_out, filtered_rows, list_view, lookup
from apps.api.bills import ActionOut, apply_body, credit_apply_call
from apps.api.conventions import money
from apps.ar.credits import MEMO
from apps.ar.models import CreditMemo, Customer, Invoice, Payment
from apps.ar.overpayments import OVERPAYMENT
from apps.ar.reminders.contacts import contacts_set
from apps.ar.reminders.manual import invoice_remind
from apps.ar.reminders.models import CustomerReminders, ReminderSequence
from apps.ar.reminders.sequences import (
    customer_hold,
    customer_mode_set,
    customer_release,
    invoice_dispute_set,
)
from apps.ar.selectors import (
    INVOICE_STATUS_FILTERS,
    customers_filtered,
    invoice_filters,
    invoices_filtered,
)
from apps.ar.services import invoice_expect_on
from apps.collections.services import customer_habits
from apps.core.dates import local_today
from apps.core.errors import ApplicationError

InvoiceOut = document_out(
    "InvoiceOut", Invoice, party="customer",
    fields=["id", "qbo_id", "doc_number", "customer", "customer_id", "txn_date", "due_date",
            "total", "balance", "expected_date", "last_reminded_at"])
invoice_rows = filtered_rows(invoice_filters, invoices_filtered)


FILTER_PARAMS = [
    OpenApiParameter("status", str, enum=list(INVOICE_STATUS_FILTERS)),
    OpenApiParameter("customer", int, description="a customer id"),
    OpenApiParameter("q", str, description="number or customer name contains"),
]
_invoice = lookup(lambda: Invoice.objects.live().select_related("customer"))
InvoiceListView = list_view(invoice_rows, InvoiceOut, ordering=("due_date", "id"),
                            parameters=FILTER_PARAMS, doc="Invoices, filtered like the portal.")
InvoiceDetailView = detail_view(_invoice, InvoiceOut)


class ReminderOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    day = serializers.DateField()
    total = money("total")


def _remind(request, invoice):
    habits = customer_habits(local_today(request.business.timezone))
    return invoice_remind(actor=request.user, invoice=invoice, habits=habits)


InvoiceRemindView = action_view(
    _invoice, _remind, ReminderOut, status=202,
    doc="Send the customer's next reminder step now (one a day at most; sent after commit).")


class ExpectIn(serializers.Serializer):
    on = serializers.DateField(allow_null=True, help_text="ISO date; null: back to the habit.")


InvoiceExpectView = action_view(
    _invoice, lambda r, inv, on: invoice_expect_on(actor=r.user, invoice=inv, on=on),
    InvoiceOut, body=ExpectIn, doc="Set (or clear) the date you expect the money.")


class DisputeIn(serializers.Serializer):
    disputed = serializers.BooleanField()


InvoiceDisputeView = action_view(
    _invoice, lambda r, inv, disputed: invoice_dispute_set(actor=r.user, invoice=inv,
                                                           disputed=disputed),
    None, body=DisputeIn, status=204, doc="Mark or clear “disputed” (reminders skip it).")


# --- customers: habits and reminder settings ---------------------------------------------------

class CustomerOut(serializers.ModelSerializer):
    balance = money("balance")
    habit = serializers.SerializerMethodField()
    reminders = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "qbo_id", "display_name", "company_name", "email", "active", "balance",
                  "habit", "reminders"]

    def get_habit(self, customer) -> dict | None:
        """How late this customer pays on average, from its own paid invoices (null: too few)."""
        if "habits" not in self.context:  # once per response (the root's context), not per row
            self.context["habits"] = customer_habits(local_today(connection.tenant.timezone))
        habit = self.context["habits"].get(customer.qbo_id)
        if habit is None:
            return None
        late = habit.avg_days_late
        return {"avg_days_late": None if late is None else f"{late:.1f}",
                "paid_count": habit.paid_count}

    def get_reminders(self, customer) -> str:
        row = CustomerReminders.objects.filter(customer=customer).first()
        return row.mode if row else CustomerReminders.Mode.DEFAULT


class CustomerWithHabitOut(CustomerOut):
    class Meta(CustomerOut.Meta):
        ref_name = "Customer"


_customer = lookup(lambda: Customer.objects.all())
CUSTOMER_PARAMS = [OpenApiParameter("q", str), OpenApiParameter("active", str, enum=["0", "1"])]
CustomerListView = list_view(lambda r: customers_filtered(r.query_params), CustomerWithHabitOut,
                             ordering=("display_name", "id"), parameters=CUSTOMER_PARAMS)
CustomerDetailView = detail_view(_customer, CustomerWithHabitOut)
def _hold(request, customer):
    customer_hold(actor=request.user, customer=customer)
    return customer


def _release(request, customer):
    customer_release(actor=request.user, customer=customer)
    return customer


CustomerHoldView = action_view(_customer, _hold, CustomerWithHabitOut,
                               doc="Hold the customer's reminders (none until released).")
CustomerReleaseView = action_view(_customer, _release, CustomerWithHabitOut)


class ModeIn(serializers.Serializer):
    mode = serializers.ChoiceField(choices=CustomerReminders.Mode.choices)
    sequence = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        max_value=2**31 - 1)


def _mode(request, customer, mode, sequence=None):
    found = None
    if sequence is not None:
        found = ReminderSequence.objects.filter(pk=sequence).first()
        if found is None:
            raise ApplicationError("No such reminder sequence.", code="invalid")
    customer_mode_set(actor=request.user, customer=customer, mode=mode, sequence=found)
    return customer


CustomerRemindersView = action_view(_customer, _mode, CustomerWithHabitOut, body=ModeIn,
                                    doc="Default, another sequence, paused or never.")


class ContactsIn(serializers.Serializer):
    emails = serializers.CharField(allow_blank=True, max_length=2000,
                                   help_text="Billing emails, separated by commas or lines.")


def _contacts(request, customer, emails):
    contacts_set(actor=request.user, customer=customer, emails=emails)
    return customer


CustomerContactsView = action_view(_customer, _contacts, CustomerWithHabitOut, body=ContactsIn,
                                   doc="Replace the customer's billing emails.")


# --- credit memos and overpayments -------------------------------------------------------------

CreditMemoOut = document_out(
    "CreditMemoOut", CreditMemo, party="customer",
    fields=["id", "qbo_id", "doc_number", "customer", "txn_date", "total", "balance"])
OverpaymentOut = document_out(
    "OverpaymentOut", Payment, party="customer",
    fields=["id", "qbo_id", "customer", "txn_date", "total", "unapplied"],
    unapplied=money("unapplied_amount"))


ApplyToInvoiceIn = apply_body("ApplyToInvoiceIn", "invoice")
_apply_credit = credit_apply_call(MEMO, document="invoice", find=_invoice)
_apply_overpayment = credit_apply_call(OVERPAYMENT, document="invoice", find=_invoice)


def _credits():
    return CreditMemo.objects.filter(is_deleted=False, balance__gt=0).select_related("customer")


def _overpayments():
    return Payment.objects.filter(is_deleted=False, unapplied_amount__gt=0).select_related(
        "customer")


CreditListView = list_view(lambda r: _credits(), CreditMemoOut, ordering=("-txn_date", "id"),
                           doc="Credit memos with credit left to apply.")
CreditApplyView = action_view(
    lookup(_credits), _apply_credit, ActionOut, body=ApplyToInvoiceIn, status=202,
    doc="Apply a credit memo to an invoice in QuickBooks (outbox, once; Idempotency-Key "
        "required).")
OverpaymentListView = list_view(lambda r: _overpayments(), OverpaymentOut,
                                ordering=("-txn_date", "id"),
                                doc="Customer payments with money not applied to an invoice.")
OverpaymentApplyView = action_view(
    lookup(_overpayments), _apply_overpayment, ActionOut, body=ApplyToInvoiceIn, status=202,
    doc="Apply a payment's unapplied money to an invoice (outbox, once; Idempotency-Key "
        "required).")
