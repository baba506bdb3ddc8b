"""The Automation page: the preview's sentence before a rule is on, switching on from it,
the actions listed with undo, and who may do what."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.automation.models import Rule, RuleAction
from apps.automation.tick import automation_tick
from tests.factories import make_member
from tests.utils import client_for, in_tenant


def test_owner_previews_switches_on_and_undoes(books):
    biz = books.business
    client = client_for(biz, books.owner)
    page = client.get("/automation/?preview=approve")
    assert page.status_code == 200
    assert "Would approve 1 bill(s) for $420.00." in page.content.decode()
    every = client.get("/automation/?preview=all").content.decode()
    assert "Would approve 1 bill(s) for $420.00, schedule 1, fund a reserve 1 time(s) for " \
           "$400.00." in every
    assert client.post("/automation/approve/on/").status_code == 302
    automation_tick(biz)
    page = client.get("/automation/").content.decode()
    assert "Approve Known Supplies&#x27;s bill B-1" in page and "rule-action-undo" in page
    with in_tenant(biz):
        row = RuleAction.objects.get(kind="approve")
    assert client.post(f"/automation/actions/{row.pk}/undo/").status_code == 302
    with in_tenant(biz):
        assert Bill.objects.get(pk=books.bill.pk).status == Bill.Status.NEW
    activity = client.get("/activity/").content.decode()
    assert "rule “Auto-approve bills from known vendors”" in activity


def test_bookkeeper_proposes_but_cannot_switch_on(books):
    biz = books.business
    client = client_for(biz, make_member(biz, Role.BOOKKEEPER))
    assert client.post("/automation/schedule/save/", {"days_before": "5", "floor_days": "20",
                                                      "stale_hours": "24"}).status_code == 302
    assert client.post("/automation/schedule/on/").status_code == 403
    with in_tenant(biz):
        rule = Rule.objects.get(kind="schedule")
        assert rule.state == "proposed" and rule.params["days_before"] == 5
    viewer = client_for(biz, make_member(biz, Role.VIEWER))
    assert viewer.get("/automation/").status_code == 403
