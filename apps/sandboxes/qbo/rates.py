"""Exchange rates, the one QBO entity without an `Id`.

QBO keys an ExchangeRate by (SourceCurrencyCode, TargetCurrencyCode, AsOfDate); the store keeps
them under that key (`EUR:USD:2026-09-01`). Served three ways, as QBO does:
- the query language (`select * from exchangerate where AsOfDate = '2026-09-01'`);
- the read endpoint `GET exchangerate?sourcecurrencycode=EUR&asofdate=YYYY-MM-DD` (the latest
  rate on or before the date; today's when no date is given);
- `POST exchangerate` to set a rate (create or update; `SyncToken` checked when sent).
Rates are not in CDC and raise no webhooks (events carry an Id; rates have none).
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from .clock import COMPANY_TZ, qbo_stamp
from .errors import QboFault, invalid, not_found, required_missing, stale_object
from .wirejson import to_decimal

ENTITY = "ExchangeRate"


def rate_key(obj: Any) -> str | None:
    """The store key of a rate object, or None when a key field is missing."""
    if not isinstance(obj, dict):
        return None
    parts = [obj.get(k) for k in ("SourceCurrencyCode", "TargetCurrencyCode", "AsOfDate")]
    if any(not isinstance(p, str) or not p.strip() for p in parts):
        return None
    source, target, as_of = (p.strip() for p in parts)
    return f"{source.upper()}:{target.upper()}:{as_of[:10]}"


def home_currency(store: Any) -> str:
    prefs = store.first("Preferences") or {}
    home = ((prefs.get("CurrencyPrefs") or {}).get("HomeCurrency") or {}).get("value")
    return str(home or "USD")


def _as_of(text: str | None) -> date:
    if not text:
        return datetime.now(COMPANY_TZ).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise invalid(f"asofdate {text!r} is not a date (YYYY-MM-DD)") from None


def read_rate(store: Any, params: dict[str, str]) -> dict:
    """The rate of `sourcecurrencycode` in force on `asofdate`: the latest AsOfDate on or
    before it."""
    source = (params.get("sourcecurrencycode") or "").strip().upper()
    if not source:
        raise required_missing("sourcecurrencycode")
    as_of = _as_of(params.get("asofdate"))
    target = home_currency(store)
    with store.lock:
        table = store.tables.get(ENTITY)
        best_key, best = None, None
        for key, obj in (table.objects.items() if table else ()):
            src, tgt, day = key.split(":", 2)
            if src == source and tgt == target and day <= as_of.isoformat():
                if best_key is None or day > best_key.split(":", 2)[2]:
                    best_key, best = key, obj
        if best is None:
            raise not_found(ENTITY, f"{source} on {as_of.isoformat()}")
        return best


def write_rate(store: Any, body: dict) -> tuple[str, dict]:
    """Create or update one rate; returns (key, stored object)."""
    obj = copy.deepcopy(body)
    obj.pop("sparse", None)
    obj.setdefault("TargetCurrencyCode", home_currency(store))
    for name in ("SourceCurrencyCode", "AsOfDate", "Rate"):
        if obj.get(name) in (None, ""):
            raise required_missing(name)
    _as_of(str(obj["AsOfDate"]))
    if to_decimal(obj["Rate"]) <= 0:
        raise invalid(f"Rate must be positive, got {obj['Rate']}")
    key = rate_key(obj)
    if key is None:
        raise required_missing("SourceCurrencyCode")
    now = qbo_stamp()
    with store.lock:
        old = store.get(ENTITY, key)
        token = body.get("SyncToken")
        if old is not None and token not in (None, "") and str(token) != str(
            old.get("SyncToken", "0")
        ):
            raise stale_object(ENTITY, key)
        obj["SyncToken"] = "0" if old is None else str(int(old.get("SyncToken") or 0) + 1)
        meta = dict((old or {}).get("MetaData") or {})
        meta.setdefault("CreateTime", now)
        meta["LastUpdatedTime"] = now
        obj["MetaData"] = meta
        obj.setdefault("domain", "QBO")
        store.put_keyed(ENTITY, key, obj)
    return key, obj


def reject_delete() -> QboFault:
    return invalid("Operation Delete is not supported for ExchangeRate", code="500")
