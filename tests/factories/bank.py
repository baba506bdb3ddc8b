"""Bank accounts as QuickBooks knows them (tenant schema)."""

from __future__ import annotations

from decimal import Decimal

from apps.bank.models import Account

from .base import QboSyncedFactory


class AccountFactory(QboSyncedFactory):
    class Meta:
        model = Account

    name = "Operating"
    account_type = Account.Type.BANK
    current_balance = Decimal("50000.00")
    included_in_runway = True
