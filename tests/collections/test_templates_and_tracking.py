"""Templates refused when saved (never at send time), the manual "Send reminder" as the next
step, a bounce through anymail's verified webhook stopping the sequence with a tray item, the
contact's unsubscribe link, and run_reminders."""

import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from apps.ar.reminders.manual import invoice_remind
from apps.ar.reminders.merge import MergeValues, render_html, template_errors
from apps.ar.reminders.models import (
    CustomerReminders,
    ReminderContact,
    ReminderDelivery,
    ReminderEmail,
    ReminderStep,
)
from apps.ar.reminders.plan import reminders_plan
from apps.ar.reminders.send import reminder_email_send, reminders_tick
from apps.ar.reminders.sequences import ReminderError, customer_hold, step_save
from apps.core.errors import Conflict, PermissionDenied
from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def test_template_errors_name_the_problem():
    assert template_errors("Hi {{ customer }}, {{ total }} {{invoices_table}}") == []
    (unknown,) = template_errors("Hi {{ customer_name }}")
    assert "Unknown merge field" in unknown and "customer_name" in unknown
    assert template_errors("{{ customer|upper }}")[0].startswith("“{{ customer|upper }}”")
    assert "Unmatched" in template_errors("Hi {% if x %}")[0]
    assert "Unmatched" in template_errors("Hi {{ customer")[0]


def test_owner_text_and_values_are_escaped_in_html():
    values = MergeValues(customer="<b>Evil</b>", business="B", rows=(), total="$1.00",
                         days_overdue=3, pay_link="", owner="O")
    html = render_html("<script>x</script> {{ customer }}", values)
    assert "<script>" not in html and "&lt;b&gt;Evil&lt;/b&gt;" in html


def test_a_bad_template_is_refused_when_saved_and_nothing_changes(rem):
    with in_tenant(rem.business):
        step = rem.steps[7]
        before = (step.subject, step.body)
        with pytest.raises(ReminderError, match="Unknown merge field"):
            step_save(actor=rem.owner, sequence=rem.seq, step=step, offset_days=7,
                      tone="firm", subject="Hi {{ custmer }}", body=step.body)
        with pytest.raises(ReminderError, match="belongs in the body"):
            step_save(actor=rem.owner, sequence=rem.seq, step=step, offset_days=7,
                      tone="firm", subject="{{ invoices_table }}", body=step.body)
        with pytest.raises(PermissionDenied):
            step_save(actor=rem.bookkeeper, sequence=rem.seq, step=step, offset_days=7,
                      tone="firm", subject="Hi", body="Body")
        step.refresh_from_db()
        assert (step.subject, step.body) == before
        saved = step_save(actor=rem.owner, sequence=rem.seq, step=step, offset_days=8,
                          tone="firm", subject="Still open: {{ total }}", body="{{ customer }}")
        assert ReminderStep.objects.get(pk=saved.pk).offset_days == 8


def test_portal_refuses_a_bad_template_with_400_and_previews_a_good_one(rem):
    client = client_for(rem.business, rem.owner)
    step = rem.steps[1]
    bad = client.post(f"/collections/steps/{step.pk}/", {
        "offset_days": "1", "tone": "firm", "subject": "Hi {{ nope }}", "body": "x",
        "do": "save"})
    assert bad.status_code == 400 and "Unknown merge field" in bad.content.decode()
    good = client.post(f"/collections/steps/{step.pk}/", {
        "offset_days": "1", "tone": "firm", "subject": "Due: {{ total }}",
        "body": "Hello {{ customer }}\n\n{{ invoices_table }}", "do": "preview"})
    assert good.status_code == 200 and b"Preview, exactly as sent" in good.content
    with in_tenant(rem.business):
        assert ReminderStep.objects.get(pk=step.pk).subject != "Due: {{ total }}"  # preview only
    viewer = client_for(rem.business, rem.viewer).post(f"/collections/steps/{step.pk}/", {})
    assert viewer.status_code == 403


