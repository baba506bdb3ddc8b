"""The signed-in person's own account (public host): password change and reset (Django's
views, styled and audited), two-step sign-in, sign-out everywhere."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import two_step
from apps.accounts.services import sessions_end_everywhere
from apps.accounts.signup import email_verified_mark
from apps.accounts.throttle import attempt_count
from apps.accounts.views import lockout_response
from apps.core.client_ip import client_ip
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record


@login_required
@require_http_methods(["GET"])
def account(request):
    pending = two_step.totp_pending(request.user)
    return render(request, "accounts/account.html", {
        "two_step_on": two_step.device_for(request.user) is not None,
        "pending": pending,
        "qr": two_step.qr_svg(pending) if pending else "",
    })


@login_required
@require_POST
def two_step_start(request):
    try:
        two_step.totp_start(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("account")


def _two_step_change(request, change, done: str):
    try:
        change(user=request.user, code=request.POST.get("code", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("account")


@login_required
@require_POST
def two_step_confirm(request):
    return _two_step_change(request, two_step.totp_confirm, "Two-step sign-in is on.")


@login_required
@require_POST
def two_step_disable(request):
    return _two_step_change(request, two_step.totp_disable, "Two-step sign-in is off.")


class PasswordFormPage:
    """The password pages' shared template and, once a new password is set, its audit record
    and the page's own follow-up (`password_set`)."""

    template_name = "accounts/password_form.html"
    audit_action = ""

    def form_valid(self, form):
        response = super().form_valid(form)
        # Every session and API token ends: tokens carry the epoch, not the password's hash.
        sessions_end_everywhere(user=form.user)
        form.user.refresh_from_db(fields=["session_epoch"])
        self.password_set(form.user)
        audit_record(actor=form.user, action=self.audit_action, obj=form.user)
        return response

    def password_set(self, user) -> None:
        pass


class PasswordChange(PasswordFormPage, auth_views.PasswordChangeView):
    """Other sessions and every API token end; this session is kept."""

    success_url = reverse_lazy("account")
    extra_context = {"title": "Change your password"}
    audit_action = "auth.password_changed"

    def password_set(self, user) -> None:
        update_session_auth_hash(self.request, user)  # this one is kept
        messages.success(self.request, "Password changed. Other sessions were signed out.")


class PasswordReset(auth_views.PasswordResetView):
    """The same answer whether or not the address has an account (Django's behaviour);
    throttled per client address so it cannot be used to flood a mailbox."""

    template_name = PasswordFormPage.template_name
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")
    extra_context = {"title": "Reset your password"}

    @property
    def from_email(self) -> str:  # read per request: the account sender, not the digest's
        return settings.ACCOUNTS_FROM_EMAIL

    def post(self, request, *args, **kwargs):
        count = attempt_count(scope="reset-ip", key=client_ip(request) or "-",
                              window=settings.SIGNUP_WINDOW)
        if count > settings.SIGNUP_LIMIT_PER_IP:
            return lockout_response(request, message="Too many reset requests. Please wait.")
        return super().post(request, *args, **kwargs)


class PasswordResetConfirm(PasswordFormPage, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password-reset-complete")
    extra_context = {"title": "Choose a new password"}
    audit_action = "auth.password_reset"

    def password_set(self, user) -> None:
        email_verified_mark(user)  # the reset link proved the address
        axes_reset(username=user.email)  # a locked-out owner gets back in by resetting


def password_message(title: str, text: str):
    def view(request):
        return render(request, "accounts/message.html", {"title": title, "text": text})

    return view


reset_done = password_message(
    "Check your email",
    "If an account uses that address, we sent it a link to choose a new password. "
    "The link works once and expires in an hour.",
)
reset_complete = password_message(
    "Password changed", "Your new password is set and every other session was signed out."
)
