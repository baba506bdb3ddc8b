"""The Automation page: the preview's sentence before a rule is on, switching on from it,
the actions listed with undo, and who may do what."""

from __future__ import annotations

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.automation.models import Rule, RuleAction
from apps.automation.tick import automation_tick
from tests.automation.conftest import switch_on
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


def test_activity_offers_undo_on_a_rule_s_actions_while_the_window_is_open(books):
    """The Activity page's Undo is the Automation page's: same service, same roles, audited."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.core.models import AuditEvent
    from apps.reserves.models import Reserve

    biz = books.business
    switch_on(books, "approve", "reserve")
    automation_tick(biz)
    with in_tenant(biz):
        approve = RuleAction.objects.get(kind="approve", state="done")
        fund = RuleAction.objects.get(kind="reserve", state="done")
    owner = client_for(biz, books.owner)
    page = owner.get("/activity/").content.decode()
    assert page.count('data-testid="activity-undo"') == 2  # the approval and the funding
    assert f"/automation/actions/{approve.pk}/undo/" in page
    assert f"/automation/actions/{fund.pk}/undo/" in page

    bookkeeper = client_for(biz, make_member(biz, Role.BOOKKEEPER))
    done = bookkeeper.post(f"/automation/actions/{fund.pk}/undo/", {"next": "/activity/"})
    assert done.status_code == 302 and done["Location"] == "/activity/"
    with in_tenant(biz):
        assert Reserve.objects.get(pk=books.reserve.pk).held == 0
        assert RuleAction.objects.get(pk=fund.pk).state == "undone"
    assert AuditEvent.objects.filter(business=biz, action="automation.undone",
                                     object_id=str(fund.pk)).exists()
    page = bookkeeper.get("/activity/").content.decode()
    assert page.count('data-testid="activity-undo"') == 1  # undone: no button any more
    assert bookkeeper.post(f"/automation/actions/{fund.pk}/undo/").status_code == 409

    with in_tenant(biz):  # the window closes: nothing to offer
        RuleAction.objects.filter(pk=approve.pk).update(
            undo_until=timezone.now() - timedelta(minutes=1))
    assert 'data-testid="activity-undo"' not in owner.get("/activity/").content.decode()
    viewer = client_for(biz, make_member(biz, Role.VIEWER))
    assert viewer.get("/activity/").status_code == 403
