"""Model fields of the kernel."""

from django.db import models


class MoneyField(models.DecimalField):
    """An amount of money: Decimal with 14 digits, 2 of them cents (DESIGN: never float).

    Deconstructs as a plain DecimalField, so the migrations written before this field existed
    stay exactly right (makemigrations finds no change)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
