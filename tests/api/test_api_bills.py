"""Bill writes over the API: the portal's services, its roles, its audit, exactly once; and
another business's ids are 404 for every operation and role."""

from datetime import timedelta

import pytest

from apps.accounts.models import Role
from apps.ap.models import Bill, BillEvent
from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action
from tests.api.helpers import foreign_row
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(tenant_a, tenant_b):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        data = {
            "today": today,
            "bill": f.bill(f.vendor("Rent Co"), "400.00", today + timedelta(days=3)),
            "account": f.account(),
            "owner": make_member(tenant_a, Role.OWNER),
            "bookkeeper": make_member(tenant_a, Role.BOOKKEEPER),
            "viewer": make_member(tenant_a, Role.VIEWER),
        }
    with in_tenant(tenant_b):
        beta_vendor = f.vendor("Beta Vendor")
    # Created after A's rows, so A gains no row with this id later in the test.
    data["other"] = foreign_row(tenant_b, tenant_a,
                                lambda: f.bill(beta_vendor, "90.00", f.today_of(tenant_b)))
    return data


def _post(client, url, data=None, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data or {}, content_type="application/json", **headers)


def _status(tenant, pk):
    with in_tenant(tenant):
        return Bill.objects.get(pk=pk).status


def test_approve_goes_through_the_service_with_event_and_audit(tenant_a, books):
    pk = books["bill"].pk
    response = _post(client_for(tenant_a, books["owner"]), f"/api/v1/bills/{pk}/approve/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["balance"] == {"amount": "400.00", "currency": "USD"}
    with in_tenant(tenant_a):
        assert BillEvent.objects.filter(bill_id=pk, kind="approved").count() == 1
    assert AuditEvent.objects.filter(action="bill.approved", object_id=str(pk)).count() == 1


def test_bookkeeper_above_the_approval_limit_is_refused_by_the_service(tenant_a, books):
    pk = books["bill"].pk  # the default approval limit is 0: owners approve everything
    response = _post(client_for(tenant_a, books["bookkeeper"]), f"/api/v1/bills/{pk}/approve/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert _status(tenant_a, pk) == "new"


def test_schedule_hold_release_flow(tenant_a, books):
    client, pk = client_for(tenant_a, books["owner"]), books["bill"].pk
    pay_on = (books["today"] + timedelta(days=10)).isoformat()
    scheduled = _post(client, f"/api/v1/bills/{pk}/schedule/", {"pay_on": pay_on})
    assert scheduled.status_code == 200
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["scheduled_date"] == pay_on
    held = _post(client, f"/api/v1/bills/{pk}/hold/", {"reason": "disputed"})
    assert held.json()["status"] == "on_hold" and held.json()["scheduled_date"] is None
    again = _post(client, f"/api/v1/bills/{pk}/hold/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    released = _post(client, f"/api/v1/bills/{pk}/release/")
    assert released.json()["status"] == "new"
    past = _post(client, f"/api/v1/bills/{pk}/schedule/",
                 {"pay_on": (books["today"] - timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and "past" in past.json()["error"]["message"]
    bad = _post(client, f"/api/v1/bills/{pk}/schedule/", {"pay_on": "next week"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid" and "pay_on" in bad.json()["error"]["fields"]


def test_payment_is_recorded_once_through_the_outbox(tenant_a, books):
    client, pk = client_for(tenant_a, books["owner"]), books["bill"].pk
    url = f"/api/v1/bills/{pk}/payments/"
    body = {"account": books["account"].pk, "amount": "150.00"}
    missing = _post(client, url, body)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "idempotency_key_required"
    first = _post(client, url, body, key="pay-1")
    assert first.status_code == 202, first.content
    retry = _post(client, url, body, key="pay-1")
    assert retry.status_code == 202 and retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    with in_tenant(tenant_a):
        assert Action.objects.filter(target_id=str(pk)).count() == 1


def test_idempotency_key_replays_the_first_response_and_refuses_reuse(tenant_a, books):
    client, pk = client_for(tenant_a, books["owner"]), books["bill"].pk
    first = _post(client, f"/api/v1/bills/{pk}/approve/", key="k-approve")
    replay = _post(client, f"/api/v1/bills/{pk}/approve/", key="k-approve")
    assert replay.status_code == 200 and replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    with in_tenant(tenant_a):
        assert BillEvent.objects.filter(bill_id=pk, kind="approved").count() == 1
    # Without the key a second approval is a real second request: refused as a conflict.
    assert _post(client, f"/api/v1/bills/{pk}/approve/").status_code == 409
    reused = _post(client, f"/api/v1/bills/{pk}/hold/", key="k-approve")
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert _status(tenant_a, pk) == "approved"
    # Keys are per user: another member's identical key runs their own request.
    other = _post(client_for(tenant_a, books["bookkeeper"]), f"/api/v1/bills/{pk}/hold/",
                  key="k-approve")
    assert other.status_code == 200 and other.json()["status"] == "on_hold"


def test_viewer_cannot_write(tenant_a, books):
    client, pk = client_for(tenant_a, books["viewer"]), books["bill"].pk
    assert client.get(f"/api/v1/bills/{pk}/").status_code == 200
    for action in ("approve", "schedule", "hold", "release", "payments"):
        response = _post(client, f"/api/v1/bills/{pk}/{action}/",
                         {"pay_on": None, "account": books["account"].pk}, key=f"v-{action}")
        assert response.status_code == 403, action
    assert _status(tenant_a, pk) == "new"


@pytest.mark.parametrize("role", [Role.OWNER, Role.BOOKKEEPER, Role.VIEWER])
def test_other_business_ids_are_404_for_every_operation(tenant_a, tenant_b, books, role):
    client, pk = client_for(tenant_a, books[role]), books["other"].pk
    assert client.get(f"/api/v1/bills/{pk}/").status_code == 404
    if role != Role.VIEWER:  # a viewer is refused writes before any lookup (403 above)
        for action, body in [("approve", {}), ("schedule", {"pay_on": None}), ("hold", {}),
                             ("release", {}), ("payments", {"account": books["account"].pk})]:
            response = _post(client, f"/api/v1/bills/{pk}/{action}/", body, key=f"x-{action}")
            assert response.status_code == 404, (action, response.content)
    with in_tenant(tenant_b):
        assert set(Bill.objects.values_list("status", flat=True)) == {"new"}


def test_cursor_pagination_walks_every_bill_once(tenant_a, books):
    with in_tenant(tenant_a):
        vendor = f.vendor("Other Co")
        for days in range(4):
            f.bill(vendor, "10.00", books["today"] + timedelta(days=days))
    client = client_for(tenant_a, books["viewer"])
    seen, url = [], "/api/v1/bills/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 5


def test_throttled_writes_get_429_with_retry_after(tenant_a, books, settings):
    settings.API_THROTTLE_RATES = {"read": "600/min", "write": "2/min"}
    client, pk = client_for(tenant_a, books["owner"]), books["bill"].pk
    assert _post(client, f"/api/v1/bills/{pk}/hold/").status_code == 200
    assert _post(client, f"/api/v1/bills/{pk}/release/").status_code == 200
    third = _post(client, f"/api/v1/bills/{pk}/hold/")
    assert third.status_code == 429
    assert 0 < int(third["Retry-After"]) <= 60
    assert third.json()["error"]["code"] == "throttled"
    assert _status(tenant_a, pk) == "new"
    assert client.get(f"/api/v1/bills/{pk}/").status_code == 200  # reads have their own budget
