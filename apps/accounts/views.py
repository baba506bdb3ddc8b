"""Sign-in, sign-out and invitations (sign-up: `signup_views.py`). Thin: parse the form,
call a service, render."""

import time

from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from apps.accounts import invitation_proof, services, two_step
from apps.accounts.forms import AcceptInvitationForm, LoginForm
from apps.accounts.models import Firm, User
from apps.accounts.permissions import open_view
from apps.core.errors import ApplicationError
from apps.tenancy.models import Business

BACKEND = "django.contrib.auth.backends.ModelBackend"
OTP_PENDING = "oodaloo_otp_pending"
OTP_PENDING_SECONDS = 300


def lockout_response(request, response=None, credentials=None, *, message=None):
    """django-axes' lockout page, also used by the sign-up throttle. On the API (token
    exchange) the lockout is the API's own JSON error, not a page (docs/api.md)."""
    message = message or "Too many failed sign-in attempts. Please wait 15 minutes and try again."
    if request.path_info.startswith("/api/"):
        wait = get_cool_off(request)
        seconds = int(wait.total_seconds()) if wait else 15 * 60
        locked = JsonResponse({"error": {"code": "locked_out", "message": message,
                                         "retry_after": seconds}}, status=429)
        locked["Retry-After"] = str(seconds)
        return locked
    html = render_to_string("accounts/locked.html", {"message": message}, request)
    return HttpResponse(html, status=429)


def _safe_next(request, default="/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _authenticate(request, form):
    return authenticate(
        request, email=form.cleaned_data["email"].lower(), password=form.cleaned_data["password"]
    )


def sign_in_begin(request, user, next_url: str):
    """The password was right: sign in now, or first ask for the two-step code."""
    if two_step.device_for(user) is None:
        login(request, user, backend=BACKEND)
        return redirect(next_url)
    request.session[OTP_PENDING] = {"u": user.pk, "next": next_url, "at": time.time()}
    return redirect("/login/code/")


@open_view
@require_http_methods(["GET", "POST"])
def login_code(request):
    """Second step, on whichever host the password was given."""
    pending = request.session.get(OTP_PENDING) or {}
    if time.time() - pending.get("at", 0) > OTP_PENDING_SECONDS:
        request.session.pop(OTP_PENDING, None)
        return redirect("/login/")
    error = None
    if request.method == "POST":
        user = User.objects.filter(pk=pending["u"], is_active=True).first()
        device = user and two_step.code_check(user=user, code=request.POST.get("code", ""))
        if device:
            request.session.pop(OTP_PENDING, None)
            login(request, user, backend=BACKEND)
            otp_login(request, device)
            return redirect(pending["next"])
        error = "That code is not right (or too many tries: wait a little)."
    return render(request, "accounts/login_code.html", {"error": error},
                  status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def public_login(request):
    """Sign in on the public host, then go to the chosen business (or the admin for staff)."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _authenticate(request, form)
        if user is None:
            form.add_error(None, "That email and password don't match an account.")
        elif not user.is_email_verified:
            form.add_error(None, "Please confirm your email first: follow the link we sent you.")
        else:
            # e.g. back to the QuickBooks launch URL; only paths on this host.
            return sign_in_begin(
                request, user, _safe_next(request, default=reverse("choose-business"))
            )
    return render(
        request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")},
        status=400 if form.errors else 200,
    )


def choose_business(request):
    if not request.user.is_authenticated:
        return redirect("login")
    businesses = list(services.businesses_for(request.user))
    firms = list(Firm.objects.filter(members__user=request.user).order_by("name"))
    if len(businesses) == 1 and not firms:
        return redirect(services.handoff_url(user=request.user, business=businesses[0]))
    if not businesses and request.user.is_staff:
        return redirect("/admin/")
    return render(request, "accounts/choose.html", {"businesses": businesses, "firms": firms})


def go_to_business(request, slug: str):
    if not request.user.is_authenticated:
        return redirect("login")
    business = services.businesses_for(request.user).filter(slug=slug).first()
    if business is None:
        return render(
            request,
            "accounts/choose.html",
            {
                "businesses": services.businesses_for(request.user),
                "error": "You are not a member of that business.",
            },
            status=404,
        )
    return redirect(services.handoff_url(user=request.user, business=business))


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    try:
        invitation = services.invitation_lookup(token)
    except ApplicationError as exc:
        return render(request, "accounts/invite.html", {"error": exc.message}, status=410)
    account = invitation_proof.invitation_account(invitation.email)
    signed_in = invitation_proof.signed_in_as(request, account)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None,
                                password_required=not signed_in)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        try:
            signer = invitation_proof.invitation_signer(request, invitation.email, password)
            user, business = services.invitation_accept(
                token=token, password=password, full_name=form.cleaned_data["full_name"],
                signer=signer)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if not signed_in:
                login(request, user, backend=BACKEND)
            return redirect(services.handoff_url(user=user, business=business))
    return render(request, "accounts/invite.html", {
        "form": form, "invitation": invitation, "signed_in": signed_in,
        "sign_in_first": invitation_proof.must_sign_in_first(request, account)})


@require_POST
def public_logout(request):
    _sign_out_everywhere(request)
    return redirect("login")


def _sign_out_everywhere(request) -> None:
    """Sign-out ends every session of the person, on every host and device: the business
    host's, the public host's (where sign-in happened) and other browsers'."""
    user = request.user if request.user.is_authenticated else None
    logout(request)
    if user is not None:
        services.sessions_end_everywhere(user=user)


# --- on a business's own host ---


@open_view
@require_http_methods(["GET", "POST"])
def tenant_login(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _authenticate(request, form)
        business: Business = request.business
        if user is None or not user.memberships.filter(business=business).exists():
            form.add_error(None, "That email and password don't match a member of this business.")
        else:
            return sign_in_begin(request, user, _safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )


@open_view
def tenant_handoff(request):
    try:
        user = services.handoff_consume(
            token=request.GET.get("token", ""), business=request.business
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("tenant-login")
    login(request, user, backend=BACKEND)
    return redirect(_safe_next(request))


@open_view
@require_POST
def tenant_logout(request):
    _sign_out_everywhere(request)
    return redirect("tenant-login")
