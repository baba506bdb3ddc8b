"""Small filters for the digest templates (content dicts hold ISO strings and decimal strings)."""

from datetime import date
from decimal import Decimal

from django import template

from apps.core.money import format_money

register = template.Library()


@register.filter
def isodate(value: str | None, fmt: str = "%a %-d %b") -> str:
    if not value:
        return ""
    return date.fromisoformat(value[:10]).strftime(fmt)


@register.filter
def money(value: str | None, currency: str = "USD") -> str:
    if value is None or value == "":
        return ""
    return format_money(Decimal(value), currency)


@register.filter
def negative(value: str | None) -> bool:
    return value is not None and value != "" and Decimal(value) < 0


@register.filter
def positive(value: str | None) -> bool:
    return value is not None and value != "" and Decimal(value) > 0
