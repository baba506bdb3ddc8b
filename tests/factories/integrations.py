"""Sync and feed bookkeeping kept in the public schema, one business per row: QuickBooks
connections, sync runs, quarantined records, outbox actions and Plaid items."""

from __future__ import annotations

import factory

from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.models import Action, QboConnection, QuarantinedRecord, SyncRun

from .base import REALM
from .tenancy import BusinessFactory

UNREACHABLE = "http://127.0.0.1:9"  # discard port: nothing answers (tests that never call out)


class QboConnectionFactory(factory.django.DjangoModelFactory):
    """A connected QuickBooks company (tokens encrypted at rest like real ones)."""

    class Meta:
        model = QboConnection
        django_get_or_create = ("business",)

    business = factory.SubFactory(BusinessFactory)
    realm_id = REALM
    api_base = f"{UNREACHABLE}/v3"
    access_token = "access-token"
    refresh_token = "refresh-token"


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    business = factory.SubFactory(BusinessFactory)
    source = SyncRun.Source.QBO
    kind = SyncRun.Kind.FULL


class QuarantinedRecordFactory(factory.django.DjangoModelFactory):
    """A row QuickBooks sent that could not be stored, with the reason."""

    class Meta:
        model = QuarantinedRecord

    business = factory.SubFactory(BusinessFactory)
    entity = "Bill"
    external_id = factory.Sequence(lambda n: str(500 + n))
    reason = "no vendor"


class ActionFactory(factory.django.DjangoModelFactory):
    """An outbox action (a write to QuickBooks), pending unless `state=` says."""

    class Meta:
        model = Action

    business = factory.SubFactory(BusinessFactory)
    key = factory.Sequence(lambda n: f"action-{n}")
    kind = "invoice.send"
    payload = factory.LazyFunction(lambda: {"invoice": "201"})


class PlaidItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaidItem

    business = factory.SubFactory(BusinessFactory)
    item_id = factory.Sequence(lambda n: f"item-{n}")
    access_token = "access-sandbox"
    host = UNREACHABLE


