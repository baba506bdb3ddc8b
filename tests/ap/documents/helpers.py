"""Shared set-up for document tests: a QBO sandbox with vendors and an expense account, the
business connected to it, its vendors mirrored locally, and a staff user with 2FA."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_otp.oath import totp

from apps.integrations.sync.models import QboConnection
from apps.sandboxes.qbo import start_sandbox
from apps.sandboxes.qbo.fixtures import write_company
from tests.bench.documents_corpus import VENDORS
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.utils import client_for, in_tenant

STAMP = {"CreateTime": "2026-11-01T09:00:00-07:00", "LastUpdatedTime": "2026-11-01T09:00:00-07:00"}


def sandbox_for(business, tmp_path):
    from apps.ap.models import Vendor

    vendors = [{"Id": str(i + 1), "DisplayName": name, "Balance": 0, "Active": True,
                "SyncToken": "0", "MetaData": STAMP} for i, (name, _) in enumerate(VENDORS)]
    accounts = [{"Id": "90", "Name": "Uncategorized Expense", "AccountType": "Expense",
                 "Active": True, "SyncToken": "0", "MetaData": STAMP}]
    write_company(tmp_path / "qbo", {"Vendor": vendors, "Account": accounts,
                                     "CompanyInfo": [{"Id": "1", "CompanyName": "Docs Co"}]})
    sandbox = start_sandbox(tmp_path / "qbo", port=0, persist=False)
    tokens = sandbox.issue_tokens()
    QboConnection.objects.update_or_create(business=business, defaults=dict(
        realm_id=sandbox.realm, api_base=sandbox.base_url,
        oauth_environment=sandbox.discovery_url, access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        access_expires_at=timezone.now() + timedelta(seconds=int(tokens["expires_in"])),
        refresh_expires_at=timezone.now() + timedelta(days=100),
    ))
    with in_tenant(business):
        for v in vendors:
            Vendor.objects.update_or_create(realm_id=sandbox.realm, qbo_id=v["Id"],
                                            defaults={"display_name": v["DisplayName"]})
    return sandbox


def staff_client(email="reviewer@oodaloo.test"):
    """A staff admin client signed in with password + TOTP on the public host."""

    user = UserFactory(email=email, password="a-long-password-1", superuser=True)
    device = TOTPDeviceFactory(user=user)
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=device.drift)
    client = client_for(None)
    response = client.post("/admin/login/", {
        "username": email, "password": "a-long-password-1",
        "otp_device": device.persistent_id, "otp_token": f"{token:06d}", "next": "/admin/"})
    assert response.status_code == 302, response.content[:300]
    return client, user
