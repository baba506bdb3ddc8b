"""The resources added to API v1: each write is the portal's service (its audit row, its role
check), updates honour If-Match, scenarios save nothing, and the reads answer what the portal
shows."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.api.keys import api_key_create
from apps.business_settings.selectors import settings_get
from apps.core.models import AuditEvent
from apps.reserves.models import Reserve, ReserveEntry
from tests import factories as fx
from tests.factories import make_member
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(tenant_a):
    with in_tenant(tenant_a):
        return {role: make_member(tenant_a, role) for role in (Role.OWNER, Role.BOOKKEEPER,
                                                                Role.VIEWER)}


def _json(client, method, url, data=None, **headers):
    return getattr(client, method)(url, data or {}, content_type="application/json", **headers)


def test_reserve_crud_fund_release_with_etag_and_audit(tenant_a, team):
    client = client_for(tenant_a, team[Role.BOOKKEEPER])
    created = _json(client, "post", "/api/v1/reserves/", {"name": "Taxes", "kind": "taxes",
                                                          "target": "900.00"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["target"] == {"amount": "900.00", "currency": "USD"}
    etag = client.get(f"/api/v1/reserves/{pk}/")["ETag"]
    assert etag and etag == created["ETag"]
    funded = _json(client, "post", f"/api/v1/reserves/{pk}/fund/", {"amount": "250.00"},
                   HTTP_IDEMPOTENCY_KEY="fund-1")
    again = _json(client, "post", f"/api/v1/reserves/{pk}/fund/", {"amount": "250.00"},
                  HTTP_IDEMPOTENCY_KEY="fund-1")
    assert funded.status_code == 201 and again.json() == funded.json()
    assert again["Idempotent-Replayed"] == "true"
    # The reserve changed since `etag` was read: the stale update is refused, nothing changes.
    stale = _json(client, "patch", f"/api/v1/reserves/{pk}/", {"target": "1.00"},
                  HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    fresh = client.get(f"/api/v1/reserves/{pk}/")["ETag"]
    ok = _json(client, "patch", f"/api/v1/reserves/{pk}/", {"target": "1000.00"},
               HTTP_IF_MATCH=fresh)
    assert ok.status_code == 200 and ok.json()["target"]["amount"] == "1000.00"
    closing = client.delete(f"/api/v1/reserves/{pk}/")
    assert closing.status_code == 400 and closing.json()["error"]["code"] == "reserve_not_empty"
    released = _json(client, "post", f"/api/v1/reserves/{pk}/release/", {"amount": "250.00"})
    assert released.status_code == 201
    assert client.delete(f"/api/v1/reserves/{pk}/").status_code == 204
    with in_tenant(tenant_a):
        reserve = Reserve.objects.get(pk=pk)
        assert (reserve.held, reserve.active) == (Decimal("0"), False)
        assert ReserveEntry.objects.filter(reserve=reserve).count() == 2  # the replay added none
    actions = list(AuditEvent.objects.filter(object_id=str(pk), business=tenant_a,
                                             action__startswith="reserve.")
                   .values_list("action", flat=True))
    assert sorted(actions) == sorted(["reserve.created", "reserve.funded", "reserve.updated",
                                      "reserve.released", "reserve.updated"])
    viewer = client_for(tenant_a, team[Role.VIEWER])
    assert _json(viewer, "post", "/api/v1/reserves/", {"name": "X"}).status_code == 403


def test_business_settings_owner_only_with_if_match(tenant_a, team):
    owner = client_for(tenant_a, team[Role.OWNER])
    read = owner.get("/api/v1/business/")
    assert read.status_code == 200 and read.json()["slug"] == "alpha"
    assert read.json()["settings"]["approval_limit"] is not None
    bookkeeper = client_for(tenant_a, team[Role.BOOKKEEPER])
    # The settings (digest recipients, who may email bills in) are the owner's, as in the portal.
    for role in (Role.BOOKKEEPER, Role.VIEWER):
        other = client_for(tenant_a, team[role]).get("/api/v1/business/")
        assert other.status_code == 200 and other.json()["slug"] == "alpha"
        assert other.json()["settings"] is None
    assert _json(bookkeeper, "patch", "/api/v1/business/",
                 {"approval_limit": "5"}).status_code == 403
    changed = _json(owner, "patch", "/api/v1/business/",
                    {"approval_limit": "750.00", "digest_time": "07:30"},
                    HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed.json()["settings"]["digest_time"] == "07:30"
    with in_tenant(tenant_a):
        assert settings_get().approval_limit == Decimal("750.00")
    assert AuditEvent.objects.filter(action="settings.approval_limit", business=tenant_a).exists()
    stale = _json(owner, "patch", "/api/v1/business/", {"approval_limit": "1"},
                  HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412


def test_scenario_saves_nothing_and_a_read_key_may_ask(tenant_a, team):
    with in_tenant(tenant_a):
        fx.AccountFactory(name="Operating")
        bill = fx.BillFactory(total="400.00", due_date=fx.base.date.today() + timedelta(days=20))
        _, raw = api_key_create(actor=team[Role.OWNER], business=tenant_a, name="r",
                                scope="read")
    client = client_for(tenant_a)
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    base = client.get("/api/v1/runway/", **headers).json()
    what_if = _json(client, "post", "/api/v1/runway/scenario/",
                    {"decisions": [{"type": "pay_bill", "id": bill.pk}]}, **headers)
    assert what_if.status_code == 200, what_if.content
    assert Decimal(what_if.json()["cash"]) == Decimal(base["cash"]) - Decimal("400.00")
    with in_tenant(tenant_a):
        assert Bill.objects.get(pk=bill.pk).balance == Decimal("400.00")  # nothing saved
    unknown = _json(client, "post", "/api/v1/runway/scenario/",
                    {"decisions": [{"type": "pay_bill", "id": 2_000_000_000}]}, **headers)
    assert unknown.status_code == 404
    past = (fx.base.date.today() - timedelta(days=30)).isoformat()
    as_of = client.get(f"/api/v1/runway/?as_of={past}", **headers)
    assert as_of.status_code == 200 and as_of.json()["as_of"] == past
    future = (fx.base.date.today() + timedelta(days=3)).isoformat()
    assert client.get(f"/api/v1/runway/?as_of={future}", **headers).status_code == 400
    aging = client.get("/api/v1/aging/", **headers).json()
    assert set(aging) == {"as_of", "currency", "ar", "ap"}
    # A read key still may not write.
    assert _json(client, "post", f"/api/v1/bills/{bill.pk}/approve/", **headers) \
        .status_code == 403


def test_bank_include_is_owner_only_and_sync_now_needs_a_connection(tenant_a, team):
    with in_tenant(tenant_a):
        account = fx.AccountFactory(name="Savings")
    bookkeeper = client_for(tenant_a, team[Role.BOOKKEEPER])
    url = f"/api/v1/bank-accounts/{account.pk}/include/"
    assert _json(bookkeeper, "post", url, {"included": False}).status_code == 403
    owner = client_for(tenant_a, team[Role.OWNER])
    response = _json(owner, "post", url, {"included": False})
    assert response.status_code == 200 and response.json()["included_in_runway"] is False
    assert AuditEvent.objects.filter(action="bank.account_excluded", business=tenant_a).exists()
    assert owner.get("/api/v1/sync/").json()["connected"] is False
    refused = _json(owner, "post", "/api/v1/sync/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_connected"


def test_lists_use_the_portal_filters(tenant_a, team):
    today = fx.base.date.today()
    with in_tenant(tenant_a):
        vendor = fx.VendorFactory(display_name="=cmd|calc")
        soon = fx.BillFactory(vendor=vendor, total="10.00", due_date=today + timedelta(days=3))
        fx.BillFactory(total="20.00", due_date=today + timedelta(days=40))
        customer = fx.CustomerFactory(display_name="Bolt")
        fx.InvoiceFactory(customer=customer, total="30.00", due_date=today - timedelta(days=5))
    client = client_for(tenant_a, team[Role.VIEWER])
    api = client.get("/api/v1/bills/?due=7").json()["results"]
    assert [b["id"] for b in api] == [soon.pk]
    assert client.get("/api/v1/bills/?due=9").json()["error"]["code"] == "invalid_filter"
    csv_text = b"".join(client.get("/bills/csv/?due=7").streaming_content).decode()
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{soon.pk},")
    assert ",'=cmd|calc," in lines[1]  # CSV injection: shown as text, never run
    assert [c["display_name"] for c in client.get("/api/v1/customers/").json()["results"]] \
        == ["Bolt"]
    overdue = b"".join(client.get("/invoices/csv/?status=overdue").streaming_content).decode()
    assert len(overdue.strip().splitlines()) == 2
    assert client.get("/forecast/csv/").status_code == 200
    assert client.get("/activity/csv/").status_code == 403  # bookkeepers and owners only


def test_key_page_shows_the_secret_once_and_revokes(tenant_a, team):
    owner = client_for(tenant_a, team[Role.OWNER])
    created = owner.post("/settings/api-keys/", {"name": "Sheet", "scope": "read"})
    assert created.status_code == 201
    secret = created.context["created"]["raw"]
    assert secret.encode() in created.content
    page = owner.get("/settings/api-keys/")
    assert b"Sheet" in page.content and secret.encode() not in page.content
    reader = client_for(tenant_a)
    assert reader.get("/api/v1/bills/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200
    key_id = created.context["created"]["key"].pk
    assert owner.post(f"/settings/api-keys/{key_id}/revoke/").status_code == 302
    assert reader.get("/api/v1/bills/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 401
    bookkeeper = client_for(tenant_a, team[Role.BOOKKEEPER])
    assert bookkeeper.get("/settings/api-keys/").status_code == 403


def test_team_over_the_api_is_the_owners_and_audited(tenant_a, team):
    owner = client_for(tenant_a, team[Role.OWNER])
    invited = _json(owner, "post", "/api/v1/team/invitations/",
                    {"email": "new@example.test", "role": "viewer"})
    assert invited.status_code == 201
    assert set(invited.json()) == {"id", "email", "role", "expires_at"}  # never the link
    listing = owner.get("/api/v1/team/").json()
    assert [i["email"] for i in listing["invitations"]] == ["new@example.test"]
    viewer_row = next(m for m in listing["members"] if m["role"] == "viewer")
    changed = _json(owner, "post", f"/api/v1/team/members/{viewer_row['id']}/role/",
                    {"role": "bookkeeper"})
    assert changed.status_code == 200 and changed.json()["role"] == "bookkeeper"
    assert _json(owner, "post", f"/api/v1/team/members/{viewer_row['id']}/remove/") \
        .status_code == 204
    assert AuditEvent.objects.filter(business=tenant_a, action__startswith="membership.") \
        .count() >= 2
    bookkeeper = client_for(tenant_a, team[Role.BOOKKEEPER])
    assert bookkeeper.get("/api/v1/team/").status_code == 403


def test_feed_account_link_and_unlink_are_the_owners(tenant_a, team):
    with in_tenant(tenant_a):
        account = fx.AccountFactory(name="Checking")
        feed = fx.FeedAccountFactory()
    url = f"/api/v1/feed-accounts/{feed.pk}/link/"
    bookkeeper = client_for(tenant_a, team[Role.BOOKKEEPER])
    assert _json(bookkeeper, "post", url, {"account": account.pk}).status_code == 403
    owner = client_for(tenant_a, team[Role.OWNER])
    linked = _json(owner, "post", url, {"account": account.pk})
    assert linked.status_code == 200, linked.content
    assert (linked.json()["linked_account"], linked.json()["link_confirmed"]) == (account.pk, True)
    unlinked = _json(owner, "post", f"/api/v1/feed-accounts/{feed.pk}/unlink/")
    assert unlinked.status_code == 200 and unlinked.json()["linked_account"] is None
    assert _json(owner, "post", "/api/v1/sync/disconnect/").status_code == 204  # none: no-op


def test_automation_and_alerts_keep_their_roles(tenant_a, team):
    bookkeeper = client_for(tenant_a, team[Role.BOOKKEEPER])
    rules = bookkeeper.get("/api/v1/automation/rules/")
    assert rules.status_code == 200 and {r["kind"] for r in rules.json()} >= {"approve"}
    assert client_for(tenant_a, team[Role.VIEWER]).get("/api/v1/automation/rules/") \
        .status_code == 403
    assert _json(bookkeeper, "post", "/api/v1/automation/rules/bogus/on/").status_code == 404
    assert bookkeeper.get("/api/v1/alerts/").status_code == 403
    owner = client_for(tenant_a, team[Role.OWNER])
    current = owner.get("/api/v1/alerts/").json()
    saved = _json(owner, "put", "/api/v1/alerts/", {
        "enabled_kinds": current["enabled_kinds"], "runway_days_threshold": 45,
        "sync_failing_hours": current["sync_failing_hours"], "email_enabled": True})
    assert saved.status_code == 200 and saved.json()["runway_days_threshold"] == 45
    assert AuditEvent.objects.filter(business=tenant_a, action__startswith="alerts.").exists()


def test_odd_filter_values_are_refused_or_ignored_never_a_server_error(tenant_a, team):
    """Found by the fuzzer: a NUL in `q` (Postgres refuses it) and "²" (a digit to isdigit()
    that int() refuses) once answered 500."""
    client = client_for(tenant_a, team[Role.BOOKKEEPER])
    for url in ("/api/v1/vendors/?q=a%00b", "/api/v1/customers/?q=%00",
                "/api/v1/bills/?q=%00", "/api/v1/invoices/?q=%00",
                "/api/v1/activity/?action=%00"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/bills/?vendor=%C2%B2").status_code == 400
    assert client.get("/api/v1/invoices/?customer=99999999999").status_code == 400
    assert client.get("/bills/csv/?vendor=%C2%B2&q=%00").status_code == 200
