"""The owner's bank-feed page: Link token → the sandbox's Link stand-in → exchange, confirm a
link, update mode repairs a login, disconnect; other roles are refused (owner-only)."""

from __future__ import annotations

import pytest
import requests

from apps.accounts.models import Role
from apps.bank.models import FeedAccount
from apps.bank.services.feed_items import item_status_set
from apps.core.models import AuditEvent
from apps.integrations.plaid.models import PlaidItem
from apps.sandboxes.plaid.link_standin import COMPLETE_PATH, PAGE_PATH, SCRIPT_PATH
from tests.factories import AccountFactory, make_member
from tests.integrations.plaid.bank_fixtures import CHECKING
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db
BASE = "/settings/bank/"


def _link(sandbox, token: str, outcome: str = "success") -> dict:
    """What the stand-in page does when the owner picks the bank and continues (or fails)."""
    answer = requests.post(f"{sandbox.base_url}{COMPLETE_PATH}", timeout=10,
                           json={"link_token": token, "outcome": outcome})
    assert answer.status_code == 200
    return answer.json()


def test_owner_links_through_link_confirms_and_disconnects(tenant_a, owner_a, sandbox, settings):
    settings.PLAID_WEBHOOK_URL = "https://hooks.example.test/webhooks/plaid/"
    qbo = AccountFactory(business=tenant_a, name="Checking", acct_num="xxxx0000",
                         current_balance=0)
    client = client_for(tenant_a, owner_a)
    page = client.get(BASE)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'src="{sandbox.base_url}{SCRIPT_PATH}"' in html  # Link's script: the stand-in
    csp = page["Content-Security-Policy"]
    assert f"script-src 'self' {sandbox.base_url}{SCRIPT_PATH}" in csp
    assert f"frame-src {sandbox.base_url}" in csp

    answer = client.post(BASE + "link-token/").json()
    assert answer["mode"] == "new"
    grant = sandbox.state.link_tokens[answer["link_token"]]
    assert grant["webhook"] == settings.PLAID_WEBHOOK_URL  # every Link token carries it
    assert requests.get(f"{sandbox.base_url}{PAGE_PATH}?token={answer['link_token']}",
                        timeout=10).status_code == 200
    done = _link(sandbox, answer["link_token"])
    assert done["metadata"]["institution"]["name"] == "First Platypus Bank"
    resp = client.post(BASE + "exchange/", {"public_token": done["public_token"],
                                            "institution_name": "First Platypus Bank"})
    assert resp.status_code == 302
    item = PlaidItem.objects.get(business=tenant_a)
    assert item.institution_name == "First Platypus Bank" and item.last_sync_at is not None
    assert sandbox.state.items[item.item_id].webhook == settings.PLAID_WEBHOOK_URL
    with in_tenant(tenant_a):
        feed = FeedAccount.objects.get(plaid_account_id=CHECKING)
        assert feed.suggested_account_id == qbo.pk  # by mask ••0000 and name
    page = client.get(BASE).content.decode()
    assert "Plaid Checking ••0000" in page and "suggested by mask" in page
    client.post(BASE + f"accounts/{feed.pk}/link/", {"account": qbo.pk})
    with in_tenant(tenant_a):
        feed.refresh_from_db()
        assert feed.link_confirmed and feed.linked_account_id == qbo.pk
    client.post(BASE + f"{item.pk}/disconnect/")
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.DISCONNECTED


def _connected(client, sandbox) -> PlaidItem:
    token = client.post(BASE + "link-token/").json()["link_token"]
    client.post(BASE + "exchange/", {"public_token": _link(sandbox, token)["public_token"]})
    return PlaidItem.objects.get()