def test_manual_send_is_the_next_step_once_a_day(rem, django_capture_on_commit_callbacks):
    with in_tenant(rem.business):
        c = f.customer("Manual Co", "ap@manual.test")
        inv = f.invoice(c, "800.00", rem.today - timedelta(days=9))
        paid = f.invoice(c, "100.00", rem.today - timedelta(days=9), balance="0")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            email = invoice_remind(actor=rem.bookkeeper, invoice=inv)
        assert len(callbacks) == 1  # the send is enqueued after commit
        (send,) = email.sends.all()
        assert email.manual and send.step == rem.steps[7]  # the latest step already due
        assert reminder_email_send(rem.business, email) == "sent"
        assert mail.outbox[-1].to == ["ap@manual.test"]
        with pytest.raises(Conflict, match="already went out today"):
            invoice_remind(actor=rem.bookkeeper, invoice=inv)
        with pytest.raises(Conflict, match="already paid"):
            invoice_remind(actor=rem.bookkeeper, invoice=paid)
        with pytest.raises(PermissionDenied):
            invoice_remind(actor=rem.viewer, invoice=inv)
        # the tick never sends that step again
        assert reminders_plan(rem.today + timedelta(days=1), {}).sendable == []
        other = f.invoice(c, "50.00", rem.today - timedelta(days=2))
        customer_hold(actor=rem.bookkeeper, customer=c)
        with pytest.raises(Conflict, match="Paused"):
            invoice_remind(actor=rem.bookkeeper, invoice=other)


def _postmark_bounce(send_id: str, recipient: str) -> dict:
    return {"RecordType": "Bounce", "ID": 4323372036854775807, "Type": "HardBounce",
            "TypeCode": 1, "Name": "Hard bounce", "Tag": "reminder",
            "MessageID": str(uuid.uuid4()), "ServerID": 23, "MessageStream": "outbound",
            "Description": "The server was unable to deliver your message (ex: unknown user).",
            "Details": "smtp;550 5.1.1 unknown user", "Email": recipient, "From": "x@y.test",
            "BouncedAt": "2026-03-02T17:31:02Z", "Inactive": True, "CanActivate": True,
            "Subject": "s", "Metadata": {"schema": "alpha", "kind": "reminder",
                                         "send_id": send_id}}


def test_a_bounce_stops_the_sequence_and_opens_a_tray_item(rem, settings):
    with in_tenant(rem.business):
        c = f.customer("Acme", "wrong@acme.test")
        f.invoice(c, "400.00", rem.today - timedelta(days=1))
        reminders_tick(rem.business, rem.today, {})
        delivery = ReminderDelivery.objects.get()
    body = json.dumps(_postmark_bounce(delivery.send_id, "wrong@acme.test"))
    user, password = settings.ANYMAIL["WEBHOOK_SECRET"].split(":", 1)
    public = Client(HTTP_HOST="localhost")
    url = "/anymail/postmark/tracking/"
    assert public.post(url, body, content_type="application/json").status_code == 400
    import base64

    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    for _ in range(2):  # providers retry: the second is a no-op
        ok = public.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=auth)
        assert ok.status_code == 200
    with in_tenant(rem.business):
        delivery.refresh_from_db()
        assert delivery.last_event == "bounced" and delivery.events.count() == 1
        assert ReminderContact.objects.get(email="wrong@acme.test").bounced_at is not None
        row = CustomerReminders.objects.get(customer=c)
        assert row.stopped_reason.startswith("wrong@acme.test bounced")
        item = TrayItem.objects.get(key=f"contact:{c.pk}:fix")
        assert item.title == "Fix Acme's billing email" and item.status == "open"
        assert reminders_plan(rem.today + timedelta(days=6), {}).sendable == []
    # the owner fixes the address: the stop clears, the tray item closes, reminders resume
    page = client_for(rem.business, rem.owner).post(f"/customers/{c.pk}/contacts/",
                                                   {"emails": "ap@acme.test"})
    assert page.status_code == 302
    tray_generate(rem.business)
    with in_tenant(rem.business):
        assert TrayItem.objects.get(key=f"contact:{c.pk}:fix").status == "closed"
        (e,) = reminders_plan(rem.today + timedelta(days=6), {}).sendable
        assert [x.email for x in e.contacts] == ["ap@acme.test"]


