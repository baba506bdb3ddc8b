"""The firm digest: one Monday email (with its PDF) per firm member, covering only their
granted clients, ranked, with the week's changes from the summary rows; once a week."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from apps.accounts.firm_access import firm_create
from apps.accounts.models import FirmMember
from apps.firm.digest import firm_digest_dispatch, firm_digest_send
from apps.firm.models import FirmDigestSend
from tests.firm.helpers import grant, make_firm, summary_for, user

MONDAY_8AM = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("America/New_York"))


def test_each_member_gets_their_clients_ranked_with_changes_once(firm_setup, tenant_a,
                                                                 tenant_b):
    firm, partner, staff = firm_setup
    a = summary_for(tenant_a, runway_days="200.0")
    b = summary_for(tenant_b, runway_days="35.0", waiting=3,
                    cash_zero_week=MONDAY_8AM.date() + timedelta(days=28))
    b.prior = {"runway_days": "50.0", "available": "52000.00", "tray_waiting": 1}
    b.save()
    a.prior = {"runway_days": "190.0"}
    a.save()
    grant(firm, tenant_a, partner, staff)
    grant(firm, tenant_b, partner, staff)
    grant(firm, tenant_a, partner, partner)
    assert firm_digest_dispatch(MONDAY_8AM) == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {staff.email, partner.email}
    text = by_to[staff.email].body
    assert text.index("Beta Works") < text.index("Alpha Studio")
    assert "35.0 days of runway (-15.0 vs last week)" in text
    assert "(+10.0 vs last week)" in text
    assert "Beta Works" not in by_to[partner.email].body  # not granted to the partner
    name, data, mimetype = by_to[staff.email].attachments[0]
    assert (name, mimetype) == ("portfolio-2026-W10.pdf", "application/pdf")
    assert data.startswith(b"%PDF")
    html = by_to[staff.email].alternatives[0][0]
    assert "Beta Works" in html and "style=" in html  # CSS inlined for mail clients
    row = FirmDigestSend.objects.get(member__user=staff, week="2026-W10")
    assert (row.state, row.clients) == ("sent", 2) and row.pdf_bytes == len(data)
    # The hourly tick again the same Monday: nobody gets a second email.
    assert firm_digest_dispatch(MONDAY_8AM + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2


def test_a_pdf_that_cannot_be_made_does_not_hold_the_email_back(firm_setup, tenant_a,
                                                                settings, tmp_path):
    """A portfolio PDF WeasyPrint cannot lay out (a font size beyond any float) — the email
    still goes, says the PDF is missing, and the row keeps why for staff."""
    templates = tmp_path / "templates"
    (templates / "firm").mkdir(parents=True)
    (templates / "firm" / "digest_pdf.html").write_text(
        '<html><body><p style="font-size: 1e308px">{{ c.firm }}</p></body></html>')
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [templates, *engine["DIRS"]]}]
    firm, partner, staff = firm_setup
    summary_for(tenant_a, runway_days="80.0")
    grant(firm, tenant_a, partner, staff)
    assert firm_digest_dispatch(MONDAY_8AM) == 1
    [sent] = mail.outbox
    assert sent.attachments == [] and "The PDF could not be made this time" in sent.body
    assert "The PDF could not be made this time" in sent.alternatives[0][0]
    row = FirmDigestSend.objects.get(member__user=staff, week="2026-W10")
    assert row.state == "sent" and row.pdf_bytes is None
    assert row.error.startswith("PDF not attached: OverflowError")


def test_not_before_monday_7am_and_not_on_other_days(firm_setup, tenant_a):
    firm, partner, staff = firm_setup
    grant(firm, tenant_a, partner, staff)
    assert firm_digest_dispatch(MONDAY_8AM.replace(hour=6)) == 0
    assert firm_digest_dispatch(MONDAY_8AM + timedelta(days=1)) == 0
    assert mail.outbox == []


def test_a_member_without_grants_is_skipped_and_opted_out_members_get_nothing(firm_setup,
                                                                              tenant_a):
    firm, partner, staff = firm_setup
    member = FirmMember.objects.get(user=staff)
    row = firm_digest_send(member, now=MONDAY_8AM)
    assert row.state == "skipped" and mail.outbox == []
    FirmMember.objects.filter(user=partner).update(receives_digest=False)
    grant(firm, tenant_a, partner, partner)
    assert firm_digest_dispatch(MONDAY_8AM) == 0


@pytest.mark.parametrize(("mode", "state", "sends"), [("hang", "unknown", 1),
                                                       ("refuse", "failed", 2)])
def test_no_answer_is_never_sent_again_a_refusal_is(firm_setup, tenant_a, postmark, settings,
                                                     mode, state, sends):
    """The provider may have sent what it never answered: the next hourly tick leaves it."""
    firm, partner, staff = firm_setup
    grant(firm, tenant_a, partner, staff)
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": 0.5}  # shorter than a hang
    postmark.mode, postmark.refusal = mode, 422
    assert firm_digest_dispatch(MONDAY_8AM) == 0
    row = FirmDigestSend.objects.get(member__user=staff, week="2026-W10")
    assert row.state == state and row.error
    firm_digest_dispatch(MONDAY_8AM + timedelta(hours=1))
    assert postmark.requests == sends


def test_one_members_trouble_never_holds_back_the_others(firm_setup, tenant_a):
    firm, partner, staff = firm_setup
    grant(firm, tenant_a, partner, staff)
    grant(firm, tenant_a, partner, partner)
    other, _pat = make_firm("brokenzone", partner_email="bo@broken.test")
    FirmMember.objects.filter(firm=other).update(receives_digest=True)
    type(other).objects.filter(pk=other.pk).update(timezone="America/New York")  # a bad row
    assert firm_digest_dispatch(MONDAY_8AM) == 2
    assert {m.to[0] for m in mail.outbox} == {staff.email, partner.email}


def test_a_firm_gets_only_a_real_time_zone(db):
    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="Unknown time zone"):
        firm_create(actor=user("nz@zone.test"), slug="nozone", name="No Zone",
                    timezone_name="America/New York")