def test_update_mode_repairs_a_login_instead_of_syncing(tenant_a, owner_a, sandbox):
    client = client_for(tenant_a, owner_a)
    item = _connected(client, sandbox)
    sandbox.set_item_state(item.item_id, "ITEM_LOGIN_REQUIRED")
    item_status_set(item, PlaidItem.Status.LOGIN_REQUIRED, "ITEM_LOGIN_REQUIRED")
    page = client.get(BASE).content.decode()
    assert 'data-testid="plaid-reconnect"' in page and f'data-item="{item.pk}"' in page
    syncs_before = sandbox.stats()["requests"].get("/transactions/sync", 0)

    answer = client.post(BASE + "link-token/", {"item": item.pk}).json()
    assert answer["mode"] == "update"
    assert sandbox.state.link_tokens[answer["link_token"]]["access_token"] == item.access_token
    done = _link(sandbox, answer["link_token"])
    assert client.post(BASE + f"{item.pk}/repaired/").status_code == 302
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.OK and item.last_error == ""
    assert sandbox.state.items[item.item_id].error is None
    assert PlaidItem.objects.count() == 1  # repaired, not a second item
    assert done["public_token"] not in [i.access_token for i in PlaidItem.objects.all()]
    assert sandbox.stats()["requests"].get("/transactions/sync", 0) == syncs_before
    assert AuditEvent.objects.filter(business=tenant_a, action="bank_feed.reconnect").exists()


def test_repaired_is_refused_while_plaid_still_reports_the_error(tenant_a, owner_a, sandbox):
    client = client_for(tenant_a, owner_a)
    item = _connected(client, sandbox)
    sandbox.set_item_state(item.item_id, "ITEM_LOGIN_REQUIRED")
    resp = client.post(BASE + f"{item.pk}/repaired/", follow=True)
    assert "still refuses the login" in resp.content.decode()
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.LOGIN_REQUIRED


def test_exit_with_an_error_changes_nothing(tenant_a, owner_a, sandbox):
    client = client_for(tenant_a, owner_a)
    token = client.post(BASE + "link-token/").json()["link_token"]
    exited = _link(sandbox, token, outcome="error")
    assert exited["error"]["error_code"] == "INVALID_CREDENTIALS" and "public_token" not in exited
    assert not PlaidItem.objects.filter(business=tenant_a).exists()
    resp = client.post(BASE + "exchange/", {"public_token": "public-sandbox-forged"}, follow=True)
    assert "Your bank was not connected" in resp.content.decode()
    assert not PlaidItem.objects.filter(business=tenant_a).exists()


def test_bookkeeper_and_viewer_are_refused(tenant_a, sandbox):
    for role in (Role.BOOKKEEPER, Role.VIEWER):
        client = client_for(tenant_a, make_member(tenant_a, role))
        assert client.get(BASE).status_code == 403
        assert client.post(BASE + "link-token/").status_code == 403
        assert client.post(BASE + "exchange/", {"public_token": "x"}).status_code == 403
    assert not PlaidItem.objects.filter(business=tenant_a).exists()


def test_onboarding_and_the_tray_open_link_too(tenant_a, owner_a, sandbox):
    from apps.tray.services import tray_generate

    client = client_for(tenant_a, owner_a)
    onboarding = client.get("/onboarding/")
    assert 'data-testid="plaid-connect"' in onboarding.content.decode()
    assert f"{sandbox.base_url}{SCRIPT_PATH}" in onboarding["Content-Security-Policy"]
    item = _connected(client, sandbox)
    item_status_set(item, PlaidItem.Status.LOGIN_REQUIRED, "ITEM_LOGIN_REQUIRED")
    tray_generate(tenant_a)
    tray = client.get("/tray/")
    html = tray.content.decode()
    assert 'data-testid="plaid-reconnect"' in html and f'data-item="{item.pk}"' in html
    assert f"frame-src {sandbox.base_url}" in tray["Content-Security-Policy"]
    viewer = client_for(tenant_a, make_member(tenant_a, Role.VIEWER))
    assert 'data-testid="plaid-reconnect"' not in viewer.get("/tray/").content.decode()
