"""Sign-in, sign-up and invitations. Thin: parse the form, call a service, render."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from apps.accounts import services
from apps.accounts.forms import AcceptInvitationForm, LoginForm, SignupForm
from apps.accounts.permissions import open_view
from apps.core.errors import ApplicationError
from apps.tenancy.models import Business


def lockout_response(request, response=None, credentials=None):
    html = render_to_string(
        "accounts/locked.html",
        {"message": "Too many failed sign-in attempts. Please wait 15 minutes and try again."},
        request,
    )
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


@require_http_methods(["GET", "POST"])
def public_login(request):
    """Sign in on the public host, then go to the chosen business (or the admin for staff)."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _authenticate(request, form)
        if user is None:
            form.add_error(None, "That email and password don't match an account.")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # e.g. back to the QuickBooks launch URL; only paths on this host.
            return redirect(_safe_next(request, default=reverse("choose-business")))
    return render(
        request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")},
        status=400 if form.errors else 200,
    )


def choose_business(request):
    if not request.user.is_authenticated:
        return redirect("login")
    businesses = list(services.businesses_for(request.user))
    if len(businesses) == 1:
        return redirect(services.handoff_url(user=request.user, business=businesses[0]))
    if not businesses and request.user.is_staff:
        return redirect("/admin/")
    return render(request, "accounts/choose.html", {"businesses": businesses})


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
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, business = services.user_signup(
                email=data["email"],
                password=data["password"],
                business_slug=data["slug"],
                business_name=data["business_name"],
                timezone_name=data["timezone"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if _safe_next(request, ""):  # e.g. the QuickBooks launch URL: connect next
                return redirect(_safe_next(request))
            return redirect(services.handoff_url(user=user, business=business, next_path="/"))
    return render(
        request, "accounts/signup.html", {"form": form, "next": _safe_next(request, "")},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    try:
        invitation = services.invitation_lookup(token)
    except ApplicationError as exc:
        return render(request, "accounts/invite.html", {"error": exc.message}, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, business = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(services.handoff_url(user=user, business=business))
    return render(request, "accounts/invite.html", {"form": form, "invitation": invitation})


def public_logout(request):
    logout(request)
    return redirect("login")


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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_safe_next(request))
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
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(_safe_next(request))


@open_view
def tenant_logout(request):
    logout(request)
    return redirect("tenant-login")
