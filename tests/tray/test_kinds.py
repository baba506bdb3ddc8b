"""Tray kinds come from the domains that raise them (declared beside each cause source, plugged
in oodaloo/wiring.py); the tray ranks them and `TrayItem.kind` takes them as its choices."""

import pytest
from django.core.exceptions import ValidationError

from apps.core import hooks
from apps.core.tray_causes import TRAY_CAUSES, TRAY_KINDS, kind_choices
from apps.tray.models import TrayItem
from apps.tray.services import TIER

# What TrayItem.Kind listed before the kinds moved to their domains: values, labels and order
# (the API schema's enum) stay the same.
BEFORE_THE_MOVE = [
    ("connection", "Connection problem"),
    ("bill_approve", "Bill to approve"),
    ("bill_pay", "Bill to pay"),
    ("invoice_chase", "Invoice to chase"),
    ("credit_apply", "Credit to apply"),
    ("reserve_fund", "Reserve below target"),
    ("series_confirm", "Recurring payment to confirm"),
    ("bank_unmatched", "Bank transaction with no record in QuickBooks"),
    ("bank_link", "Bank account link to confirm"),
    ("currency_rate", "Exchange rate missing"),
    ("contact_fix", "Billing email to fix"),
    ("automation_held", "Automation held back"),
]


def test_the_field_choices_are_the_plugged_kinds_in_wiring_order():
    assert kind_choices() == BEFORE_THE_MOVE
    assert list(TrayItem._meta.get_field("kind").choices) == BEFORE_THE_MOVE


def test_every_kind_is_plugged_once_and_ranked():
    values = [kind.value for kind in hooks.plugged(TRAY_KINDS)]
    assert len(values) == len(set(values))
    # Bills always name a finer tier (`rank`: bill_urgent / bill_soon); every other kind has one.
    unranked = set(values) - set(TIER) - {"bill_approve", "bill_pay"}
    assert not unranked
    assert hooks.plugged(TRAY_CAUSES), "the wiring plugged no cause source"


def test_a_kind_no_domain_declared_is_refused():
    field = TrayItem._meta.get_field("kind")
    assert field.clean("bank_link", None) == "bank_link"
    with pytest.raises(ValidationError, match="made_up"):
        field.clean("made_up", None)
