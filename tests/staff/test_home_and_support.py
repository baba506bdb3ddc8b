"""The staff home's counts (from public rows, each linking to its filtered list) and support's
read-only "view as owner" (audited on the business; pages and API refuse every write)."""

from datetime import timedelta

from django.utils import timezone

from apps.core.models import AuditEvent
from apps.review.models import ReviewTask
from apps.staff.models import SupportSession
from tests.factories import (
    ActionFactory,
    BusinessSummaryFactory,
    QboConnectionFactory,
    QuarantinedRecordFactory,
    ReviewTaskFactory,
    UserFactory,
    make_member,
)
from tests.staff.conftest import PASSWORD, admin_client, staff_user
from tests.utils import client_for


def _counts(page) -> dict[str, int]:
    return {c.key: c.count for c in page.context["counts"]}


def test_staff_home_counts_and_links(tenant_a, tenant_b):
    now = timezone.now()
    QboConnectionFactory(business=tenant_a, refresh_expires_at=now + timedelta(days=5))
    QboConnectionFactory(business=tenant_b, refresh_expires_at=now + timedelta(days=90))
    tenant_a.last_error, tenant_a.last_sync_at = "QuickBooks said 500", now
    tenant_a.save()
    tenant_b.last_sync_at = now - timedelta(days=3)
    tenant_b.save()
    for state in ("unknown", "failed", "succeeded"):
        ActionFactory(business=tenant_a, kind="invoice.send", state=state)
    QuarantinedRecordFactory(business=tenant_b)
    old = ReviewTaskFactory(business=tenant_a)
    ReviewTask.objects.filter(pk=old.pk).update(created_at=now - timedelta(hours=30))
    ReviewTaskFactory(business=tenant_b)
    BusinessSummaryFactory(business=tenant_b, digest_week="2026-W49", digest_state="sent",
                           digest_bounced=1, automation_held=3)
    tenant_a.automation_paused_at = now
    tenant_a.save()
    client = admin_client(staff_user("support@oodaloo.test", "support"))
    page = client.get("/admin/staff/home/")
    assert page.status_code == 200
    assert _counts(page) == {
        "sync_failing": 1, "sync_stale": 1, "qbo_expiring": 1, "bank_repair": 0, "actions": 2,
        "quarantined": 1, "review_depth": 2, "review_over_sla": 1, "digests": 1,
        "automation_held": 1, "automation_paused": 1}
    assert b"Alpha Studio: 5 days left" in page.content or b"Alpha Studio: 4 days left" in \
        page.content
    for count in page.context["counts"]:
        listed = client.get(count.url)
        assert listed.status_code == 200, count.url
    held = client.get("/admin/tenancy/business/?automation=held")
    assert [b.slug for b in held.context["cl"].result_list] == ["beta"]
    assert b"Beta" in page.content and b": 3 held" in page.content
    failing = client.get("/admin/tenancy/business/?health=failing")
    assert failing.context["cl"].result_count == 1
    assert client.get("/admin/review/reviewtask/?over_sla=1").context["cl"].result_count == 1
    assert client.get("/admin/sync/action/?state__in=unknown,failed").context[
        "cl"].result_count == 2
    assert b"over SLA" in client.get("/admin/review/reviewtask/").content


