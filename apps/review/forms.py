"""The staff form beside the document: fields to correct, vendors of that business only."""

from __future__ import annotations

from django import forms

CURRENCIES = [("USD", "USD"), ("CAD", "CAD"), ("EUR", "EUR"), ("GBP", "GBP"), ("AUD", "AUD")]


class BillFieldsForm(forms.Form):
    vendor_id = forms.TypedChoiceField(label="Vendor", coerce=int)
    bill_number = forms.CharField(required=False, max_length=64)
    bill_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    total = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0.01)
    currency = forms.ChoiceField(choices=CURRENCIES)

    def __init__(self, *args, vendors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor_id"].choices = [("", "— choose —"), *vendors]


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
