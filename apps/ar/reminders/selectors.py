"""Read paths for the portal, tray and digest: history, stopped customers, per-customer state."""

from __future__ import annotations

from apps.ar.reminders.models import CustomerReminders, ReminderEmail, ReminderSequence


def stopped_customers():
    return (CustomerReminders.objects.exclude(stopped_reason="")
            .select_related("customer").order_by("customer__display_name"))


def recent_emails(limit: int = 50):
    return (ReminderEmail.objects.select_related("customer")
            .prefetch_related("sends__invoice", "deliveries").order_by("-day", "-id")[:limit])


def emails_for_invoice(invoice_id: int, limit: int = 20):
    return (ReminderEmail.objects.filter(sends__invoice_id=invoice_id)
            .prefetch_related("deliveries").distinct().order_by("-day", "-id")[:limit])


def emails_for_customer(customer_id: int, limit: int = 20):
    return (ReminderEmail.objects.filter(customer_id=customer_id)
            .prefetch_related("deliveries", "sends__invoice").order_by("-day", "-id")[:limit])


def sequences():
    return ReminderSequence.objects.prefetch_related("steps").order_by("-is_default", "name")
