"""QBO → ledger reference data: the chart of accounts, exchange rates, company currencies,
classes, departments and employees. Registered as sync sinks in ``LedgerConfig.ready()``; one
bulk upsert per page.

Exchange rates have no QBO Id: their DTO carries the stand-in key ``"<src>:<tgt>:<date>"`` as
``qbo_id`` (see ``ExchangeRate``), so the shared upsert applies unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection

from apps.integrations.sync.ingest_helpers import (
    clip,
    held_rows,
    money,
    money_problem,
    ref_value,
    rows_sink,
    synced_fields,
)
from apps.integrations.sync.sinks import SinkContext, SinkResult
from apps.ledger.models import (
    Account,
    Class,
    CompanyCurrency,
    Department,
    Employee,
    ExchangeRate,
)

RATE_LIMIT = 10**10  # DecimalField(max_digits=20, decimal_places=10)
_TEN_PLACES = Decimal("1e-10")


def _held_rates(ctx: SinkContext, live: list[Any]) -> dict[str, tuple[Any, ...]]:
    return held_rows(ExchangeRate, ["rate", "sync_token"], ctx.realm_id,
                     (d.qbo_id for d in live))


def _rate_row(ctx: SinkContext, dto: Any, held: dict) -> dict[str, Any] | str | None:
    if dto.rate >= RATE_LIMIT:
        return f"Rate {dto.rate} is too large to be real"
    rate = dto.rate.quantize(_TEN_PLACES)
    if held.get(dto.qbo_id) == (rate, clip(dto.sync_token, 16)):
        return None
    return dict(**synced_fields(dto, ctx.realm_id), source_currency=dto.source_currency,
                target_currency=dto.target_currency, as_of=dto.as_of, rate=rate)


# Rates are re-read on every incremental run (no CDC for them): only new or changed ones are
# written and counted, so a run that changed nothing stores nothing.
exchange_rates_ingest = rows_sink(
    ExchangeRate, ["source_currency", "target_currency", "as_of", "rate"], _rate_row,
    lookups=_held_rates)

company_currencies_ingest = rows_sink(
    CompanyCurrency, ["code", "name", "active"],
    lambda ctx, d, _found: dict(**synced_fields(d, ctx.realm_id), code=d.code,
                                name=clip(d.name, 100), active=d.active))


def _segment_row(ctx: SinkContext, d: Any, _found: Any) -> dict[str, Any]:
    return dict(
        **synced_fields(d, ctx.realm_id),
        name=clip(d.name, 200),
        fully_qualified_name=clip(d.fully_qualified_name, 400),
        parent_qbo_id=ref_value(d.parent_ref),
        active=d.active,
    )


def _segments_ingest(model: type[Class] | type[Department]):
    """Class and Department: a name tree. Parents are linked by QBO id after every page, so a
    parent that arrives after its children (another page, a later webhook) still links."""
    table = model._meta.db_table
    store = rows_sink(model, ["name", "fully_qualified_name", "parent_qbo_id", "active"],
                      _segment_row)

    def ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
        result = store(ctx, dtos)
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{table}" c SET parent_id = p.id FROM "{table}" p '
                "WHERE c.realm_id = %s AND p.realm_id = c.realm_id AND p.qbo_id = c.parent_qbo_id "
                "AND c.parent_id IS DISTINCT FROM p.id",
                [ctx.realm_id],
            )
        return result

    ingest.__name__ = f"{model._meta.model_name}_ingest"
    return ingest


classes_ingest = _segments_ingest(Class)
departments_ingest = _segments_ingest(Department)

employees_ingest = rows_sink(
    Employee, ["display_name", "given_name", "family_name", "active"],
    lambda ctx, d, _found: dict(
        **synced_fields(d, ctx.realm_id),
        display_name=clip(d.display_name, 200),
        given_name=clip(d.given_name, 100),
        family_name=clip(d.family_name, 100),
        active=d.active,
    ))


_ACCOUNT_TYPES = {"Bank": Account.Type.BANK, "Credit Card": Account.Type.CREDIT_CARD}


def _account_row(ctx: SinkContext, dto: Any, _found: Any) -> dict[str, Any] | str:
    return money_problem("CurrentBalance", dto.current_balance) or dict(
        **synced_fields(dto, ctx.realm_id),
        name=clip(dto.fully_qualified_name or dto.name, 200),
        account_type=_ACCOUNT_TYPES.get(dto.account_type, Account.Type.OTHER),
        qbo_account_type=clip(dto.account_type, 64),
        account_subtype=clip(dto.account_sub_type, 64),
        acct_num=clip(dto.acct_num, 64),
        current_balance=money(dto.current_balance),
        currency=clip(dto.currency or ctx.business.currency, 3),
        active=dto.active,
    )


accounts_ingest = rows_sink(Account, [
    "name", "account_type", "qbo_account_type", "account_subtype", "acct_num",
    "current_balance", "currency", "active",
], _account_row, touch=("Account", lambda dto: (dto.qbo_id,)))
