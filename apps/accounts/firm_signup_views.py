"""Firm sign-up (public host, /signup/firm/): the business sign-up's flow and throttle; a
signed-in person with a confirmed address creates the firm at once and lands on its portfolio."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts import firm_signup
from apps.accounts.forms import FirmForm, FirmSignupForm, VerifyFirmSignupForm
from apps.accounts.signup_flow import FIRM_SIGNUP
from apps.accounts.signup_views import signup_confirm_page, signup_throttled
from apps.core.errors import ApplicationError

PAGE = "accounts/signup.html"
COPY = {"heading": "Sign up your accounting firm",
        "intro": "Every client business on one page, ranked by runway risk.",
        "button": "Create firm"}


@require_http_methods(["GET", "POST"])
def firm_signup_start(request):
    signed_in = request.user.is_authenticated
    form = (FirmForm if signed_in else FirmSignupForm)(request.POST or None)
    if request.method == "POST":
        email = request.user.email if signed_in else request.POST.get("email", "")
        if (refused := signup_throttled(request, email)) is not None:
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
    return signup_confirm_page(
        request, token, FIRM_SIGNUP, verify=firm_signup.firm_signup_verify,
        form_class=VerifyFirmSignupForm,
        next_path=lambda _data, firm: f"/firm/{firm.slug}/",
    )
