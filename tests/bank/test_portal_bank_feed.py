"""The owner's bank-feed page: connect through the sandbox, confirm a link, disconnect;
other roles are refused (connection settings are owner-only)."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role
from apps.bank.models import FeedAccount
from apps.integrations.plaid.models import PlaidItem
from tests.factories import AccountFactory, make_member
from tests.integrations.plaid.bank_fixtures import CHECKING
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db
BASE = "/settings/bank/"


def test_owner_connects_confirms_and_disconnects(tenant_a, owner_a, sandbox):
    qbo = AccountFactory(business=tenant_a, name="Checking", acct_num="xxxx0000",
                         current_balance=0)
    client = client_for(tenant_a, owner_a)
    assert client.get(BASE).status_code == 200
    assert client.post(BASE + "connect/").status_code == 302
    item = PlaidItem.objects.get(business=tenant_a)
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


def test_bookkeeper_and_viewer_are_refused(tenant_a, sandbox):
    for role in (Role.BOOKKEEPER, Role.VIEWER):
        client = client_for(tenant_a, make_member(tenant_a, role))
        assert client.get(BASE).status_code == 403
        assert client.post(BASE + "connect/").status_code == 403
    assert not PlaidItem.objects.filter(business=tenant_a).exists()
