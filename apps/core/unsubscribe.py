"""The one-click unsubscribe page (RFC 8058) shared by every email we send: no sign-in, the
signed token is the authority; a GET (link scanners) only asks, a POST applies."""

from collections.abc import Callable

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render


def one_click_unsubscribe(request: HttpRequest, token: str, *, salt: str,
                          apply: Callable[..., str], template: str) -> HttpResponse:
    """`apply(business=, token=)` unsubscribes and returns the address (raises BadSignature for
    a token of another business)."""
    try:
        signing.loads(token, salt=salt)
    except signing.BadSignature:
        return HttpResponseBadRequest("This unsubscribe link is not valid.")
    if request.method == "GET":
        return render(request, template,
                      {"business": request.business, "token": token, "done": False})
    try:
        email = apply(business=request.business, token=token)
    except signing.BadSignature:
        return HttpResponseBadRequest("This unsubscribe link is not valid.")
    return render(request, template, {"business": request.business, "done": True,
                                      "email": email})
