"""Collections pages: measures, reminder settings and sequences (edit a step, preview it exactly
as sent), sent emails, per-customer reminder settings and contacts, holds from the tray, the
contact's one-click unsubscribe (no sign-in) and "disputed" on an invoice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import open_view, portal_view
from apps.ar.models import Customer, Invoice
from apps.ar.reminders import selectors
from apps.ar.reminders.contacts import UNSUBSCRIBE_SALT, contact_unsubscribe, contacts_set
from apps.ar.reminders.merge import FIELDS
from apps.ar.reminders.models import (
    CustomerReminders,
    ReminderContact,
    ReminderEmail,
    ReminderSequence,
    ReminderStep,
    Tone,
)
from apps.ar.reminders.render import owner_of, reminder_render
from apps.ar.reminders.sequences import (
    collections_settings,
    customer_hold,
    customer_mode_set,
    customer_release,
    invoice_dispute_set,
    sequence_create,
    sequence_default,
    settings_save,
    step_delete,
    step_save,
    step_templates_check,
)
from apps.collections.freshness import books_hold
from apps.collections.measures import collections_measures
from apps.collections.services import reminders_preview
from apps.core.errors import ApplicationError
from apps.core.unsubscribe import one_click_unsubscribe
from apps.portal.common import action_done, action_error, parse_int, today_for


@portal_view
def collections_page(request):
    sequence_default()
    today = today_for(request)
    conf = collections_settings()
    return render(request, "portal/collections/page.html", {
        "measures": collections_measures(today), "conf": conf,
        "sequences": selectors.sequences(), "emails": selectors.recent_emails(30),
        "stopped": selectors.stopped_customers(), "currency": request.business.currency,
        "tones": Tone.choices,
        "books_hold": books_hold(request.business) if conf.enabled else None,
    })


@require_POST
@portal_view(write=Role.OWNER)
def collections_settings_view(request):
    try:
        settings_save(actor=request.user, enabled=request.POST.get("enabled") == "1",
                      pay_link=request.POST.get("pay_link", "").strip(),
                      attach_pdfs=request.POST.get("attach_pdfs") == "1")
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, "Collections settings saved.", default_next="/collections/")


@require_POST
@portal_view(write=Role.OWNER)
def sequence_create_view(request):
    try:
        seq = sequence_create(actor=request.user, name=request.POST.get("name", ""))
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, f"Sequence “{seq.name}” created from the default's steps.",
                       default_next="/collections/")


class _Draft:
    """An unsaved step for the preview (same attributes the renderer reads)."""

    def __init__(self, post, step):
        self.subject = post.get("subject", step.subject if step else "")
        self.body = post.get("body", step.body if step else "")


def _sample(request, today):
    """Preview data: the customer whose invoice is due soonest, else a sample."""
    inv = (Invoice.objects.open().filter(customer__isnull=False).select_related("customer")
           .order_by("due_date", "pk").first())
    if inv is not None:
        return inv.customer.display_name, [(inv, inv.balance)]
    sample = Invoice(doc_number="1001", qbo_id="0", txn_date=today - timedelta(days=30),
                     due_date=today - timedelta(days=7), balance=Decimal("1250.00"),
                     currency=request.business.currency or "USD")
    return "Acme Co", [(sample, sample.balance)]


def preview_of(request, step) -> dict:
    today = today_for(request)
    name, invoices = _sample(request, today)
    rendered = reminder_render(
        business=request.business, customer_name=name, step=step, invoices=invoices,
        day=today, pay_link=collections_settings().pay_link,
        owner_name=owner_of(request.business)[0])
    rendered = rendered.for_recipient("(their own unsubscribe link)")
    return {"subject": rendered.subject, "text": rendered.text,
            "html": mark_safe(rendered.html)}  # noqa: S308 — escaped by merge.render_html


@require_http_methods(["GET", "POST"])
@portal_view(write=Role.OWNER)
def step_edit(request, pk: int | None = None):
    step = get_object_or_404(ReminderStep.objects.select_related("sequence"), pk=pk) \
        if pk else None
    sequence = step.sequence if step else get_object_or_404(
        ReminderSequence, pk=request.GET.get("sequence") or request.POST.get("sequence"))
    error, draft = "", _Draft(request.POST, step)
    if request.method == "POST":
        try:
            offset = parse_int(request.POST.get("offset_days"), label="day of the step")
            if request.POST.get("do") == "save":
                step = step_save(actor=request.user, sequence=sequence, step=step,
                                 offset_days=offset, tone=request.POST.get("tone", ""),
                                 subject=draft.subject, body=draft.body,
                                 cc_owner=request.POST.get("cc_owner") == "1")
                return action_done(request, "Step saved.",
                                   default_next=f"/collections/steps/{step.pk}/")
            step_templates_check(draft.subject, draft.body)
        except ApplicationError as exc:
            error = exc.message
    context = {"step": step, "sequence": sequence, "draft": draft, "error": error,
               "tones": Tone.choices, "fields": FIELDS}
    if not error and (draft.subject and draft.body):
        context["preview"] = preview_of(request, draft)
    return render(request, "portal/collections/step.html", context, status=400 if error else 200)


@require_POST
@portal_view(write=Role.OWNER)
def step_delete_view(request, pk: int):
    step = get_object_or_404(ReminderStep, pk=pk)
    try:
        step_delete(actor=request.user, step=step)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, "Step removed.", default_next="/collections/")


@portal_view
def email_view(request, pk: int):
    email = get_object_or_404(ReminderEmail.objects.select_related("customer"), pk=pk)
    return render(request, "portal/collections/email.html", {
        "email": email, "html": mark_safe(email.html),  # noqa: S308 — rendered by us
        "deliveries": email.deliveries.all(), "sends": email.sends.select_related("invoice")})


# --- customers ---------------------------------------------------------------------------


def customer_context(customer: Customer) -> dict:
    row = CustomerReminders.objects.filter(customer=customer).first()
    return {"reminders": row, "contacts": ReminderContact.objects.filter(customer=customer),
            "sequences": selectors.sequences(), "modes": CustomerReminders.Mode.choices,
            "reminder_emails": selectors.emails_for_customer(customer.pk)}


@require_POST
@portal_view
def customer_mode_view(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    seq_id = request.POST.get("sequence", "")
    sequence = ReminderSequence.objects.filter(pk=int(seq_id)).first() if seq_id.isdigit() \
        else None
    try:
        customer_mode_set(actor=request.user, customer=customer,
                          mode=request.POST.get("mode", ""), sequence=sequence)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, "Reminder setting saved.", default_next=f"/customers/{pk}/")


@require_POST
@portal_view
def customer_contacts_view(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    emails = request.POST.get("emails", "")
    try:
        saved = contacts_set(actor=request.user, customer=customer, emails=emails)
    except ApplicationError as exc:
        return action_error(request, exc)
    gone = [c.email for c in saved if c.unsubscribed_at is not None]
    said = "Billing emails saved; reminders resume." if len(gone) < len(saved) else (
        f"Billing emails saved, but {', '.join(gone)} unsubscribed from reminders: none go "
        "to this customer until you add another address.")
    return action_done(request, said, default_next=f"/customers/{pk}/")


def _preview_row(request, customer_id: int) -> HttpResponse | None:
    """The tray preview row of one customer, re-rendered after a hold/release (HTMX)."""
    plan = reminders_preview(request.business, today_for(request))
    planned = next((e for e in plan.emails if e.customer.pk == customer_id), None) \
        if plan is not None else None
    if planned is None:
        return None
    return HttpResponse(render_to_string("portal/collections/preview_row.html",
                                         {"e": planned, "currency": request.business.currency,
                                          "can_write": True}, request))


@require_POST
@portal_view
def customer_hold_view(request, pk: int, hold: bool):
    customer = get_object_or_404(Customer, pk=pk)
    try:
        (customer_hold if hold else customer_release)(actor=request.user, customer=customer)
    except ApplicationError as exc:
        return action_error(request, exc)
    verb = "held: no reminders until you release them" if hold else "released"
    return action_done(request, f"{customer.display_name}'s reminders {verb}.",
                       default_next="/tray/", fragment=_preview_row(request, pk))


@require_POST
@portal_view
def invoice_dispute_view(request, pk: int):
    invoice = get_object_or_404(Invoice, pk=pk)
    disputed = request.POST.get("disputed") == "1"
    try:
        invoice_dispute_set(actor=request.user, invoice=invoice, disputed=disputed)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, "Marked disputed: no reminders for it." if disputed else
                       "Dispute cleared: reminders resume.", default_next=f"/invoices/{pk}/")


@open_view
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookies/token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    return one_click_unsubscribe(
        request, token, salt=UNSUBSCRIBE_SALT, template="portal/collections/unsubscribe.html",
        apply=lambda business, token: contact_unsubscribe(business=business, token=token).email)
