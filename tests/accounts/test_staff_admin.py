"""Staff must pass TOTP 2FA before the admin shows anything."""

from django_otp.oath import totp

from tests.factories import TOTPDeviceFactory, UserFactory
from tests.utils import client_for


def _staff():
    return UserFactory(email="ops@oodaloo.test", password="a-long-password-1", superuser=True)


def test_staff_without_2fa_cannot_use_admin(db):
    staff = _staff()
    client = client_for(None, staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/tenancy/business/").status_code == 302


def test_staff_with_totp_reaches_business_health_console(db, tenant_a):
    staff = _staff()
    device = TOTPDeviceFactory(user=staff)
    client = client_for(None)
    bad = client.post(
        "/admin/login/",
        {
            "username": staff.email,
            "password": "a-long-password-1",
            "otp_device": device.persistent_id,
            "otp_token": "000000",
        },
    )
    assert bad.status_code == 200 and client.get("/admin/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # repeated guesses are slowed down
    device.throttle_reset()
    token = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    ok = client.post(
        "/admin/login/",
        {
            "username": staff.email,
            "password": "a-long-password-1",
            "otp_device": device.persistent_id,
            "otp_token": f"{token:06d}",
            "next": "/admin/",
        },
    )
    assert ok.status_code == 302, ok.content[:500]
    page = client.get("/admin/tenancy/business/")
    assert page.status_code == 200
    assert b"Alpha Studio" in page.content and b"last sync" in page.content.lower()
    assert b"bank feeds" in page.content.lower() and b"not connected" in page.content
    assert b"(template)" not in page.content
