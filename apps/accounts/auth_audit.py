"""Sign-ins (successful and failed) and sign-outs go to the audit log, from every form (portal,
business host, staff admin, hand-off). Django's auth signals are the one place all of them pass
through; the receivers only record, they decide nothing."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from apps.accounts.lockout import attempted_email
from apps.core.services.audit import audit_record


def _where(request) -> dict:
    if request is None:
        return {}
    return {"host": request.META.get("HTTP_HOST", ""), "path": getattr(request, "path", "")}


def login_recorded(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", obj=user, after=_where(request))


def login_failure_recorded(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the email is kept.
    email = attempted_email(request, credentials) or ""
    audit_record(actor=email or None, action="auth.login_failed",
                 after={"email": email, **_where(request)})


def logout_recorded(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, after=_where(request))


def connect() -> None:
    user_logged_in.connect(login_recorded, dispatch_uid="oodaloo.audit.login")
    user_login_failed.connect(login_failure_recorded, dispatch_uid="oodaloo.audit.login_failed")
    user_logged_out.connect(logout_recorded, dispatch_uid="oodaloo.audit.logout")