def _start_support(client, business, reason="ticket 7"):
    response = client.post("/admin/tenancy/business/", {
        "action": "view_as_owner", "_selected_action": [business.pk], "index": 0,
        "reason": reason})
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def test_support_views_as_owner_read_only_and_audited(tenant_a):
    make_member(tenant_a)
    support = staff_user("support@oodaloo.test", "support")
    link = _start_support(admin_client(support), tenant_a)
    assert link.startswith("http://alpha.localhost")
    portal = client_for(tenant_a)
    entered = portal.get("/" + link.split("/", 3)[3])
    assert entered.status_code == 302 and entered["Location"] == "/"
    assert portal.get("/").status_code == 200
    assert portal.get("/bills/").status_code == 200
    for path in ("/tray/refresh/", "/bills/1/approve/", "/reserves/new/",
                 "/connect/qbo/disconnect/", "/settings/timezone/", "/team/invite/",
                 "/logout/"):
        refused = portal.post(path, {"anything": "1"})
        assert refused.status_code == 403, path
    api = portal.post("/api/v1/bills/", {}, content_type="application/json")
    assert api.status_code == 403 and api.json()["error"]["code"] == "read_only"
    session = SupportSession.objects.get(business=tenant_a)
    audit = AuditEvent.objects.get(action="staff.view_as")
    assert audit.business_id == tenant_a.pk and audit.actor_id == support.pk
    assert audit.after["reason"] == "ticket 7"
    # The business's own activity page lists the look (its owner sees who and why).
    owner_page = client_for(tenant_a, make_member(tenant_a)).get("/activity/")
    assert b"staff.view_as" in owner_page.content
    # The link is one-time, and the session ends with its time box.
    assert client_for(tenant_a).get("/" + link.split("/", 3)[3]).status_code == 302
    SupportSession.objects.filter(pk=session.pk).update(expires_at=timezone.now())
    assert portal.get("/").status_code == 403
    assert portal.get("/").status_code == 302  # signed out: back to the sign-in page


def test_view_as_needs_a_reason(tenant_a):
    support = staff_user("support@oodaloo.test", "support")
    client = admin_client(support)
    response = client.post("/admin/tenancy/business/", {
        "action": "view_as_owner", "_selected_action": [tenant_a.pk], "index": 0})
    assert response.status_code == 302 and "/admin/" in response["Location"]
    assert not SupportSession.objects.exists()


def test_staff_without_a_session_is_a_stranger_on_the_portal(tenant_a):
    support = staff_user("support@oodaloo.test", "support")
    assert client_for(tenant_a, support).get("/").status_code == 404


def test_the_admin_index_links_the_staff_home(db):
    client = admin_client(staff_user("support@oodaloo.test", "support"))
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b'href="/admin/staff/home/"' in index.content
    assert b'data-testid="staff-home-link"' in index.content


def test_the_banner_ends_the_support_session_at_once_and_audits_it(tenant_a):
    make_member(tenant_a)
    support = staff_user("support@oodaloo.test", "support")
    link = _start_support(admin_client(support), tenant_a)
    portal = client_for(tenant_a)
    portal.get("/" + link.split("/", 3)[3])
    page = portal.get("/")
    assert page.status_code == 200
    assert b'data-testid="support-banner"' in page.content
    assert b'action="/auth/support/end/"' in page.content
    # An owner's own page has no banner.
    own = client_for(tenant_a, make_member(tenant_a, email="o2@alpha.test")).get("/")
    assert b"support-banner" not in own.content

    ended = portal.post("/auth/support/end/")
    assert ended.status_code == 302
    assert ended["Location"] == "http://localhost:8000/admin/staff/home/"
    session = SupportSession.objects.get(business=tenant_a)
    assert session.ended_at is not None and not session.active
    entry = AuditEvent.objects.get(action="staff.view_as_ended")
    assert entry.actor_id == support.pk and entry.business_id == tenant_a.pk
    # Signed out of the business host: the portal is closed to the staff member again.
    assert portal.get("/").status_code == 302
    assert portal.post("/auth/support/end/").status_code == 302  # nothing left to end
    assert AuditEvent.objects.filter(action="staff.view_as_ended").count() == 1
    # The end route is the only write: it cannot be used to reach anything else.
    assert portal.post("/tray/refresh/").status_code in (302, 403)


def test_the_admin_says_quickbooks_and_two_step_not_class_names(db):
    """Staff-facing names: "QuickBooks connections", not "Qbo connections"; no "Otp_Totp"."""
    root = UserFactory(email="root@oodaloo.test", password=PASSWORD, is_staff=True,
                       is_superuser=True)
    client = admin_client(root)
    index = client.get("/admin/").content.decode()
    for label in ("QuickBooks connections", "Plaid bank connections",
                  "Two-step sign-in: authenticator apps", "Two-step sign-in: backup codes"):
        assert label in index, label
    for odd in ("Qbo connections", "Plaid items", "Otp_Totp", "Otp_Static"):
        assert odd not in index, odd
    listing = client.get("/admin/sync/qboconnection/").content.decode()
    assert "Select QuickBooks connection to change" in listing
