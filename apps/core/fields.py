"""Model fields of the kernel."""

from django.db import models


class _FixedDecimalField(models.DecimalField):
    """A DecimalField whose digits are fixed by its kind. Deconstructs as a plain DecimalField,
    so the migrations written before these fields existed stay exactly right (makemigrations
    finds no change)."""

    digits = 0
    places = 0

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", self.digits)
        kwargs.setdefault("decimal_places", self.places)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class MoneyField(_FixedDecimalField):
    """An amount of money: Decimal with 14 digits, 2 of them cents (DESIGN: never float)."""

    digits, places = 14, 2


class ExchangeRateField(_FixedDecimalField):
    """An exchange rate: home units per one unit of a currency, as precise as QBO's
    ExchangeRate (20 digits, 10 of them decimals)."""

    digits, places = 20, 10
