"""Model rows by fixed WHERE clauses, without the ORM compiling the same SQL on every call.

For the look-ups every page pays (the host's business, the member's membership, the dashboard's
live sync state): the ORM spends ~0.3–0.5 ms CPU building `Model.objects.filter(...).first()`,
several times what Postgres spends answering it. Here the statement is built once per (model,
clause) and each row becomes a model instance the way the ORM's own compiler does it — every
concrete field, each value through the field's database converters (encrypted fields decrypt,
JSON parses), then `Model.from_db`. The clause is a literal in our code, never user input.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

_SQL: dict[tuple, tuple[str, list[str], list[tuple[int, list]]]] = {}


def _statement(model: type, where: str, order_by: str, join: str) -> tuple:
    key = (model, where, order_by, join)
    if key not in _SQL:
        qn = connection.ops.quote_name
        table = model._meta.db_table
        fields = model._meta.concrete_fields
        columns = ", ".join(f"t.{qn(f.column)}" for f in fields)
        converters = []
        for index, field in enumerate(fields):
            col = field.get_col(table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((index, [(fn, col) for fn in found]))
        sql = (f"SELECT {columns} FROM {qn(table)} t {join} WHERE {where}"
               + (f" ORDER BY {order_by}" if order_by else "") + " LIMIT 2")
        _SQL[key] = (sql, [f.attname for f in fields], converters)
    return _SQL[key]


def row_get(model: type, where: str, params: list[Any], *, order_by: str = "",
            join: str = "") -> Any | None:
    """The instance of `model` (table alias `t`) matching `where`, or None. Without `order_by`
    at most one row may match (else MultipleObjectsReturned); with it, the first row."""
    sql, attnames, converters = _statement(model, where, order_by, join)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    if len(rows) > 1 and not order_by:
        raise model.MultipleObjectsReturned(f"{model.__name__}: {where} matched several rows")
    row = list(rows[0])
    for index, pairs in converters:
        for fn, col in pairs:
            row[index] = fn(row[index], col, connection)
    return model.from_db(connection.alias, attnames, row)


def rows_exist(*checks: tuple[type, str, list[Any]]) -> list[bool]:
    """Whether each (model, where, params) matches any row: one statement for all of them."""
    qn = connection.ops.quote_name
    sql = "SELECT " + ", ".join(
        f"EXISTS (SELECT 1 FROM {qn(model._meta.db_table)} WHERE {where})"
        for model, where, _ in checks)
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _, _, params in checks for p in params])
        return list(cursor.fetchone())
