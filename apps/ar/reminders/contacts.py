"""Billing contacts: QuickBooks' PrimaryEmailAddr (it may hold several addresses, comma
separated), editable by the owner; each contact has its own signed unsubscribe link."""

from __future__ import annotations

import re
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ar.reminders.models import CustomerReminders, ReminderContact
from apps.ar.reminders.sequences import ReminderError
from apps.core.emails import emails_clean
from apps.core.services.audit import audit_record
from apps.core.tenant import current_business
from apps.tenancy.urls import business_url

UNSUBSCRIBE_SALT = "reminder-unsubscribe"
_SPLIT = re.compile(r"[,;\s]+")


def parse_emails(raw: str) -> list[str]:
    """Addresses from a QuickBooks email field or the owner's form, lower-cased, de-duplicated.
    Raises ReminderError naming the first invalid one."""
    return emails_clean(_SPLIT.split(raw or ""), ReminderError)


def _qbo_emails(customer: Any) -> list[str]:
    try:
        return parse_emails(customer.email)
    except ReminderError:
        return []  # a malformed address in QuickBooks: the owner adds one by hand


def contacts_ensure(customers: list[Any], edited: set[int], *, create: bool = True
                    ) -> dict[int, list[ReminderContact]]:
    """Every customer's contacts, with QuickBooks' addresses added unless the owner edited the
    list (`edited`: customer ids). Two queries and one insert at most; `create=False` (a
    preview on a GET) returns the missing ones unsaved instead."""
    if not customers:
        return {}
    by_customer: dict[int, list[ReminderContact]] = {c.pk: [] for c in customers}
    for contact in ReminderContact.objects.filter(customer__in=[c.pk for c in customers]):
        by_customer[contact.customer_id].append(contact)
    new = []
    for c in customers:
        if c.pk in edited:
            continue
        have = {x.email for x in by_customer[c.pk]}
        new += [ReminderContact(customer_id=c.pk, email=e) for e in _qbo_emails(c)
                if e not in have]
    if new and not create:
        for contact in new:
            by_customer[contact.customer_id].append(contact)
    elif new:
        ReminderContact.objects.bulk_create(new, ignore_conflicts=True)
        return contacts_ensure(customers, edited | {c.pk for c in customers})
    return by_customer


def contacts_set(*, actor: Any, customer: Any, emails: str) -> list[ReminderContact]:
    """The owner's list of billing emails replaces the current one. Saving clears a bounce
    stop: the owner fixed the address — or says a bounced one works again (a full mailbox
    emptied), so an address in the list is no longer bounced. An unsubscribe stays: only
    the person who asked can take it back."""
    business = current_business()
    membership_require(actor, business, Role.BOOKKEEPER)
    wanted = parse_emails(emails)
    if not wanted:
        raise ReminderError("Give at least one billing email (or set the customer to never).")
    now = timezone.now()
    with transaction.atomic():
        row = CustomerReminders.objects.select_for_update().get_or_create(customer=customer)[0]
        current = {c.email: c for c in ReminderContact.objects.filter(customer=customer)}
        before = sorted(e for e, c in current.items() if c.active)
        reinstated = []
        for email, contact in current.items():
            keep = email in wanted
            fields = []
            if keep and (contact.bounced_at is not None or not contact.active):
                # A bounce of mail handed over before now is old news (tracking.py).
                contact.bounced_at, contact.bounce_reason = None, ""
                contact.reinstated_at = now
                fields += ["bounced_at", "bounce_reason", "reinstated_at"]
                reinstated.append(email)
            if contact.active != keep:
                contact.active = keep
                fields.append("active")
            if fields:
                contact.save(update_fields=fields)
        for email in wanted:
            if email not in current:
                ReminderContact.objects.create(customer=customer, email=email,
                                               source=ReminderContact.Source.OWNER)
        row.contacts_edited = True
        if row.stopped_reason:
            row.stopped_reason, row.stopped_at = "", None
        row.save()
        audit_record(actor=actor, action="reminder.contacts", business=business, obj=row,
                     before={"emails": before},
                     after={"emails": wanted, "reinstated": sorted(reinstated)})
    return list(ReminderContact.objects.filter(customer=customer, active=True))


def unsubscribe_url(business: Any, contact: ReminderContact, *, site: str | None = None) -> str:
    """`site`: the business's base URL when the caller already has it (saves a query)."""
    token = signing.dumps({"b": business.pk, "c": contact.pk}, salt=UNSUBSCRIBE_SALT)
    path = f"/reminders/unsubscribe/{token}/"
    return f"{site}{path}" if site is not None else business_url(business, path)


def contact_unsubscribe(*, business: Any, token: str) -> ReminderContact:
    """One-click unsubscribe (no sign-in; the signed token is the authority). Idempotent.
    Raises signing.BadSignature for a forged token or another business's token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("b") != business.pk:
        raise signing.BadSignature("token is for another business")
    contact = ReminderContact.objects.filter(pk=data.get("c")).first()
    if contact is None:
        raise signing.BadSignature("no such contact")
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = timezone.now()
        contact.save(update_fields=["unsubscribed_at"])
        audit_record(actor=contact.email, action="reminder.unsubscribe", business=business,
                     obj=contact, after={"email": contact.email})
    return contact
