"""Cursor pagination for every API list: each row exactly once, whatever its values.

DRF's `CursorPagination` keys a page on the first ordering field alone (plus an offset among
equal values, capped at 1000) and pages on with `field > value`: rows whose first field is NULL
(a bill read from a document has no due date yet) never match and silently drop off the list,
a run of more than 1000 equal values repeats, and a cursor whose value the field cannot take
fails inside the query (a 500). Here the position is the last row's value of *every*
ordering field — each ordering ends with the id, so a position names one row — and the next
page is the rows after it in that order, NULLs included: they sort after every value ascending
and before them descending (Postgres' own default). A cursor that is not one of ours is a 400
`invalid_cursor`."""

from __future__ import annotations

import json
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from apps.core.errors import ApplicationError


class InvalidCursor(ApplicationError):
    code = "invalid_cursor"
    status = 400


def _bad_cursor() -> InvalidCursor:
    return InvalidCursor("This cursor is not valid here; start again from the list's first page.")


def _field(queryset, name: str):
    model = queryset.model
    if name == "pk":
        return model._meta.pk
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return queryset.query.annotations[name].output_field


def _nullable(queryset, name: str) -> bool:
    """May the column hold NULL? An annotation (a computed value) is assumed to."""
    if name != "pk" and name in queryset.query.annotations:
        return True
    return _field(queryset, name).null


def _order_by(ordering, reverse: bool) -> list:
    """The ORDER BY of `ordering` walked forwards or backwards, NULLs placed explicitly (last
    ascending, first descending) so the order the filter assumes is the one the rows have."""
    terms = []
    for name in ordering:
        descending = name.startswith("-") != reverse
        expr = F(name.lstrip("-"))
        terms.append(expr.desc(nulls_first=True) if descending else expr.asc(nulls_last=True))
    return terms


def _after(ordering, values, nullable, reverse: bool) -> Q:
    """Rows strictly after the position `values` in `ordering` (before it when `reverse`):
    after on the first field, or equal on it and after on the next, and so on. `nullable`:
    which fields may hold NULL (only they need the NULL terms)."""
    rows, equal = Q(pk__in=[]), Q()
    for name, value, null in zip(ordering, values, nullable, strict=True):
        field = name.lstrip("-")
        ascending = name.startswith("-") == reverse
        if value is None:  # NULLs come last walking up, first walking down
            beyond = None if ascending else Q(**{f"{field}__isnull": False})
            same = Q(**{f"{field}__isnull": True})
        else:
            beyond = Q(**{f"{field}__gt" if ascending else f"{field}__lt": value})
            if ascending and null:
                beyond |= Q(**{f"{field}__isnull": True})
            same = Q(**{field: value})
        if beyond is not None:
            rows |= equal & beyond
        equal &= same
    return rows


class CursorPage(CursorPagination):
    """Opaque `?cursor=` links (`next`, `previous`); stable under inserts, unlike page numbers."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("id",)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:  # DRF's answer to a cursor it cannot decode
            raise _bad_cursor() from None

    def _position_values(self, queryset, position: str) -> list:
        """The position's text back to one value per ordering field, each as its field takes
        it; anything else is a cursor we never made."""
        try:
            texts = json.loads(position)
        except ValueError:
            raise _bad_cursor() from None
        if not isinstance(texts, list) or len(texts) != len(self.ordering):
            raise _bad_cursor()
        values = []
        for name, text in zip(self.ordering, texts, strict=True):
            if text is None:
                values.append(None)
                continue
            field = _field(queryset, name.lstrip("-"))
            try:
                if not isinstance(text, str):
                    raise ValidationError("not text")
                value = field.to_python(text)
                field.run_validators(value)  # the column's bounds: digits, length, range
            except (ValidationError, ValueError, TypeError, ArithmeticError):
                raise _bad_cursor() from None
            if isinstance(value, datetime) and value.tzinfo is None:
                raise _bad_cursor()  # ours carry their offset
            values.append(value)
        return values

    def _get_position_from_instance(self, instance, ordering):
        values = [instance.pk if name.lstrip("-") == "pk" else getattr(instance, name.lstrip("-"))
                  for name in ordering]
        return json.dumps([None if v is None else str(v) for v in values])

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's, but ordered and filtered on the whole position (`_order_by`, `_after`)."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        ordering = tuple(self.get_ordering(request, queryset, view))
        if not any(name.lstrip("-") in ("id", "pk") for name in ordering):
            ordering += ("id",)  # a position must name one row
        self.ordering = ordering
        self.cursor = self.decode_cursor(request)
        offset, reverse, current = (0, False, None) if self.cursor is None else self.cursor
        queryset = queryset.order_by(*_order_by(ordering, reverse))
        if current is not None:
            values = self._position_values(queryset, current)
            nullable = [_nullable(queryset, name.lstrip("-")) for name in ordering]
            queryset = queryset.filter(_after(ordering, values, nullable, reverse))
        results = list(queryset[offset:offset + self.page_size + 1])
        self.page = list(results[:self.page_size])
        following = (self._get_position_from_instance(results[-1], ordering)
                     if len(results) > len(self.page) else None)
        if reverse:
            self.page.reverse()
            self.has_next = current is not None or offset > 0
            self.has_previous = following is not None
            self.next_position, self.previous_position = current, following
        else:
            self.has_next = following is not None
            self.has_previous = current is not None or offset > 0
            self.next_position, self.previous_position = following, current
        return self.page


def paginated(view, queryset, serializer_class, *, ordering=("id",)) -> Response:
    paginator = CursorPage()
    paginator.ordering = ordering
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
