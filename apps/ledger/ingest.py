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
    mark_deleted,
    money,
    money_problem,
    ref_value,
    split_deleted,
    synced_fields,
    upsert,
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


def exchange_rates_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    """Rates are re-read on every incremental run (no CDC for them): only new or changed ones
    are written and counted, so a run that changed nothing stores nothing."""
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(ExchangeRate, ctx.realm_id, gone))
    held = {
        key: (rate, token)
        for key, rate, token in ExchangeRate.objects.filter(
            realm_id=ctx.realm_id, qbo_id__in=[d.qbo_id for d in live], is_deleted=False
        ).values_list("qbo_id", "rate", "sync_token")
    }
    rows = []
    for dto in live:
        if dto.rate >= RATE_LIMIT:
            result.rejected[dto.qbo_id] = f"Rate {dto.rate} is too large to be real"
            continue
        if held.get(dto.qbo_id) == (dto.rate.quantize(_TEN_PLACES), clip(dto.sync_token, 16)):
            continue
        rows.append(dict(
            realm_id=ctx.realm_id,
            qbo_id=dto.qbo_id,
            sync_token=clip(dto.sync_token, 16),
            qbo_updated_at=dto.last_updated,
            is_deleted=False,
            source_currency=dto.source_currency,
            target_currency=dto.target_currency,
            as_of=dto.as_of,
            rate=dto.rate.quantize(_TEN_PLACES),
        ))
    upsert(ExchangeRate, rows, ["source_currency", "target_currency", "as_of", "rate"])
    result.stored += len(rows)
    return result


def company_currencies_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(CompanyCurrency, ctx.realm_id, gone))
    rows = [
        dict(**synced_fields(d, ctx.realm_id), code=d.code, name=clip(d.name, 100), active=d.active)
        for d in live
    ]
    upsert(CompanyCurrency, rows, ["code", "name", "active"])
    result.stored += len(rows)
    return result


def _segments_ingest(model: type[Class] | type[Department]):
    """Class and Department: a name tree. Parents are linked by QBO id after every page, so a
    parent that arrives after its children (another page, a later webhook) still links."""
    table = model._meta.db_table

    def ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
        live, gone = split_deleted(dtos)
        result = SinkResult(stored=mark_deleted(model, ctx.realm_id, gone))
        rows = [
            dict(
                **synced_fields(d, ctx.realm_id),
                name=clip(d.name, 200),
                fully_qualified_name=clip(d.fully_qualified_name, 400),
                parent_qbo_id=ref_value(d.parent_ref),
                active=d.active,
            )
            for d in live
        ]
        upsert(model, rows, ["name", "fully_qualified_name", "parent_qbo_id", "active"])
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{table}" c SET parent_id = p.id FROM "{table}" p '
                "WHERE c.realm_id = %s AND p.realm_id = c.realm_id AND p.qbo_id = c.parent_qbo_id "
                "AND c.parent_id IS DISTINCT FROM p.id",
                [ctx.realm_id],
            )
        result.stored += len(rows)
        return result

    ingest.__name__ = f"{model._meta.model_name}_ingest"
    return ingest


classes_ingest = _segments_ingest(Class)
departments_ingest = _segments_ingest(Department)


def employees_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(Employee, ctx.realm_id, gone))
    rows = [
        dict(
            **synced_fields(d, ctx.realm_id),
            display_name=clip(d.display_name, 200),
            given_name=clip(d.given_name, 100),
            family_name=clip(d.family_name, 100),
            active=d.active,
        )
        for d in live
    ]
    upsert(Employee, rows, ["display_name", "given_name", "family_name", "active"])
    result.stored += len(rows)
    return result


_ACCOUNT_TYPES = {"Bank": Account.Type.BANK, "Credit Card": Account.Type.CREDIT_CARD}


def accounts_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(Account, ctx.realm_id, gone))
    objs = []
    for dto in live:
        problem = money_problem("CurrentBalance", dto.current_balance)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            name=clip(dto.fully_qualified_name or dto.name, 200),
            account_type=_ACCOUNT_TYPES.get(dto.account_type, Account.Type.OTHER),
            qbo_account_type=clip(dto.account_type, 64),
            account_subtype=clip(dto.account_sub_type, 64),
            acct_num=clip(dto.acct_num, 64),
            current_balance=money(dto.current_balance),
            currency=clip(dto.currency or ctx.business.currency, 3),
            active=dto.active,
        ))
    upsert(Account, objs, [
        "name", "account_type", "qbo_account_type", "account_subtype", "acct_num",
        "current_balance", "currency", "active",
    ])
    result.stored += len(objs)
    ctx.touch("Account", [o["qbo_id"] for o in objs])
    return result
