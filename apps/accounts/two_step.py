"""Optional two-step sign-in (TOTP, django-otp) for owners and members; staff must have it.

A confirmed TOTP device makes every password sign-in (portal, business host, API token) ask
for the current code as well. django-otp throttles wrong codes per device."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record


class TwoStepError(ApplicationError):
    code = "two_step"


def device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def code_check(*, user: User, code: str) -> TOTPDevice | None:
    """The confirmed device if `code` is its current code, else None (and a throttle step)."""
    device = device_for(user)
    if device is None or not device.verify_token((code or "").strip()):
        return None
    return device


ALREADY_ON = "Two-step sign-in is already on: turn it off with a current code first."


def totp_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed device; it counts only once a code from the app confirms it. Never
    beside a confirmed one: a session alone must not swap the phone that turning off (with its
    code) protects."""
    if device_for(user) is not None:
        raise TwoStepError(ALREADY_ON)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)


def totp_pending(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def totp_confirm(*, user: User, code: str) -> TOTPDevice:
    device = totp_pending(user)
    if device is None:
        raise TwoStepError("Start the set-up again.")
    if device_for(user) is not None:
        raise TwoStepError(ALREADY_ON)
    if not device.verify_token((code or "").strip()):
        raise TwoStepError("That code is not right. Check the app's clock and try again.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="auth.two_step_enabled", obj=user)
    return device


def totp_disable(*, user: User, code: str) -> None:
    if user.is_staff:
        raise TwoStepError("Staff accounts must keep two-step sign-in.")
    if code_check(user=user, code=code) is None:
        raise TwoStepError("That code is not right.")
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=user, action="auth.two_step_disabled", obj=user)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no external service sees the secret)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")
