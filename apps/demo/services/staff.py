"""The demo's staff user, with what it needs to pass the admin's TOTP 2FA."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User


@dataclass(frozen=True)
class StaffLogin:
    email: str
    password: str
    totp_secret: str
    otpauth_uri: str
    backup_code: str


def demo_staff_ensure(*, email: str = "staff@oodaloo.localhost",
                      password: str = "oodaloo-staff-demo") -> StaffLogin:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_superuser(email, password, full_name="Demo Staff")
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    device = TOTPDevice.objects.filter(user=user, name="demo authenticator").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    uri = (f"otpauth://totp/Oodaloo:{quote(email)}?secret={secret}&issuer=Oodaloo"
           f"&digits={device.digits}&period={device.step}")
    static, _ = StaticDevice.objects.get_or_create(user=user, name="demo backup codes",
                                                   defaults={"confirmed": True})
    code = secrets.token_hex(4)
    StaticToken.objects.create(device=static, token=code)
    return StaffLogin(email, password, secret, uri, code)
