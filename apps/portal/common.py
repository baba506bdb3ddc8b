"""Small helpers every portal page uses: parsing form input, answering actions (full page,
redirect or an HTMX fragment), the business's "today"."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.dates import local_today
from apps.core.errors import ApplicationError

PAGE_SIZE = 50


class BadInput(ApplicationError):
    code = "bad_input"


def today_for(request: HttpRequest) -> date:
    return local_today(request.business.timezone)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def parse_date(value: str | None, *, label: str = "date", required: bool = True) -> date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise BadInput(f"Choose a {label}.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"“{value}” is not a date (use YYYY-MM-DD).")


def parse_int(value: str | None, *, label: str) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise BadInput(f"Choose a {label}.")


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith("/")
    ):
        return target
    return default


def form_token() -> str:
    """A fresh idempotency key for a form that creates something outside (pay now)."""
    return uuid.uuid4().hex


def action_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """A refused action: a clear message, the right status, nothing changed."""
    status = getattr(exc, "status", 400)
    if status == 400 and getattr(exc, "code", "") == "conflict":
        status = 409
    template = "portal/partials/flash.html" if is_htmx(request) else "portal/action_error.html"
    return render(
        request,
        template,
        {"level": "error", "message": exc.message, "back": safe_next(request, "/")},
        status=status,
    )


def action_done(
    request: HttpRequest, message: str, *, default_next: str, fragment: HttpResponse | None = None
) -> HttpResponse:
    if is_htmx(request) and fragment is not None:
        return fragment
    messages.success(request, message)
    return redirect(safe_next(request, default_next))


def service_action(
    request: HttpRequest, call: Callable[[], Any], message: str | Callable[[Any], str], *,
    default_next: str,
) -> HttpResponse:
    """A form's POST: run `call()` (a service); its refusal as the page's error, else
    `message` (or `message(result)`) and back to `default_next`."""
    try:
        result = call()
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, message(result) if callable(message) else message,
                       default_next=default_next)


def paginate(request: HttpRequest, queryset: Any, size: int = PAGE_SIZE):
    paginator = Paginator(queryset, size)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
