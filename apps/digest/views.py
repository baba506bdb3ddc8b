"""Digest pages on the business's host: history, "view in browser", the PDF, signed deep links,
the member's own subscription, and the one-click unsubscribe (no sign-in)."""

from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Role
from apps.accounts.permissions import open_view, portal_view
from apps.core.unsubscribe import one_click_unsubscribe
from apps.digest import selectors
from apps.digest.content import deep_link_target, digest_build, week_label, week_parse
from apps.digest.render import digest_render_page_body, digest_render_pdf
from apps.digest.schedule import UNSUBSCRIBE_SALT, digest_subscription_set, digest_unsubscribe
from apps.digest.sending import late_note


@portal_view
def history(request):
    runs = selectors.runs_with_tracking()
    return render(request, "digest/history.html", {"runs": runs, "business": request.business,
                                                   "membership": request.membership})


def week_content(request, week: str) -> tuple[dict, str]:
    """The digest of an ISO week and its late note (the page, its PDF, the API's PDF); 404
    for a malformed week or one without a digest."""
    try:
        week_parse(week)
    except ValueError:
        raise Http404("No such week.")
    run = selectors.run_for_week(week)
    if run is not None and run.content:
        return run.content, late_note(run, request.business.timezone)
    if week != week_label(selectors.local_today(request.business)):
        raise Http404("No digest for that week.")
    return digest_build(request.business, week), ""  # this week's, not sent yet: a preview


@portal_view
def in_browser(request, week: str):
    content, late = week_content(request, week)
    body = mark_safe(digest_render_page_body(content, late=late))  # noqa: S308 — our template
    return render(request, "digest/page.html", {"body": body, "c": content,
                                                "business": request.business,
                                                "membership": request.membership})


@portal_view
def pdf(request, week: str):
    content, late = week_content(request, week)
    response = HttpResponse(digest_render_pdf(content, late=late).data,
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="runway-digest-{week}.pdf"'
    return response


@portal_view
def go(request, token: str):
    """A deep link from the email: signed, and only reachable signed in (portal_view)."""
    try:
        return redirect(deep_link_target(token))
    except signing.BadSignature:
        raise Http404("This link is not valid.")


@portal_view(read=Role.VIEWER, write=Role.VIEWER)
@require_http_methods(["GET", "POST"])
def subscription(request):
    if request.method == "POST":
        digest_subscription_set(actor=request.user, business=request.business,
                                receives=request.POST.get("receives") == "1")
        return redirect("digest-subscription")
    return render(request, "digest/subscription.html", {
        "business": request.business, "membership": request.membership,
        "receives": selectors.receives_digest(request.membership),
    })


@open_view
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookies/token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    return one_click_unsubscribe(request, token, salt=UNSUBSCRIBE_SALT, apply=digest_unsubscribe,
                                 template="digest/unsubscribe.html")
