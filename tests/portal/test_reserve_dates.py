"""Regressions found by the bad-input drill: a reserve could be created due on a date that had
already passed (now 400, nothing created), and `/reserves/<pk>/<anything>/` released money for
any direction other than "fund" (now 404)."""

from datetime import timedelta

import pytest

from apps.core.dates import local_today
from apps.reserves.models import Reserve
from apps.reserves.services import reserve_fund
from tests.factories import ReserveFactory
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _today(business):
    return local_today(business.timezone)


def test_a_past_due_date_is_refused_and_nothing_is_created(tenant_a, owner_a):
    past = (_today(tenant_a) - timedelta(days=3)).isoformat()
    response = client_for(tenant_a, owner_a).post(
        "/reserves/new/", {"name": "Taxes", "kind": "custom", "target": "100", "due_date": past})
    assert response.status_code == 400
    assert "already passed" in response.content.decode()
    with in_tenant(tenant_a):
        assert not Reserve.objects.filter(name="Taxes").exists()


def test_a_future_due_date_is_accepted(tenant_a, owner_a):
    later = (_today(tenant_a) + timedelta(days=30)).isoformat()
    response = client_for(tenant_a, owner_a).post(
        "/reserves/new/", {"name": "Taxes", "kind": "custom", "target": "100", "due_date": later})
    assert response.status_code in (200, 302)
    with in_tenant(tenant_a):
        assert Reserve.objects.get(name="Taxes").due_date.isoformat() == later


def test_editing_an_overdue_reserve_keeps_its_date_but_refuses_a_new_past_one(tenant_a, owner_a):
    today = _today(tenant_a)
    reserve = ReserveFactory(business=tenant_a, name="Old", target=0, held=0,
                             due_date=today - timedelta(days=10))
    web = client_for(tenant_a, owner_a)
    same = web.post(f"/reserves/{reserve.pk}/", {"name": "Old tax",
                                                 "due_date": reserve.due_date.isoformat()})
    assert same.status_code in (200, 302)
    other_past = web.post(f"/reserves/{reserve.pk}/",
                          {"due_date": (today - timedelta(days=1)).isoformat()})
    assert other_past.status_code == 400
    with in_tenant(tenant_a):
        reserve.refresh_from_db()
        assert reserve.name == "Old tax" and reserve.due_date == today - timedelta(days=10)


def test_an_unknown_move_direction_is_a_404_and_moves_no_money(tenant_a, owner_a):
    with in_tenant(tenant_a):
        reserve = ReserveFactory(name="Payroll", target=0, held=0)
        reserve_fund(owner_a, reserve, "50.00", "")
    response = client_for(tenant_a, owner_a).post(f"/reserves/{reserve.pk}/sideways/",
                                                  {"amount": "20.00"})
    assert response.status_code == 404
    with in_tenant(tenant_a):
        assert str(Reserve.objects.get(pk=reserve.pk).held) == "50.00"
