"""The business's own settings row and its API keys (tenant schema)."""

from __future__ import annotations

import hashlib

import factory

from apps.api.models import ApiKey
from apps.business_settings.models import BusinessSettings

from .base import SingletonFactory, TenantFactory

API_SECRET = "factory-secret"  # the key string is f"ood_{key.prefix}_{API_SECRET}"


class BusinessSettingsFactory(SingletonFactory):
    class Meta:
        model = BusinessSettings


class ApiKeyFactory(TenantFactory):
    """A read key whose full string is `ood_<prefix>_<API_SECRET>`."""

    class Meta:
        model = ApiKey

    name = "Zapier"
    prefix = factory.Sequence(lambda n: f"fk{n:010d}")
    secret_hash = hashlib.sha256(API_SECRET.encode()).hexdigest()
    scope = ApiKey.Scope.READ
    created_by_id = 1
    created_by_email = "owner@example.test"
