"""The reserves page's "Set aside" and "Release" forms move money once per form (the token the
page renders, as bill pay's `idempotency_key`): a double click or a resubmitted form changes
nothing the second time, and the page still says what was done."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from apps.core.models import AuditEvent
from apps.reserves.models import Reserve, ReserveEntry
from tests.factories import ReserveFactory
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def page_token(web) -> str:
    page = web.get("/reserves/").content.decode()
    tokens = set(re.findall(r'name="form_token" value="([0-9a-f]+)"', page))
    assert len(tokens) == 1, tokens  # one per page, on every move form
    return tokens.pop()


def moves(tenant, reserve) -> tuple[Decimal, list[Decimal], list[str]]:
    with in_tenant(tenant):
        held = Reserve.objects.get(pk=reserve.pk).held
        entries = list(ReserveEntry.objects.filter(reserve=reserve)
                       .order_by("id").values_list("amount", flat=True))
    audit = list(AuditEvent.objects.filter(business_id=tenant.pk, object_id=str(reserve.pk))
                 .order_by("id").values_list("action", flat=True))
    return held, entries, audit


@pytest.mark.parametrize("direction, amount, held, action", [
    ("fund", "400.00", Decimal("1400.00"), "reserve.funded"),
    ("release", "400.00", Decimal("600.00"), "reserve.released"),
])
def test_the_same_form_posted_twice_moves_the_money_once(tenant_a, owner_a, direction, amount,
                                                         held, action):
    with in_tenant(tenant_a):
        reserve = ReserveFactory(name="Taxes", target=Decimal("5000.00"), held=Decimal("1000.00"))
    web = client_for(tenant_a, owner_a)
    form = {"amount": amount, "form_token": page_token(web)}
    first = web.post(f"/reserves/{reserve.pk}/{direction}/", form, follow=True)
    again = web.post(f"/reserves/{reserve.pk}/{direction}/", form, follow=True)
    verb = "Set aside" if direction == "fund" else "Released"
    for response in (first, again):  # the second submit shows the result of the first
        assert response.status_code == 200
        assert f"{verb} 400.00 (Taxes)." in response.content.decode()
    assert moves(tenant_a, reserve) == (held, [Decimal(("" if direction == "fund" else "-")
                                                       + amount)], [action])
    # A fresh page (a new token) moves money again: the token stops repeats, not new moves.
    web.post(f"/reserves/{reserve.pk}/{direction}/",
             {"amount": "100.00", "form_token": page_token(web)})
    assert len(moves(tenant_a, reserve)[1]) == 2


def test_a_move_without_the_form_s_token_is_refused_and_moves_nothing(tenant_a, owner_a):
    with in_tenant(tenant_a):
        reserve = ReserveFactory(name="Taxes", held=Decimal("1000.00"))
    response = client_for(tenant_a, owner_a).post(f"/reserves/{reserve.pk}/fund/",
                                                  {"amount": "400.00"})
    assert response.status_code == 400
    assert "reload the page" in response.content.decode()
    assert moves(tenant_a, reserve) == (Decimal("1000.00"), [], [])


def test_one_page_s_token_is_its_own_for_each_reserve_and_direction(tenant_a, owner_a):
    """The page renders one token; with the reserve and the direction it names one form, so
    setting aside then releasing from the same page are two moves, not a refused repeat."""
    with in_tenant(tenant_a):
        reserve = ReserveFactory(name="Taxes", held=Decimal("1000.00"))
    web = client_for(tenant_a, owner_a)
    token = page_token(web)
    web.post(f"/reserves/{reserve.pk}/fund/", {"amount": "400.00", "form_token": token})
    web.post(f"/reserves/{reserve.pk}/release/", {"amount": "100.00", "form_token": token})
    assert moves(tenant_a, reserve)[:2] == (Decimal("1300.00"),
                                           [Decimal("400.00"), Decimal("-100.00")])