def _post_tracking(settings, payload: dict) -> int:
    import base64

    user, password = settings.ANYMAIL["WEBHOOK_SECRET"].split(":", 1)
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return Client(HTTP_HOST="localhost").post(
        "/anymail/postmark/tracking/", json.dumps(payload), content_type="application/json",
        HTTP_AUTHORIZATION=auth).status_code


def test_open_then_complaint_are_recorded_and_a_complaint_unsubscribes(rem, settings):
    with in_tenant(rem.business):
        c = f.customer("Complainer", "a@spam.test, b@spam.test")
        f.invoice(c, "400.00", rem.today - timedelta(days=1))
        reminders_tick(rem.business, rem.today, {})
        d = ReminderDelivery.objects.get(to="a@spam.test")
    meta = {"schema": "alpha", "kind": "reminder", "send_id": d.send_id}
    opened = {"RecordType": "Open", "MessageID": str(uuid.uuid4()), "Recipient": d.to,
              "ReceivedAt": "2026-03-02T17:31:02Z", "FirstOpen": True, "Tag": "reminder",
              "Metadata": meta, "MessageStream": "outbound"}
    complaint = {**_postmark_bounce(d.send_id, d.to), "RecordType": "SpamComplaint",
                 "Type": "SpamComplaint", "TypeCode": 512, "Name": "Spam complaint"}
    assert _post_tracking(settings, opened) == 200
    assert _post_tracking(settings, complaint) == 200
    with in_tenant(rem.business):
        d.refresh_from_db()
        assert d.last_event == "complained" and d.events.count() == 2
        assert ReminderContact.objects.get(email="a@spam.test").unsubscribed_at is not None
        assert not CustomerReminders.objects.filter(customer=c).exclude(
            stopped_reason="").exists()  # a complaint is not a bounce: the others still get it
        (e,) = reminders_plan(rem.today + timedelta(days=6), {}).sendable
        assert [x.email for x in e.contacts] == ["b@spam.test"]


def test_unsubscribe_link_per_contact_is_honoured(rem):
    with in_tenant(rem.business):
        c = f.customer("Two Contacts", "a@two.test, b@two.test")
        f.invoice(c, "400.00", rem.today - timedelta(days=1))
        reminders_tick(rem.business, rem.today, {})
        assert sorted(m.to[0] for m in mail.outbox) == ["a@two.test", "b@two.test"]
        assert ReminderEmail.objects.count() == 1  # one email per customer, one copy each
    link = next(m for m in mail.outbox if m.to == ["a@two.test"]).extra_headers[
        "List-Unsubscribe"].strip("<>")
    path = link.split("localhost:8000", 1)[1]
    anon = Client(HTTP_HOST=f"{rem.business.slug}.localhost")
    assert anon.get(path).status_code == 200
    assert anon.post(path[:-3] + "xx/").status_code == 400
    assert anon.post(path, "List-Unsubscribe=One-Click",
                     content_type="application/x-www-form-urlencoded").status_code == 200
    assert Client(HTTP_HOST="beta.localhost").post(path).status_code == 400
    with in_tenant(rem.business):
        assert ReminderContact.objects.get(email="a@two.test").unsubscribed_at is not None
        (e,) = reminders_plan(rem.today + timedelta(days=6), {}).sendable
        assert [x.email for x in e.contacts] == ["b@two.test"]


def test_run_reminders_prints_then_sends(rem):
    with in_tenant(rem.business):
        f.invoice(f.customer("Cmd Co", "ap@cmd.test"), "250.00", rem.today - timedelta(days=1),
                  doc="C-9")
    day = rem.today.isoformat()
    out = StringIO()
    call_command("run_reminders", rem.business.slug, "--date", day, "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Cmd Co: 1 day after due (firm) · invoices C-9 · total $250.00 · to ap@cmd.test" \
        in text and "1 email(s) due" in text
    assert mail.outbox == []
    out = StringIO()
    call_command("run_reminders", rem.business.slug, "--date", day, stdout=out)
    assert f"remind:alpha:{day}: done, sent 1" in out.getvalue() and len(mail.outbox) == 1
    out = StringIO()
    call_command("run_reminders", rem.business.slug, "--date", day, stdout=out)
    assert "0 email(s) due" in out.getvalue() and len(mail.outbox) == 1
