"""Changes to the chart of accounts the owner makes in Oodaloo (not in QuickBooks): which bank
accounts count as runway cash. Shared by the portal's settings and the API."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.core.services.audit import audited_update
from apps.core.services.data_version import data_changed_on_commit
from apps.ledger.models import Account


def account_include_set(*, actor: Any, business: Any, account: Account, included: bool) -> Account:
    """Include a bank account in runway cash (or exclude it)."""
    membership_require(actor, business, Role.OWNER, message="Only an owner can change this.")
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        audited_update(
            actor=actor, business=business, obj=account, field="included_in_runway",
            value=included, after={"name": account.name},
            action="bank.account_included" if included else "bank.account_excluded",
        )
    data_changed_on_commit(business)
    return account
