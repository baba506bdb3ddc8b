"""Staff back-office tests: staff sign in to the admin with a password and a TOTP code (the
real OTP admin login), tasks go to an in-memory broker, QuickBooks is the local sandbox."""

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp

from apps.accounts.models import User
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.qbo_sync import qbo_sync_run
from apps.staff.roles import staff_roles_setup
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.integrations.sync.qbo_company import start, write_company
from tests.utils import client_for

PASSWORD = "a-long-password-1"


@pytest.fixture(autouse=True, scope="module")
def _memory_broker(memory_broker):
    yield


def staff_user(email: str, role: str) -> User:
    """A staff member in one of the roles (``manage.py staff_roles`` groups)."""
    staff_roles_setup()
    user = UserFactory(email=email, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def admin_client(user: User):
    """The public-host client of ``user`` after the admin's password + TOTP sign-in."""
    device = TOTPDeviceFactory(user=user)
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=device.drift)
    client = client_for(None)
    response = client.post("/admin/login/", {
        "username": user.email, "password": PASSWORD, "otp_device": device.persistent_id,
        "otp_token": f"{token:06d}", "next": "/admin/"})
    assert response.status_code == 302, response.content[:400]
    return client


@pytest.fixture
def sb(tmp_path):
    handle = start(write_company(tmp_path / "co"))
    yield handle
    handle.stop()


@pytest.fixture
def connected(sb, tenant_a, settings):
    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05
    sandbox_connect(tenant_a, sb.base_url)
    qbo_sync_run(tenant_a, full=True)
    tenant_a.refresh_from_db()
    return tenant_a
