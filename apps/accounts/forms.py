from django import forms

from apps.core.dates import timezone_names

TIMEZONE_CHOICES = [(tz, tz) for tz in timezone_names() if tz != "UTC"]


class LoginForm(forms.Form):
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput)


def timezone_field() -> forms.ChoiceField:
    return forms.ChoiceField(choices=TIMEZONE_CHOICES, initial="America/New_York")


class NewAccountFields(forms.Form):
    """The account half of a sign-up form (a business's or a firm's); listed first among a
    form's bases so that its fields come after the business's or firm's own."""

    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput, min_length=10)


class BusinessForm(forms.Form):
    business_name = forms.CharField(max_length=200, label="Business name")
    slug = forms.SlugField(
        max_length=40, label="Portal address", help_text="Your portal lives at <address>.localhost"
    )
    timezone = timezone_field()


class SignupForm(NewAccountFields, BusinessForm):
    pass


class FirmForm(forms.Form):
    firm_name = forms.CharField(max_length=200, label="Firm name")
    slug = forms.SlugField(max_length=40, label="Short name",
                           help_text="Your firm's console lives at /firm/<short name>/")
    timezone = timezone_field()


class FirmSignupForm(NewAccountFields, FirmForm):
    pass


class VerifyFirmSignupForm(forms.Form):
    slug = forms.SlugField(max_length=40, label="Short name")


class VerifySignupForm(forms.Form):
    slug = forms.SlugField(max_length=40, label="Portal address")


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, required=False)
    password = forms.CharField(widget=forms.PasswordInput)

    def __init__(self, *args, password_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].required = password_required  # not when signed in as it
