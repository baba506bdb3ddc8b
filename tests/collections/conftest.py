"""Reminder tests: the alpha business with reminders on, an owner, and a few customers (the
mail provider's stand-in, `postmark`, is tests/postmark.py)."""

from types import SimpleNamespace

import pytest

from apps.accounts.models import Role
from apps.ar.reminders.models import CollectionsSettings
from apps.ar.reminders.sequences import sequence_default
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import in_tenant


@pytest.fixture
def rem(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        CollectionsSettings.objects.update_or_create(
            singleton=1, defaults={"enabled": True, "attach_pdfs": False,
                                   "pay_link": "https://pay.example.test/alpha"})
        seq = sequence_default()
        yield SimpleNamespace(
            business=tenant_a, today=f.today_of(tenant_a), seq=seq,
            steps={s.offset_days: s for s in seq.steps.all()},
            owner=make_member(tenant_a, Role.OWNER),
            bookkeeper=make_member(tenant_a, Role.BOOKKEEPER),
            viewer=make_member(tenant_a, Role.VIEWER),
        )
