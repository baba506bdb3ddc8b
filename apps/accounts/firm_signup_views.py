"""Firm sign-up (public host, /signup/firm/): the business sign-up's flow and throttle; a
signed-in person with a confirmed address creates the firm at once and lands on its portfolio."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from apps.accounts import firm_signup
from apps.accounts.forms import FirmForm, FirmSignupForm, VerifyFirmSignupForm
from apps.accounts.throttle import Throttled, signup_throttle
from apps.accounts.views import lockout_response
from apps.core.client_ip import client_ip
from apps.core.errors import ApplicationError

PAGE = "accounts/signup.html"
COPY = {"heading": "Sign up your accounting firm",
        "intro": "Every client business on one page, ranked by runway risk.",
        "button": "Create firm"}


def _throttled(request, email: str):
    try:
        signup_throttle(ip=client_ip(request), email=email)
    except Throttled as exc:
        return lockout_response(request, message=exc.message)
    return None


@require_http_methods(["GET", "POST"])
def firm_signup_start(request):
    signed_in = request.user.is_authenticated
    form = (FirmForm if signed_in else FirmSignupForm)(request.POST or None)
    if request.method == "POST":
        email = request.user.email if signed_in else request.POST.get("email", "")
        if (refused := _throttled(request, email)) is not None:
            return refused
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if signed_in:
                firm = firm_signup.firm_create_for(
                    user=request.user, firm_slug=data["slug"], firm_name=data["firm_name"],
                    timezone_name=data["timezone"])
            else:
                firm_signup.firm_signup_request(
                    email=data["email"], password=data["password"], firm_slug=data["slug"],
                    firm_name=data["firm_name"], timezone_name=data["timezone"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if signed_in:
                return redirect("firm-portfolio", firm_slug=firm.slug)
            # The same page whether or not the address already has an account.
            return render(request, "accounts/signup_sent.html",
                          {"email": data["email"], "what": "firm"})
    return render(request, PAGE, {"form": form, **COPY}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def firm_signup_confirm(request, token: str):
    """GET shows a button (mail scanners follow links; only a person's POST creates)."""
    try:
        data = firm_signup.firm_signup_token_read(token)
    except ApplicationError as exc:
        return render(request, "accounts/signup_confirm.html", {"error": exc.message},
                      status=410)
    form = VerifyFirmSignupForm(request.POST or None, initial={"slug": data["f"]})
    if request.method == "POST" and form.is_valid():
        try:
            _user, firm = firm_signup.firm_signup_verify(token=token,
                                                         slug=form.cleaned_data["slug"])
        except ApplicationError as exc:
            form.add_error("slug", exc.message)
        else:
            messages.success(request, f"Your email is confirmed and {firm.name} is ready. "
                                      "Please sign in.")
            return redirect(f"/login/?{urlencode({'next': f'/firm/{firm.slug}/'})}")
    return render(request, "accounts/signup_confirm.html",
                  {"form": form, "name": data["n"], "email": data["user"].email},
                  status=400 if form.errors else 200)
