"""Sign-up, its emailed confirmation, and a signed-in person creating another business."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from apps.accounts import services, signup
from apps.accounts.forms import BusinessForm, SignupForm, VerifySignupForm
from apps.accounts.signup_flow import BUSINESS_SIGNUP, SignupKind, signup_token_read
from apps.accounts.throttle import Throttled, signup_throttle
from apps.accounts.views import _safe_next, lockout_response
from apps.core.client_ip import client_ip
from apps.core.errors import ApplicationError


def signup_throttled(request, email: str):
    """The refusal page when this client or address signed up too often, else None (shared by
    the business and the firm sign-up, so both count against the same limits)."""
    try:
        signup_throttle(ip=client_ip(request), email=email)
    except Throttled as exc:
        return lockout_response(request, message=exc.message)
    return None


def signup_confirm_page(request, token: str, kind: SignupKind, *, verify, form_class,
                        next_path):
    """The emailed link's page. GET shows a button (mail scanners follow links; only a
    person's POST creates). `verify(token=, slug=)` -> (user, created); `next_path(data,
    created)` -> where to go after signing in ("" for nowhere)."""
    try:
        data = signup_token_read(kind, token)
    except ApplicationError as exc:
        return render(request, "accounts/signup_confirm.html", {"error": exc.message}, status=410)
    form = form_class(request.POST or None, initial={"slug": data[kind.slug_key]})
    if request.method == "POST" and form.is_valid():
        try:
            _user, created = verify(token=token, slug=form.cleaned_data["slug"])
        except ApplicationError as exc:
            form.add_error("slug", exc.message)
        else:
            messages.success(
                request, f"Your email is confirmed and {created.name} is ready. Please sign in."
            )
            after = next_path(data, created)
            return redirect(f"/login/?{urlencode({'next': after})}" if after else "login")
    return render(
        request, "accounts/signup_confirm.html",
        {"form": form, "name": data["n"], "email": data["user"].email},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def signup_start(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if (refused := signup_throttled(request, request.POST.get("email", ""))) is not None:
            return refused
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signup.signup_request(
                email=data["email"], password=data["password"], business_slug=data["slug"],
                business_name=data["business_name"], timezone_name=data["timezone"],
                next_path=_safe_next(request, ""),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            # The same page whether or not the address already has an account.
            return render(request, "accounts/signup_sent.html", {"email": data["email"]})
    return render(
        request, "accounts/signup.html", {"form": form, "next": _safe_next(request, "")},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def signup_confirm(request, token: str):
    return signup_confirm_page(
        request, token, BUSINESS_SIGNUP, verify=signup.signup_verify,
        form_class=VerifySignupForm,
        next_path=lambda data, _business: data.get("nx") or "",
    )


@require_http_methods(["GET", "POST"])
def business_new(request):
    if not request.user.is_authenticated:
        return redirect("login")
    form = BusinessForm(request.POST or None)
    if request.method == "POST":
        if (refused := signup_throttled(request, request.user.email)) is not None:
            return refused
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            business = signup.business_create_for(
                user=request.user, business_slug=data["slug"],
                business_name=data["business_name"], timezone_name=data["timezone"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(services.handoff_url(user=request.user, business=business))
    return render(
        request, "accounts/signup.html",
        {"form": form, "heading": "Create a business",
         "intro": "Another business, with you as its owner."},
        status=400 if form.errors else 200,
    )
