"""Public-schema rows about a business's connections: QuickBooks connection, sync runs,
quarantined records, outbox actions, Plaid items (keyed by business, no schema switch)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.models import Action, QboConnection, QuarantinedRecord, SyncRun

from .base import REALM

_serial = itertools.count(1)


class QboConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QboConnection

    business = None
    realm_id = REALM
    api_base = "http://qbo.invalid"
    access_token = "a"
    refresh_token = "r"
    refresh_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    business = None
    source = SyncRun.Source.QBO
    kind = SyncRun.Kind.INCREMENTAL
    state = SyncRun.State.SUCCEEDED
    error = ""

    @classmethod
    def _create(cls, model_class, *args, started_at=None, **kwargs):
        # started_at is auto_now_add: set it after the insert.
        run = super()._create(model_class, *args, **kwargs)
        if started_at is not None:
            model_class.objects.filter(pk=run.pk).update(
                started_at=started_at, finished_at=started_at + timedelta(minutes=1))
            run.refresh_from_db()
        return run


class ActionFactory(factory.django.DjangoModelFactory):
    """A bill payment in the outbox (payload as bills.py writes it)."""

    class Meta:
        model = Action

    business = None
    key = factory.LazyFunction(lambda: f"test-action-{next(_serial)}")
    kind = "bill_payment.create"
    payload = factory.LazyFunction(lambda: {"vendor": "1", "bill": "2",
                                            "amount": str(Decimal("250.00")),
                                            "bank_account": "3"})
    state = Action.State.SUCCEEDED


class PlaidItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaidItem

    business = None
    item_id = factory.LazyFunction(lambda: f"item-test-{next(_serial)}")
    access_token = "access-sandbox-test"
    institution_name = "First Platypus Bank"
    host = "http://plaid.invalid"
    status = PlaidItem.Status.OK


class QuarantinedRecordFactory(factory.django.DjangoModelFactory):
    """A row QuickBooks sent that could not be stored, with the reason."""

    class Meta:
        model = QuarantinedRecord

    business = None
    entity = "Bill"
    external_id = factory.Sequence(lambda n: str(500 + n))
    reason = "no vendor"
