"""Field extraction from a bill's text: vendor name, number, dates, terms, total, currency.

Each field comes with a confidence in [0, 1]: a labelled value ("Invoice No: 123") is trusted
more than a guess (the largest line at the top for the vendor). Pure functions; no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from apps.ap.documents.text import TextLine

LABELLED, GUESSED = 0.95, 0.6

MONTHS = {
    name: index
    for index, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")], start=1)
    for name in names
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
DATE_RE = re.compile(
    rf"(?P<iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})"
    rf"|(?P<num>\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}})"
    rf"|(?P<mdy>{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    rf"|(?P<dmy>\d{{1,2}}(?:st|nd|rd|th)?[\s\-]+{_MONTH}\.?[\s\-,]+\d{{4}})",
    re.IGNORECASE,
)
AMOUNT_RE = re.compile(
    r"(?P<cur>US\$|C\$|A\$|CA\$|AU\$|[$€£]|\b(?:USD|EUR|GBP|CAD|AUD)\b)?\s*"
    r"(?P<num>-?\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d{2})|-?\d+(?:[.,]\d{2}))"
    r"(?:\s*(?P<cur2>\b(?:USD|EUR|GBP|CAD|AUD)\b|€))?"
)
SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "C$": "CAD", "CA$": "CAD",
           "A$": "AUD", "AU$": "AUD"}
NUMBER_LABEL = re.compile(
    r"\b(?:invoice|bill|inv|reference|ref|document|doc)\.?\s*(?:no\.?|number|num\.?|#|id)?"
    r"\s*[:#.]?\s*(?P<value>[A-Z0-9][A-Z0-9\-/_.]{0,30})",
    re.IGNORECASE,
)
BILL_DATE_LABEL = re.compile(
    r"(?<!due )(?<!payment )\b(?:invoice date|bill date|date of issue|issue date|"
    r"issued(?: on)?|invoice dated|dated|date)\b\s*[:\-]?\s*", re.IGNORECASE)
DUE_DATE_LABEL = re.compile(
    r"\b(?:due date|payment due|due by|due on|pay by|due)\b\s*[:\-]?\s*", re.IGNORECASE)
TERMS_RE = re.compile(
    r"\b(?:net|n)\s*[-/ ]?\s*(?P<days>\d{1,3})\b(?:\s*days)?|(?P<receipt>due (?:up)?on receipt)",
    re.IGNORECASE)
TOTAL_LABELS = [  # best first
    re.compile(r"\b(?:amount due|balance due|total due|amount payable|please pay)\b", re.I),
    re.compile(r"\b(?:grand total|invoice total|total amount|total \(?[A-Z]{3}\)?)\b", re.I),
    re.compile(r"(?<!sub)(?<!sub-)(?<!sub )\btotal\b", re.I),
]
TITLE_WORDS = {"invoice", "tax invoice", "bill", "receipt", "statement", "page", "original",
               "copy", "invoice / bill"}
VENDOR_LABEL = re.compile(
    r"^\s*(?:from|vendor|supplier|remit to|bill from|sold by|payable to|pay to)\s*[:\-]\s*"
    r"(?P<value>.+)$", re.IGNORECASE)
NOT_A_NUMBER = {"date", "no", "number", "total", "due", "to", "for", "amount"}


@dataclass
class Field:
    value: object = None
    confidence: float = 0.0
    source: str = ""  # the text it came from (shown to staff)

    def as_json(self) -> dict:
        value = self.value
        if isinstance(value, (date, Decimal)):
            value = str(value)
        return {"value": value, "confidence": round(self.confidence, 2), "source": self.source}


@dataclass
class Fields:
    vendor_name: Field = field(default_factory=Field)
    bill_number: Field = field(default_factory=Field)
    bill_date: Field = field(default_factory=Field)
    due_date: Field = field(default_factory=Field)
    terms: Field = field(default_factory=Field)
    total: Field = field(default_factory=Field)
    currency: Field = field(default_factory=Field)

    def as_json(self) -> dict:
        return {name: getattr(self, name).as_json() for name in self.__dataclass_fields__}


# --- value parsers ----------------------------------------------------------------------------


def parse_date(text: str, *, day_first: bool = False) -> date | None:
    match = DATE_RE.search(text)
    if not match:
        return None
    raw = match.group(0)
    try:
        if match.group("iso"):
            y, m, d = (int(p) for p in raw.split("-"))
            return date(y, m, d)
        if match.group("num"):
            a, b, y = (int(p) for p in re.split(r"[/.\-]", raw))
            y = y + 2000 if y < 100 else y
            if a > 12:
                day_first = True
            elif b > 12:
                day_first = False
            return date(y, b, a) if day_first else date(y, a, b)
        words = re.findall(r"[A-Za-z]+|\d+", raw)
        month = next(MONTHS[w.lower()] for w in words if w.lower() in MONTHS)
        numbers = [int(w) for w in words if w.isdigit()]
        day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
        return date(year, month, day)
    except (ValueError, StopIteration, IndexError):
        return None


def parse_amount(number: str) -> Decimal | None:
    text = number.replace(" ", "")
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_comma > last_dot:  # 1.234,56 (European)
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def amounts_in(text: str) -> list[tuple[Decimal, str | None]]:
    found = []
    for match in AMOUNT_RE.finditer(text):
        value = parse_amount(match.group("num"))
        if value is None:
            continue
        cur = match.group("cur") or match.group("cur2")
        found.append((value, SYMBOLS.get(cur, cur.upper() if cur else None)))
    return found


# --- field finders ----------------------------------------------------------------------------


def _after_label(lines: list[str], label: re.Pattern, parse) -> tuple[object, str] | None:
    """The value after a label on the same line, or on the next line (stacked layouts)."""
    for index, line in enumerate(lines):
        for match in label.finditer(line):
            rest = line[match.end():]
            value = parse(rest)
            if value is not None:
                return value, line
            if index + 1 < len(lines) and not rest.strip():
                value = parse(lines[index + 1])
                if value is not None:
                    return value, f"{line} / {lines[index + 1]}"
    return None


NUMBER_ALONE = re.compile(
    r"^\s*(?:invoice|bill|inv|reference|ref|document)\.?\s*(?:no\.?|number|num\.?|#|id)"
    r"\s*[:#.]?\s*$", re.IGNORECASE)


def find_bill_number(lines: list[str]) -> Field:
    for index, line in enumerate(lines):
        if NUMBER_ALONE.match(line) and index + 1 < len(lines):
            value = lines[index + 1].strip().split(" ")[0]
            if re.search(r"\d", value) and not DATE_RE.fullmatch(value):
                return Field(value, LABELLED, f"{line} / {lines[index + 1]}")
        for match in NUMBER_LABEL.finditer(line):
            value = match.group("value").strip(".:-")
            if value.lower() in NOT_A_NUMBER or not re.search(r"\d", value):
                continue
            if DATE_RE.fullmatch(value):
                continue
            return Field(value, LABELLED, line)
    return Field()


def _date_after(label: re.Pattern, lines: list[str], skip: re.Pattern | None,
                day_first: bool) -> Field:
    candidates = [ln for ln in lines if not (skip and skip.search(ln))] if skip else lines
    hit = _after_label(candidates, label, lambda s: parse_date(s[:40], day_first=day_first))
    return Field(hit[0], LABELLED, hit[1]) if hit else Field()


def find_bill_date(lines: list[str], day_first: bool) -> Field:
    found = _date_after(BILL_DATE_LABEL, lines, None, day_first)
    if found.value is None:
        for line in lines:  # the first date anywhere is usually the bill date
            value = parse_date(line, day_first=day_first)
            if value is not None:
                return Field(value, GUESSED, line)
    return found


def find_terms(lines: list[str]) -> Field:
    for line in lines:
        match = TERMS_RE.search(line)
        if match:
            days = 0 if match.group("receipt") else int(match.group("days"))
            return Field(days, LABELLED, line)
    return Field()


def find_total(lines: list[str]) -> tuple[Field, str | None]:
    for label in TOTAL_LABELS:
        for index in range(len(lines) - 1, -1, -1):  # totals sit at the bottom: search upwards
            line = lines[index]
            match = label.search(line)
            if not match:
                continue
            after = amounts_in(line[match.end():])
            source = line
            if not after and index + 1 < len(lines):
                after = amounts_in(lines[index + 1])
                source = f"{line} / {lines[index + 1]}"
            if after:
                value, cur = after[-1]
                if value > 0:
                    return Field(value, LABELLED, source), cur
    all_amounts = [a for line in lines for a in amounts_in(line) if a[0] > 0]
    if all_amounts:
        value, cur = max(all_amounts, key=lambda a: a[0])
        return Field(value, GUESSED, "largest amount on the page"), cur
    return Field(), None


def find_currency(text: str, from_total: str | None, default: str) -> Field:
    if from_total:
        return Field(from_total, LABELLED, "next to the total")
    codes = re.findall(r"\b(USD|EUR|GBP|CAD|AUD)\b", text)
    if codes:
        return Field(max(set(codes), key=codes.count), 0.85, "currency code in the text")
    for symbol in ("€", "£"):
        if symbol in text:
            return Field(SYMBOLS[symbol], 0.85, f"{symbol} in the text")
    if "$" in text:
        return Field(default if default in {"USD", "CAD", "AUD"} else "USD", 0.7, "$ in the text")
    return Field(default, 0.4, "the business's currency")


def _is_title(text: str) -> bool:
    clean = re.sub(r"[^a-z /]", "", text.lower()).strip()
    return clean in TITLE_WORDS or not re.search(r"[A-Za-z]{2}", text)


def find_vendor_name(lines: list[TextLine]) -> Field:
    texts = [line.text for line in lines]
    for text in texts:
        match = VENDOR_LABEL.match(text)
        if match:
            return Field(match.group("value").split("  ")[0].strip(), LABELLED, text)
    top = [ln for ln in lines[:12] if not _is_title(ln.text.split("  ")[0])]
    if not top:
        return Field()
    if any(ln.size for ln in top):
        best = max(top, key=lambda ln: (ln.size, -ln.top))
        return Field(best.text.split("  ")[0].strip(), GUESSED + 0.1, best.text)
    return Field(top[0].text.split("  ")[0].strip(), GUESSED - 0.1, top[0].text)


def fields_extract(lines: list[TextLine], *, currency: str = "USD",
                   day_first: bool = False) -> Fields:
    texts = [line.text for line in lines]
    fields = Fields()
    fields.vendor_name = find_vendor_name(lines)
    fields.bill_number = find_bill_number(texts)
    fields.bill_date = find_bill_date(texts, day_first)
    fields.due_date = _date_after(DUE_DATE_LABEL, texts, None, day_first)
    fields.terms = find_terms(texts)
    if fields.due_date.value is None and fields.terms.value is not None and fields.bill_date.value:
        fields.due_date = Field(
            fields.bill_date.value + timedelta(days=fields.terms.value),
            min(fields.bill_date.confidence, fields.terms.confidence), fields.terms.source,
        )
    fields.total, total_currency = find_total(texts)
    fields.currency = find_currency("\n".join(texts), total_currency, currency)
    return fields
