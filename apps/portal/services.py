"""Owner settings, bank-account inclusion and the first-run checklist. Every change is audited
and anything the runway reads bumps its data version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.bank.models import FeedAccount
from apps.business_settings.models import BusinessSettings
from apps.business_settings.selectors import settings_get

# Re-exported for the portal's views (the services live where the API can reach them too).
from apps.business_settings.services import SettingsError as SettingsError
from apps.business_settings.services import approval_limit_set as approval_limit_set
from apps.business_settings.services import digest_recipients as digest_recipients
from apps.business_settings.services import digest_settings_set as digest_settings_set
from apps.business_settings.services import reserves_confirm as reserves_confirm
from apps.business_settings.services import timezone_set as timezone_set
from apps.core.rows import rows_exist
from apps.integrations.sync.models import QboConnection, SyncRun
from apps.ledger.services import account_include_set as account_include_set
from apps.reserves.models import Reserve


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    url: str
    hint: str


def onboarding_steps(
    business: Any,
    *,
    row: BusinessSettings | None = None,
    connected: bool | None = None,
    synced: bool | None = None,
) -> list[Step]:
    """The five steps a newcomer finishes; the checklist shows until all are done. A page that
    already read the settings row or the QBO connection/sync state passes them in."""
    row = row or settings_get()
    if connected is None:
        connected = QboConnection.objects.filter(business=business).exists()
    if synced is None:
        synced = SyncRun.objects.filter(
            business=business, source=SyncRun.Source.QBO, state=SyncRun.State.SUCCEEDED
        ).exists()
    has_feed, has_reserve = rows_exist((FeedAccount, "NOT removed", []), (Reserve, "TRUE", []))
    return [
        Step(
            "qbo",
            "Connect QuickBooks",
            connected,
            "/connect/qbo/",
            "Read-only to your books except the payments and reminders you send.",
        ),
        Step(
            "sync",
            "First sync",
            synced,
            "/onboarding/",
            "We read your bills, invoices and bank accounts; this takes a minute or two.",
        ),
        Step(
            "bank",
            "Connect your bank",
            has_feed,
            "/settings/bank/",
            "Fresher balances than QuickBooks; optional but recommended.",
        ),
        Step(
            "reserves",
            "Set reserves",
            row.reserves_confirmed_at is not None or has_reserve,
            "/reserves/",
            "Money set aside for payroll and taxes is not counted as available.",
        ),
        Step(
            "digest",
            "Choose your digest time",
            row.digest_confirmed_at is not None,
            "/settings/#digest",
            "A calm Monday email with the week's decisions.",
        ),
    ]
