"""Sending: once per week, per recipient; retries, crashes and resends behave."""

from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.core.models import AuditEvent
from apps.digest.content import week_label
from apps.digest.models import DigestDelivery, DigestRun
from apps.digest.services import digest_recipients, digest_send, digest_tracking_record
from tests.factories import DigestRunFactory, make_member

NOW = timezone.now()
WEEK = week_label(NOW.astimezone(ZoneInfo("America/Los_Angeles")).date())  # seeded "today"


def _run(business, key=None):
    with tenant_context(business):
        return DigestRun.objects.get(key=key or f"digest:{business.schema_name}:{WEEK}")


def test_owner_gets_one_email_with_pdf_and_rfc8058_headers(books_a, owner_a):
    report = digest_send(books_a, WEEK, now=NOW)
    assert (report.state, report.sent) == ("sent", 1)
    [msg] = mail.outbox
    assert msg.to == [owner_a.email]
    assert msg.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsub = msg.extra_headers["List-Unsubscribe"]
    assert unsub.startswith("<http://alpha.localhost") and "/digest/unsubscribe/" in unsub
    name, pdf, mimetype = msg.attachments[0]
    assert (name, mimetype) == (f"runway-digest-{WEEK}.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    html = msg.alternatives[0][0]
    assert unsub.strip("<>") in html and unsub.strip("<>") in msg.body
    run = _run(books_a)
    assert run.state == "sent" and run.pdf_bytes == len(pdf) and run.render_ms is not None
    assert run.content["runway"]["runway_days"] in msg.subject


def test_second_send_of_the_same_week_sends_nothing(books_a, owner_a):
    digest_send(books_a, WEEK, now=NOW)
    again = digest_send(books_a, WEEK, now=NOW)
    assert (again.state, again.sent, again.detail) == ("sent", 0, "already sent")
    assert len(mail.outbox) == 1


def test_recipients_owners_by_default_members_opt_in_and_out(books_a, owner_a):
    viewer = make_member(books_a, Role.VIEWER)
    keen = make_member(books_a, Role.BOOKKEEPER, email="keen@example.test")
    Membership.objects.filter(user=keen).update(receives_digest=True)
    assert {r.email for r in digest_recipients(books_a)} == {owner_a.email, keen.email}
    Membership.objects.filter(user=owner_a, business=books_a).update(receives_digest=False)
    assert {r.email for r in digest_recipients(books_a)} == {keen.email}
    assert viewer.email not in {r.email for r in digest_recipients(books_a)}


def test_crash_after_provider_accepted_is_not_resent(books_a, owner_a):
    """A delivery left `sending` (worker died after the hand-over) is never sent again: the
    retry marks it unknown; a later tracking event proves it and the run becomes sent."""
    digest_send(books_a, WEEK, now=NOW)
    run = _run(books_a)
    with tenant_context(books_a):
        d = run.deliveries.get()
        DigestDelivery.objects.filter(pk=d.pk).update(state="sending", message_id="")
        DigestRun.objects.filter(pk=run.pk).update(state="sending", lease_until=None)
    retry = digest_send(books_a, WEEK, now=NOW)
    assert (retry.state, retry.sent) == ("unknown", 0)
    assert len(mail.outbox) == 1
    from anymail.signals import AnymailTrackingEvent

    event = AnymailTrackingEvent(event_type="delivered", recipient=owner_a.email,
                                 message_id="esp-1", event_id="evt-1",
                                 metadata={"schema": "alpha", "send_id": d.send_id})
    assert digest_tracking_record(event, "Postmark") is not None
    assert digest_tracking_record(event, "Postmark") is not None  # a provider retry: no dup
    with tenant_context(books_a):
        d.refresh_from_db()
        assert (d.state, d.last_event, d.events.count()) == ("sent", "delivered", 1)
    assert _run(books_a).state == "sent"


def test_crash_before_hand_over_is_retried_once(books_a, owner_a):
    """A run left `building` by a dead worker (lease expired) is rebuilt and sent once."""
    digest_send(books_a, WEEK, now=NOW)
    with tenant_context(books_a):
        DigestRun.objects.all().delete()
    mail.outbox.clear()
    with tenant_context(books_a):
        DigestRunFactory(week=WEEK, state="building", attempts=1, lease_until=None)
    report = digest_send(books_a, WEEK, now=NOW)
    assert (report.state, report.sent) == ("sent", 1)
    assert _run(books_a).attempts == 2
    assert digest_send(books_a, WEEK, now=NOW).sent == 0 and len(mail.outbox) == 1


def test_explicit_resend_is_audited_and_sends_again(books_a, owner_a):
    digest_send(books_a, WEEK, now=NOW)
    report = digest_send(books_a, WEEK, now=NOW, force=True, actor=owner_a)
    assert (report.state, report.sent, report.key) == ("sent", 1, f"digest:alpha:{WEEK}:resend:1")
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="digest.resend", object_id=report.key).exists()
    assert _run(books_a, report.key).resend_of_id == _run(books_a).pk


def test_dry_run_sends_nothing(books_a, owner_a):
    report = digest_send(books_a, WEEK, now=NOW, dry_run=True)
    assert report.state == "dry-run" and "1 recipient" in report.detail
    assert mail.outbox == []


def test_staff_see_every_business_s_latest_digest_in_one_query(books_a, owner_a,
                                                               django_assert_num_queries):
    from apps.digest.staff import staff_runs

    digest_send(books_a, WEEK, now=NOW)  # the send refreshes alpha's public summary row
    with django_assert_num_queries(1):  # the summary rows joined to their businesses
        runs = staff_runs()
    mine = [r for r in runs if r.schema == "alpha"]
    assert [(r.week, r.state, r.sent_at is not None) for r in mine] == [(WEEK, "sent", True)]
    assert [r for r in staff_runs(state="failed") if r.schema == "alpha"] == []
    assert [r.schema for r in staff_runs(state="sent")] == ["alpha"]
