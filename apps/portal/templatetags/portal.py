"""Template filters: money in the home currency, signed day counts, business-local times."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from apps.core.money import format_money
from apps.runway.charts import compact_money

register = template.Library()


@register.filter
def money(value, currency="USD"):
    if value is None or value == "":
        return "—"
    return format_money(Decimal(value), currency or "USD")


@register.filter
def positive(value):
    """True for an amount above zero (a card with nothing owed shows no payment)."""
    return value not in (None, "") and Decimal(value) > 0


@register.filter
def money_short(value, currency="USD"):
    if value is None:
        return "—"
    return compact_money(Decimal(value), currency or "USD")


@register.filter
def days(value):
    """Runway days with one decimal; "no burn" for None."""
    if value is None:
        return "—"
    return f"{Decimal(value):,.1f}"


@register.filter
def signed_days(value):
    if value is None:
        return ""
    value = Decimal(value)
    if value == 0:
        return "±0.0 days"
    return f"{value:+,.1f} days"


@register.filter
def local(value, tz_name="UTC"):
    """An aware datetime in the business's time zone."""
    if not isinstance(value, datetime):
        return value
    return timezone.localtime(value, ZoneInfo(tz_name or "UTC"))


@register.filter
def isodate(value):
    """A date kept as ISO text (event details are JSON) back to a date, for `|date`."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


@register.filter
def ago(value):
    """'12 min ago', '3 h ago', '2 days ago'."""
    if not isinstance(value, datetime):
        return ""
    seconds = max((timezone.now() - value).total_seconds(), 0)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key) if mapping is not None else None
    except AttributeError:
        return None


@register.simple_tag
def plaid_link_script():
    """Link's script URL: Plaid's CDN in production, the Plaid sandbox's stand-in otherwise."""
    from apps.portal.plaid_link import link_script_url

    return link_script_url()


def _word(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_word(v) for v in value)
    return str(value)


@register.filter
def change(after, before=None):
    """An audit event's before → after in words: "linked: — → 4 · confirmed: no → yes"."""
    if not isinstance(after, dict) and not isinstance(before, dict):
        return "" if after is None else _word(after)
    after, before = after or {}, before or {}
    parts = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in before and key in after:
            parts.append(f"{key}: {_word(before[key])} → {_word(after[key])}")
        elif key in after:
            parts.append(f"{key}: {_word(after[key])}")
        else:
            parts.append(f"{key} was {_word(before[key])}")
    return " · ".join(parts)
