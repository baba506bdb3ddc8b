"""Reserve services: exact amounts, a ledger entry and an audit event for every change, clear
errors that change nothing, and the runway reflecting each change at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apps.core.models import AuditEvent
from apps.reserves.models import Reserve, ReserveEntry
from apps.reserves.selectors import reserved_total
from apps.reserves.services import (
    ReserveError,
    reserve_create,
    reserve_fund,
    reserve_release,
    reserve_update,
)
from apps.runway.cache import runway_invalidate
from apps.runway.services import runway_compute
from tests.runway import books as b
from tests.utils import in_tenant

D = Decimal
AS_OF = date(2025, 3, 12)


def audit(tenant, reserve) -> list[str]:
    events = AuditEvent.objects.filter(business_id=tenant.pk, object_id=str(reserve.pk))
    return sorted(e.action for e in events)


def test_fund_and_release_move_money_and_the_runway(tenant_a, owner_a):
    with in_tenant(tenant_a):
        b.account("35", "Operating", "10000.00")
        taxes = reserve_create(actor=owner_a, name="Taxes", kind="taxes", target="5000")
    runway_invalidate(tenant_a)
    assert runway_compute(tenant_a, as_of=AS_OF).available == D("10000.00")  # cache warm

    with in_tenant(tenant_a):
        entry = reserve_fund(owner_a, taxes, D("1500.25"), "Q1 estimate")
        assert entry.amount == D("1500.25") and entry.actor_email == owner_a.email
        assert taxes.held == D("1500.25")
    result = runway_compute(tenant_a, as_of=AS_OF)  # no explicit invalidation: the service did
    assert (result.reserved, result.available) == (D("1500.25"), D("8499.75"))

    with in_tenant(tenant_a):
        reserve_release(owner_a, taxes, "500.25", "paid part")
        assert reserved_total() == D("1000.00")
        assert list(ReserveEntry.objects.values_list("amount", flat=True)) == [
            D("-500.25"), D("1500.25"),
        ]
    assert runway_compute(tenant_a, as_of=AS_OF).available == D("9000.00")
    assert audit(tenant_a, taxes) == ["reserve.created", "reserve.funded", "reserve.released"]
    funded = AuditEvent.objects.get(action="reserve.funded", object_id=str(taxes.pk))
    assert funded.before["held"] == "0.00" and funded.after["held"] == "1500.25"
    assert funded.actor_id == owner_a.pk


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0.1, "exact amount"),
        (D("0"), "more than zero"),
        (D("-5"), "more than zero"),
        (D("1.001"), "more than two decimal places"),
        ("ten", "not an amount"),
        (D("NaN"), "not an amount"),
    ],
)
def test_bad_amounts_are_refused_and_change_nothing(tenant_a, owner_a, amount, message):
    with in_tenant(tenant_a):
        r = reserve_create(actor=owner_a, name="Payroll", kind="payroll")
        reserve_fund(owner_a, r, D("100"))
        for move in (reserve_fund, reserve_release):
            with pytest.raises(ReserveError, match=message) as caught:
                move(owner_a, r, amount, "nope")
            assert caught.value.code == "invalid_amount"
        r.refresh_from_db()
        assert r.held == D("100.00")
        assert ReserveEntry.objects.filter(reserve=r).count() == 1
    assert audit(tenant_a, r) == ["reserve.created", "reserve.funded"]


def test_cannot_release_more_than_held_or_touch_a_closed_reserve(tenant_a, owner_a):
    with in_tenant(tenant_a):
        r = reserve_create(actor=owner_a, name="Buffer")
        reserve_fund(owner_a, r, "100.00")
        with pytest.raises(ReserveError, match="holds 100.00") as caught:
            reserve_release(owner_a, r, "100.01")
        assert caught.value.code == "insufficient_reserve"
        with pytest.raises(ReserveError, match="release it before closing"):
            reserve_update(actor=owner_a, reserve=r, active=False)
        r.refresh_from_db()
        assert (r.held, r.active) == (D("100.00"), True)
        reserve_release(owner_a, r, "100")
        reserve_update(actor=owner_a, reserve=r, active=False, name="Old buffer")
        assert (r.name, r.active) == ("Old buffer", False)
        with pytest.raises(ReserveError, match="closed"):
            reserve_fund(owner_a, r, "1")
        assert Reserve.objects.get(pk=r.pk).held == D("0.00")
    assert audit(tenant_a, r) == [
        "reserve.created", "reserve.funded", "reserve.released", "reserve.updated",
    ]
    updated = AuditEvent.objects.get(action="reserve.updated", object_id=str(r.pk))
    assert updated.before["name"] == "Buffer" and updated.after["active"] is False


def test_create_and_update_validation(tenant_a, owner_a):
    with in_tenant(tenant_a):
        with pytest.raises(ReserveError, match="name"):
            reserve_create(actor=owner_a, name="  ")
        with pytest.raises(ReserveError, match="kind"):
            reserve_create(actor=owner_a, name="X", kind="fun")
        with pytest.raises(ReserveError, match="target"):
            reserve_create(actor=owner_a, name="X", target="-1")
        assert not Reserve.objects.exists()
        r = reserve_create(actor=owner_a, name="Tax", target="1000", due_date=date(2025, 4, 15))
        reserve_update(actor=owner_a, reserve=r, target=D("1200.50"))
        assert Reserve.objects.get(pk=r.pk).target == D("1200.50")


def test_reserves_need_a_business(db, owner_a):
    with pytest.raises(ReserveError, match="inside a business"):
        reserve_create(actor=owner_a, name="Nowhere")


def test_a_form_token_moves_money_once_and_only_on_its_own_reserve(tenant_a, owner_a):
    with in_tenant(tenant_a):
        taxes = reserve_create(actor=owner_a, name="Taxes", target="5000")
        payroll = reserve_create(actor=owner_a, name="Payroll", target="5000")
        first = reserve_fund(owner_a, taxes, "300.00", form_token="t-1")
        again = reserve_fund(owner_a, taxes, "300.00", form_token="t-1")
        assert again.pk == first.pk
        assert Reserve.objects.get(pk=taxes.pk).held == D("300.00")
        for move, reserve in ((reserve_fund, payroll), (reserve_release, taxes)):
            with pytest.raises(ReserveError, match="another move"):
                move(owner_a, reserve, "300.00", form_token="t-1")
        with pytest.raises(ReserveError, match="reload"):
            reserve_fund(owner_a, taxes, "1.00", form_token="x" * 65)
        assert ReserveEntry.objects.count() == 1
    assert audit(tenant_a, taxes) == ["reserve.created", "reserve.funded"]
