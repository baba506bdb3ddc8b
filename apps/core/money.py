"""Money is Decimal, rounded by named rules. Never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: object) -> Decimal:
    """Parse a QBO/Plaid/form amount into cents. Floats are refused: they already lost precision."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str = "USD") -> str:
    symbol = {"USD": "$", "CAD": "CA$", "AUD": "A$", "GBP": "£", "EUR": "€"}.get(currency, "")
    sign = "-" if amount < 0 else ""
    text = f"{abs(round_cents(amount)):,.2f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def parse_money(value: object, *, what: str = "The amount", allow_zero: bool = False,
                error: type[Exception] = ValueError, code: str | None = None) -> Decimal:
    """The one parser of an amount a person or a payload gives us (forms, API, outbox payloads):
    a Decimal, int or string ("1,250.00", "$40"), positive (or zero with ``allow_zero``), at most
    two decimals, refused rather than rounded. Floats and booleans are refused: a float already
    lost its cents. Raises ``error`` (with ``code=`` when given) with a sentence naming ``what``."""

    def fail(message: str) -> Exception:
        return error(message, code=code) if code else error(message)

    if isinstance(value, (float, bool)):
        raise fail(f"{what} must be an exact amount, not {value!r}.")
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace(",", "").lstrip("$")
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError):
            raise fail(f"{what} is not an amount: {value!r}.") from None
    if not amount.is_finite():
        raise fail(f"{what} is not an amount: {value!r}.")
    if amount != amount.quantize(CENT):
        raise fail(f"{what} has more than two decimal places (cents): {amount}.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise fail(f"{what} must be {'zero or more' if allow_zero else 'more than zero'}.")
    return amount.quantize(CENT)
