"""PATCH /api/v1/business/ changes several settings at once, all or nothing: one refused value
leaves every setting (and the audit log) as it was."""

from datetime import time
from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.ap.documents.models import InboundSender
from apps.business_settings.selectors import settings_get
from apps.core.errors import ApplicationError
from apps.core.models import AuditEvent
from apps.tenancy.models import Business
from tests.factories import make_member
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _patch(client, body, key):
    return client.patch("/api/v1/business/", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key)


def _state(tenant):
    with in_tenant(tenant):
        row = settings_get()
        return {"limit": row.approval_limit, "digest": (row.digest_weekday, row.digest_time),
                "zone": Business.objects.get(pk=tenant.pk).timezone,
                "senders": sorted(InboundSender.objects.values_list("pattern", flat=True)),
                "audit": AuditEvent.objects.filter(business=tenant,
                                                   action__startswith="settings.").count()}


@pytest.mark.parametrize("body", [
    {"approval_limit": "98765.00", "timezone": "Mars/Olympus_Mons"},
    {"approval_limit": "98765.00", "timezone": "Europe/Paris", "digest_time": "07:10"},
    {"approval_limit": "98765.00", "digest_weekday": 2, "inbound_senders": ["not an address"]},
])
def test_a_refused_value_changes_nothing(tenant_a, body):
    client = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    before = _state(tenant_a)
    response = _patch(client, body, "refused-1")
    assert response.status_code == 400, response.content
    assert _state(tenant_a) == before


def test_a_refusal_after_the_first_write_undoes_it(tenant_a, monkeypatch):
    """A refusal no check foresaw (here: the last service's) rolls back the earlier writes."""
    def refuse(**kwargs):
        raise ApplicationError("Refused at the last step.")

    monkeypatch.setattr("apps.api.business.inbound_senders_set", refuse)
    client = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    before = _state(tenant_a)
    response = _patch(client, {"approval_limit": "98765.00", "timezone": "Europe/Paris",
                               "inbound_senders": ["ap@vendor.test"]}, "refused-2")
    assert response.status_code == 400
    assert _state(tenant_a) == before


def test_a_valid_patch_applies_every_field(tenant_a):
    client = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    response = _patch(client, {"approval_limit": "98765.00", "timezone": "Europe/Paris",
                               "digest_weekday": 2, "digest_time": "07:15",
                               "inbound_senders": ["ap@vendor.test"]}, "valid-1")
    assert response.status_code == 200, response.content
    after = _state(tenant_a)
    assert after["limit"] == Decimal("98765.00") and after["zone"] == "Europe/Paris"
    assert after["digest"] == (2, time(7, 15)) and after["senders"] == ["ap@vendor.test"]
    assert response.json()["timezone"] == "Europe/Paris"
    actions = set(AuditEvent.objects.filter(business=tenant_a).values_list("action", flat=True))
    assert {"settings.approval_limit", "settings.timezone", "settings.digest",
            "settings.inbound_senders"} <= actions
