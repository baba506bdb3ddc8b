"""Reads of the QBO client: queries (paged), single reads, company data and change data
capture (CDC, with the 1,000-object cap worked around in ``cdc_all``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from .transport import QboTransport
from .wire import (
    _META_KEYS,
    CDC_MAX_OBJECTS,
    QUERY_ENTITY,
    QUERY_GET_MAX,
    QUERY_PAGE_MAX,
    CdcResult,
    _entity_list,
    _includes,
    _parse_time,
    entity_of_key,
    format_qbo_time,
    qbo_literal,
)


class QboReads(QboTransport):
    # --- queries --------------------------------------------------------------------------

    def query(self, sql: str) -> list[dict[str, Any]]:
        """One page of a query (QBO caps MAXRESULTS at 1000; the default is 100). A long
        query (an ``Id IN (…)`` list) is POSTed as text, as Intuit allows, never put in a URL
        that proxies and servers may refuse."""
        found = QUERY_ENTITY.match(sql)
        extra = _includes(found.group(1) if found else "")
        if len(sql) > QUERY_GET_MAX:
            resp = self._request("POST", "query", op="query", raw_body=sql.encode("utf-8"),
                                 content_type="application/text", params=extra)
            data = self._json(resp)
        else:
            data = self._get("query", op="query", params={"query": sql, **extra})
        return _entity_list(data.get("QueryResponse"))

    def query_all(
        self,
        entity: str,
        where: str = "",
        page_size: int = QUERY_PAGE_MAX,
        *,
        order_by: str | None = None,
        share: tuple[int, int] = (0, 1),
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of ``SELECT * FROM entity`` until a short page (totalCount unused).
        ``share = (k, n)``: only pages k, k + n, k + 2n… (counted from 0), so n readers with
        k = 0…n-1 read every page once between them."""
        if not 1 <= page_size <= QUERY_PAGE_MAX:
            raise ValueError(f"page_size must be 1..{QUERY_PAGE_MAX}")
        first, every = share
        if not 0 <= first < every:
            raise ValueError(f"share must be (k, n) with 0 <= k < n, not {share}")
        base = f"SELECT * FROM {entity}"
        if where:
            base += f" WHERE {where}"
        if order_by:
            base += f" ORDERBY {order_by}"
        start = 1 + first * page_size
        while True:
            page = self.query(f"{base} STARTPOSITION {start} MAXRESULTS {page_size}")
            if page:
                yield page
            if len(page) < page_size:
                return
            start += every * page_size

    def count(self, entity: str, where: str = "") -> int:
        sql = f"SELECT COUNT(*) FROM {entity}" + (f" WHERE {where}" if where else "")
        data = self._get("query", op="count", params={"query": sql})
        response = data.get("QueryResponse") or {}
        return int(response.get("totalCount", 0))

    def read(self, entity: str, qbo_id: str) -> dict[str, Any]:
        data = self._get(f"{entity.lower()}/{qbo_id}", op="read", params=_includes(entity))
        return self._entity_from(data, entity)

    def exchange_rate(self, source_currency: str, as_of: date | None = None) -> dict[str, Any]:
        """``GET exchangerate?sourcecurrencycode=..&asofdate=..``: the rate of one currency on
        one date (QBO answers with the latest rate on or before it; today when no date)."""
        params = {"sourcecurrencycode": source_currency}
        if as_of is not None:
            params["asofdate"] = as_of.isoformat()
        data = self._get("exchangerate", op="read", params=params)
        return self._entity_from(data, "ExchangeRate")

    def company_info(self) -> dict[str, Any]:
        data = self._get(f"companyinfo/{self.realm_id}", op="read")
        return self._entity_from(data, "CompanyInfo")

    def preferences(self) -> dict[str, Any]:
        data = self._get("preferences", op="read")
        return self._entity_from(data, "Preferences")

    # --- change data capture ----------------------------------------------------------------

    def cdc(self, entities: Sequence[str], changed_since: datetime) -> CdcResult:
        """Objects of ``entities`` changed since ``changed_since`` (≤ 30 days back).

        One request for any number of entity types; deleted objects come back as
        ``{"Id", "status": "Deleted"}``. ``result.time`` is QBO's clock for the next call;
        ``result.truncated`` means the 1000-object cap was hit (see ``cdc_all``).
        """
        params = {"entities": ",".join(entities), "changedSince": format_qbo_time(changed_since)}
        data = self._get("cdc", op="cdc", params=params)
        result = CdcResult({entity: [] for entity in entities})
        total = 0
        by_lower = {e.lower(): e for e in entities}
        for block in data.get("CDCResponse") or []:
            for response in (block or {}).get("QueryResponse") or []:
                for key, value in (response or {}).items():
                    if key in _META_KEYS or not isinstance(value, list):
                        continue
                    name = by_lower.get(entity_of_key(key).lower(), key)
                    result.setdefault(name, []).extend(value)
                    total += len(value)
        result.time = _parse_time(data.get("time"))
        result.truncated = total >= CDC_MAX_OBJECTS
        return result

    def cdc_all(self, entities: Sequence[str], changed_since: datetime) -> CdcResult:
        """Every change since ``changed_since``, even past CDC's 1,000-object cap.

        A capped response holds *some* 1,000 changes — Intuit does not say which (not the
        oldest), so moving changedSince forward could skip changes. Instead: ask again per
        entity; an entity whose own CDC is still capped is read by ``changed_rows`` (no cap),
        keeping the deletions its CDC showed.
        ``time`` is the first call's clock, so the next window overlaps rather than skips.
        """
        first = self.cdc(entities, changed_since)
        if not first.truncated:
            return first
        result = CdcResult({entity: [] for entity in entities})
        result.time, queried = first.time, set()
        for entity in entities:
            own = self.cdc([entity], changed_since)
            if not own.truncated:
                result[entity] = own.get(entity, [])
                continue
            rows = {str(r.get("Id")): r for r in own.get(entity, [])
                    if str(r.get("status", "")).lower() == "deleted"}
            rows.update(self.changed_rows(entity, changed_since))
            result[entity] = list(rows.values())
            queried.add(entity)
        result.queried = frozenset(queried)
        return result

    def changed_rows(self, entity: str, since: datetime) -> dict[str, dict[str, Any]]:
        """{Id: newest row read} of ``entity`` changed at or after ``since``, by keyset paging.

        STARTPOSITION paging over ``ORDERBY LastUpdatedTime`` skips rows: an object edited
        while we page moves to the end, every later row shifts back one, and the row pushed
        back onto a page already read is never seen. So each page starts at the last page's
        newest LastUpdatedTime (``>=``: its rows are read again, deduplicated by Id) and an
        edited row is simply met again later. Only a full page all stamped one instant cannot
        move the cursor: that instant is paged by STARTPOSITION, then read again until a pass
        over it finds no Id it had not seen (an edit during it would have hidden one)."""
        rows: dict[str, dict[str, Any]] = {}
        cursor, start = _stamp(since), 1
        by_offset = unseen = False  # within the current pass over ``cursor``
        while True:
            page = self.query(
                f"SELECT * FROM {entity} WHERE MetaData.LastUpdatedTime >= {qbo_literal(cursor)}"
                f" ORDERBY MetaData.LastUpdatedTime STARTPOSITION {start}"
                f" MAXRESULTS {QUERY_PAGE_MAX}")
            for row in page:
                unseen = unseen or str(row.get("Id")) not in rows
                rows[str(row.get("Id"))] = row
            last = _parse_time((page[-1].get("MetaData") or {}).get("LastUpdatedTime")
                               if page else None)
            newer = _stamp(last) if last else cursor
            if len(page) == QUERY_PAGE_MAX and newer <= cursor:
                start, by_offset = start + QUERY_PAGE_MAX, True
                continue
            if by_offset and unseen:  # the pass over one instant went by offset: check it
                start, by_offset, unseen = 1, False, False
                continue
            if len(page) < QUERY_PAGE_MAX:
                return rows
            cursor, start, by_offset, unseen = newer, 1, False, False


def _stamp(moment: datetime) -> str:
    """A query's time literal, in UTC to the second (QBO's precision; cut, never rounded up,
    so a cursor never passes a row), comparable as text."""
    return format_qbo_time(moment.astimezone(UTC))
