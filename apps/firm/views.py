"""The firm console (public host): the portfolio, its CSV, opening a client, and accepting an
invitation to a firm. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import invitation_proof
from apps.accounts.firm_access import (
    firm_invitation_accept,
    firm_invitation_lookup,
    firms_for,
)
from apps.accounts.models import Membership
from apps.accounts.services import handoff_url
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record
from apps.firm.access import firm_view
from apps.firm.portfolio import FILTERS, portfolio_csv, portfolio_rows
from apps.firm.table import portfolio_tbody


def firm_home(request):
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    firms = list(firms_for(request.user))
    if len(firms) == 1:
        return redirect("firm-portfolio", firm_slug=firms[0].slug)
    return render(request, "firm/choose.html", {"firms": firms})


@firm_view
def portfolio(request):
    q, flt = request.GET.get("q", ""), request.GET.get("filter", "")
    if flt not in FILTERS:
        flt = ""
    rows = portfolio_rows(user=request.user, firm=request.firm, q=q, flt=flt)
    return render(request, "firm/portfolio.html", {
        "firm": request.firm, "member": request.firm_member, "rows": rows, "q": q,
        "tbody": portfolio_tbody(request, rows, request.firm.slug),
        "filter": flt, "filters": FILTERS,
    })


@firm_view
def portfolio_csv_view(request):
    rows = portfolio_rows(user=request.user, firm=request.firm, q=request.GET.get("q", ""),
                          flt=request.GET.get("filter", ""))
    response = HttpResponse(portfolio_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request.firm.slug}-portfolio.csv"'
    return response


@require_POST
@firm_view
def client_open(request, business_slug: str):
    """One click into the client's portal: the one-time hand-off link, audited. Only a
    current grant opens it (the portal checks the membership again on every request)."""
    grant = (Membership.objects.select_related("business")
             .filter(user=request.user, firm=request.firm, business__slug=business_slug).first())
    if grant is None:
        raise Http404("No such client.")
    audit_record(actor=request.user, action="firm.client_opened", business=grant.business,
                 obj=grant, after={"firm": request.firm.slug})
    return redirect(handoff_url(user=request.user, business=grant.business))


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    try:
        invitation = firm_invitation_lookup(token)
    except ApplicationError as exc:
        return render(request, "firm/invite.html", {"error": exc.message}, status=404)
    account = invitation_proof.invitation_account(invitation.email)
    page = {"invitation": invitation, "signed_in": invitation_proof.signed_in_as(request, account),
            "sign_in_first": invitation_proof.must_sign_in_first(request, account)}
    if request.method == "POST":
        password = request.POST.get("password", "")
        try:
            signer = invitation_proof.invitation_signer(request, invitation.email, password)
            user, firm = firm_invitation_accept(
                token=token, password=password, full_name=request.POST.get("full_name", ""),
                signer=signer)
        except ApplicationError as exc:
            return render(request, "firm/invite.html", {**page, "error": exc.message},
                          status=400)
        if not page["signed_in"]:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {firm.name}.")
        return redirect("firm-portfolio", firm_slug=firm.slug)
    return render(request, "firm/invite.html", page)
