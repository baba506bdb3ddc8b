"""Isolation, generated from the schema: every operation that names an object, for every role of
business A, aimed at an id that exists in business B (and not in A) → 404. A role the route
refuses gets the same 403 whatever the id (it learns nothing about B). A new `{id}` operation
fails here until its resource has a row maker below."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Firm, FirmClient, Invitation, Membership, Role
from apps.api.models import ApiKey
from apps.ar.reminders.models import ReminderStep
from apps.ar.reminders.sequences import sequence_default
from apps.automation.models import RuleAction
from apps.integrations.plaid.models import PlaidItem
from tests import factories as fx
from tests.api.helpers import foreign_row
from tests.api.schema_ops import id_operations, resource_of
from tests.utils import client_for, in_tenant, make_member

pytestmark = pytest.mark.django_db


def _step():
    seq = sequence_default()
    return ReminderStep.objects.create(sequence=seq, offset_days=99, tone="friendly",
                                       subject="Hi", body="Hello")


# Which row an `{id}` of each resource names. Rows are made in B.
MAKERS = {
    "bills": lambda: fx.BillFactory(),
    "vendors": lambda: fx.VendorFactory(),
    "vendor-credits": lambda: fx.VendorCreditFactory(),
    "invoices": lambda: fx.InvoiceFactory(customer=fx.CustomerFactory()),
    "customers": lambda: fx.CustomerFactory(),
    "credits": lambda: fx.CreditMemoFactory(customer=fx.CustomerFactory()),
    "overpayments": lambda: fx.PaymentFactory(unapplied_amount="30.00"),
    "reserves": lambda: fx.ReserveFactory(),
    "tray": lambda: fx.TrayItemFactory(),
    "bank-accounts": lambda: fx.AccountFactory(),
    "documents": lambda: fx.DocumentFactory(),
    "feed-accounts": lambda: fx.FeedAccountFactory(),
    "actions": lambda: RuleAction.objects.create(
        key=f"iso-{RuleAction.objects.count()}", kind="approve", state="done", summary="x"),
    "sequences": lambda: sequence_default(),
    "steps": _step,
    "keys": lambda: ApiKey.objects.create(name="b", prefix=f"p{ApiKey.objects.count()}x",
                                          secret_hash="0" * 64, created_by_id=1,
                                          created_by_email="b@b.test"),
}


def _public_rows(business) -> dict:
    """Team rows live in the public schema (ids unique across businesses): made for B."""
    firm = Firm.objects.create(slug="iso-firm", name="Iso Firm")
    person = make_member(business, Role.VIEWER, email="iso-viewer@example.test")
    grant = Membership.objects.create(user=fx.UserFactory(email="iso-grant@example.test"),
                                      business=business, role=Role.BOOKKEEPER, firm=firm)
    invitation = Invitation.objects.create(
        business=business, email="iso-invite@example.test", role=Role.VIEWER,
        token_hash="f" * 64, expires_at=timezone.now() + timedelta(days=3))
    return {"members": Membership.objects.get(user=person, business=business).pk,
            "grants": grant.pk, "invitations": invitation.pk,
            "firms": FirmClient.objects.create(firm=firm, business=business).pk,
            "bank-feeds": PlaidItem.objects.create(business=business, item_id="iso-item",
                                                   host="http://plaid.invalid").pk}


def test_every_id_operation_of_a_is_404_on_b_ids(tenant_a, tenant_b):
    ops = id_operations()
    assert len(ops) >= 30, ops  # the schema really lists the API
    public = _public_rows(tenant_b)
    missing = sorted({resource_of(p) for _, p in ops} - set(MAKERS) - set(public))
    assert not missing, f"add a row maker for: {missing}"
    with in_tenant(tenant_a):
        fx.AccountFactory(name="A cash")
        members = {role: make_member(tenant_a, role) for role in (Role.OWNER, Role.BOOKKEEPER,
                                                                    Role.VIEWER)}
    foreign = {name: foreign_row(tenant_b, tenant_a, make).pk for name, make in MAKERS.items()}
    foreign |= public
    body = {"pay_on": str(fx.base.date.today() + timedelta(days=3)), "reason": "x",
            "until": str(fx.base.date.today() + timedelta(days=3)), "on": None,
            "account": 1, "amount": "1.00", "bill": 1, "invoice": 1, "included": True,
            "mode": "paused", "emails": "a@b.test", "disputed": True, "name": "N",
            "offset_days": 3, "tone": "friendly", "subject": "s", "body": "b",
            "role": "viewer"}
    leaks, checked = [], 0
    for role, user in members.items():
        client = client_for(tenant_a, user)
        for method, path in ops:
            url = path.replace("{id}", str(foreign[resource_of(path)]))
            headers = {"HTTP_IDEMPOTENCY_KEY": f"iso-{role}-{method}-{url}"}
            call = getattr(client, method)
            response = (call(url, **headers) if method == "get"
                        else call(url, body, content_type="application/json", **headers))
            checked += 1
            if response.status_code == 404:
                continue
            if response.status_code == 403:
                # Refused by role before any lookup: same answer for an id nobody has.
                same = getattr(client, method)(path.replace("{id}", "2147483000"),
                                               **({} if method == "get" else
                                                  {"data": body,
                                                   "content_type": "application/json"}))
                if same.status_code == 403:
                    continue
            leaks.append((role, method.upper(), url, response.status_code))
    print(f"isolation: {checked} operation×role calls on B's ids, {len(leaks)} leaks")
    assert not leaks, leaks
