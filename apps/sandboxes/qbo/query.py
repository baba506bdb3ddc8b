"""QBO's SQL-like query language: parse, then filter/sort objects held in memory.

Grammar (keywords case-insensitive, only AND as in QBO):
  SELECT (* | COUNT(*) | f1, f2, ...) FROM Entity
  [WHERE cond (AND cond)*] [ORDERBY f [ASC|DESC] (, f [ASC|DESC])*]
  [STARTPOSITION n] [MAXRESULTS m]
  cond := path op value | path IN (v1, v2, ...) | path LIKE 'pat%'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .clock import to_epoch
from .errors import query_parse_error

MAX_RESULTS_CAP = 1000
DEFAULT_MAX_RESULTS = 100

_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<str>'(?:[^'\\]|\\.|'')*')
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),*])
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    op: str  # = < > <= >= != IN LIKE
    value: Any  # literal, or tuple of literals for IN


@dataclass(frozen=True)
class Query:
    entity: str
    count: bool = False
    fields: tuple[str, ...] = ()  # empty = *
    where: tuple[Condition, ...] = ()
    order: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (path, descending)
    start: int = 1
    max_results: int = DEFAULT_MAX_RESULTS
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip().rstrip(";")
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise query_parse_error(
                f"Encountered unexpected text at position {pos}: {text[pos : pos + 20]!r}"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise query_parse_error("Unexpected end of query")
        self.i += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "word" and token[1].upper() in words:
            self.i += 1
            return token[1].upper()
        return None

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            token = self.peek()
            raise query_parse_error(f"Expected {word}, found {token[1] if token else 'end'}")

    def expect_punct(self, char: str) -> None:
        token = self.next()
        if token != ("punct", char):
            raise query_parse_error(f"Expected {char!r}, found {token[1]!r}")

    def literal(self) -> Any:
        kind, text = self.next()
        if kind == "str":
            body = text[1:-1]
            return body.replace("\\'", "'").replace("''", "'").replace("\\\\", "\\")
        if kind == "num":
            return Decimal(text)
        if kind == "word" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise query_parse_error(f"Expected a value, found {text!r}")

    def path(self) -> tuple[str, ...]:
        kind, text = self.next()
        if kind != "word":
            raise query_parse_error(f"Expected a field name, found {text!r}")
        return tuple(text.split("."))

    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        count = False
        fields: list[str] = []
        if self.peek() == ("punct", "*"):
            self.i += 1
        elif self.keyword("COUNT"):
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            count = True
        else:
            fields.append(".".join(self.path()))
            while self.peek() == ("punct", ","):
                self.i += 1
                fields.append(".".join(self.path()))
        self.expect_keyword("FROM")
        kind, entity = self.next()
        if kind != "word":
            raise query_parse_error(f"Expected an entity name, found {entity!r}")
        where: list[Condition] = []
        order: list[tuple[tuple[str, ...], bool]] = []
        start, max_results = 1, DEFAULT_MAX_RESULTS
        if self.keyword("WHERE"):
            where.append(self.condition())
            while self.keyword("AND"):
                where.append(self.condition())
            if self.keyword("OR"):
                raise query_parse_error("OR is not supported")
        if self.keyword("ORDERBY", "ORDER"):
            if self.tokens[self.i - 1][1].upper() == "ORDER":
                self.expect_keyword("BY")
            order.append(self.order_item())
            while self.peek() == ("punct", ","):
                self.i += 1
                order.append(self.order_item())
        while True:
            word = self.keyword("STARTPOSITION", "MAXRESULTS")
            if not word:
                break
            kind, number = self.next()
            if kind != "num" or "." in number or int(number) < 0:
                raise query_parse_error(f"{word} needs a whole number, found {number!r}")
            if word == "STARTPOSITION":
                start = max(1, int(number))
            else:
                max_results = min(int(number), MAX_RESULTS_CAP)
        leftover = self.peek()
        if leftover is not None:
            raise query_parse_error(f"Encountered unexpected {leftover[1]!r}")
        return Query(entity, count, tuple(fields), tuple(where), tuple(order), start, max_results)

    def condition(self) -> Condition:
        path = self.path()
        token = self.peek()
        if token and token[0] == "op":
            self.i += 1
            op = "!=" if token[1] == "<>" else token[1]
            return Condition(path, op, self.literal())
        word = self.keyword("IN", "LIKE")
        if word == "LIKE":
            value = self.literal()
            if not isinstance(value, str):
                raise query_parse_error("LIKE needs a string pattern")
            return Condition(path, "LIKE", value)
        if word == "IN":
            self.expect_punct("(")
            values = [self.literal()]
            while self.peek() == ("punct", ","):
                self.i += 1
                values.append(self.literal())
            self.expect_punct(")")
            return Condition(path, "IN", tuple(values))
        raise query_parse_error(f"Expected an operator after {'.'.join(path)}")

    def order_item(self) -> tuple[tuple[str, ...], bool]:
        path = self.path()
        direction = self.keyword("ASC", "DESC")
        return path, direction == "DESC"


def parse_query(text: str) -> Query:
    if not text or not text.strip():
        raise query_parse_error("Empty query")
    return _Parser(text).parse()


# --- evaluation -----------------------------------------------------------------------------


def resolve(obj: dict, path: tuple[str, ...]) -> Any:
    """Field value by dotted path, case-insensitive; a `*Ref` object yields its `value`."""
    current: Any = obj
    for part in path:
        if not isinstance(current, dict):
            return None
        if part in current:
            current = current[part]
            continue
        lowered = part.lower()
        for key, value in current.items():
            if key.lower() == lowered:
                current = value
                break
        else:
            return None
    if isinstance(current, dict) and "value" in current:
        return current["value"]
    return current


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def comparable_pair(field_value: Any, literal: Any) -> tuple[Any, Any] | None:
    """Bring a stored value and a literal to one comparable type, or None if impossible."""
    if field_value is None:
        return None
    if isinstance(field_value, bool) or isinstance(literal, bool):
        if isinstance(literal, str):
            literal = literal.lower() == "true"
        if isinstance(field_value, str):
            field_value = field_value.lower() == "true"
        return (field_value, literal) if type(field_value) is type(literal) else None
    if isinstance(field_value, (int, float, Decimal)) or isinstance(literal, Decimal):
        left, right = _as_number(field_value), _as_number(literal)
        if left is not None and right is not None:
            return left, right
        return str(field_value), str(literal)
    left_text, right_text = str(field_value), str(literal)
    if "T" in left_text or "T" in right_text:
        left_epoch, right_epoch = to_epoch(left_text), to_epoch(right_text)
        if left_epoch is not None and right_epoch is not None:
            return left_epoch, right_epoch
    return left_text, right_text


def _like_regex(pattern: str) -> re.Pattern[str]:
    parts = [".*" if chunk == "%" else re.escape(chunk) for chunk in re.split(r"(%)", pattern)]
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def resolve_many(obj: dict, path: tuple[str, ...]) -> list[Any]:
    """Like `resolve`, but a list on the way fans out (`AttachableRef.EntityRef.value`
    matches when any element matches, as in QBO). Plain paths give `[resolve(...)]`."""
    single = resolve(obj, path)
    if single is not None:
        return [single]
    currents: list[Any] = [obj]
    for part in path:
        found = []
        for current in currents:
            for item in current if isinstance(current, list) else [current]:
                value = _field(item, part)
                if value is not None:
                    found.append(value)
        currents = found
    values = []
    for current in currents:
        for value in current if isinstance(current, list) else [current]:
            values.append(value["value"] if isinstance(value, dict) and "value" in value else value)
    return values or [None]


def _field(item: Any, name: str) -> Any:
    """A field of a dict by case-insensitive name (no `*Ref` collapsing), else None."""
    if not isinstance(item, dict):
        return None
    if name in item:
        return item[name]
    lowered = name.lower()
    return next((v for k, v in item.items() if k.lower() == lowered), None)


def make_predicate(conditions: tuple[Condition, ...]):
    """A function obj -> bool for the AND of conditions."""
    checks = []
    for cond in conditions:
        if cond.op == "LIKE":
            regex = _like_regex(cond.value)
            checks.append(
                lambda o, c=cond, r=regex: any(
                    v is not None and bool(r.match(str(v))) for v in resolve_many(o, c.path)
                )
            )
        elif cond.op == "IN":
            checks.append(
                lambda o, c=cond: any(
                    _compare(v, "=", item) for v in resolve_many(o, c.path) for item in c.value
                )
            )
        else:
            checks.append(
                lambda o, c=cond: any(_compare(v, c.op, c.value) for v in resolve_many(o, c.path))
            )
    return lambda obj: all(check(obj) for check in checks)


def _compare(field_value: Any, op: str, literal: Any) -> bool:
    pair = comparable_pair(field_value, literal)
    if pair is None:
        return op == "!=" and field_value is None
    left, right = pair
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    try:
        if op == "<":
            return left < right
        if op == ">":
            return left > right
        if op == "<=":
            return left <= right
        if op == ">=":
            return left >= right
    except TypeError:
        return False
    raise query_parse_error(f"Unknown operator {op}")


def sort_key(value: Any) -> tuple:
    """Total order over mixed values: missing < bool < numbers/instants < text."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    number = _as_number(value) if not isinstance(value, str) or value.isdigit() else None
    if number is not None:
        return (2, number)
    if isinstance(value, str):
        epoch = to_epoch(value) if "T" in value else None
        if epoch is not None:
            return (2, Decimal(str(epoch)))
        return (3, value.lower())
    return (4, str(value))
