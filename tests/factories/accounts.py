"""Users and their memberships (public schema)."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Membership, Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user (the existing one for an email already taken), password `PASSWORD`."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")

    class Params:
        # Oodaloo staff with every admin permission (`superuser=True`), or `is_staff=True` alone.
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        existing = model_class.objects.filter(email=kwargs["email"]).first()
        return existing or model_class.objects.create_user(password=password, **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        django_get_or_create = ("user", "business")

    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app ("phone") for the admin's second step; the one the user
    already has when called again."""

    class Meta:
        model = TOTPDevice
        django_get_or_create = ("user", "name")

    user = factory.SubFactory(UserFactory, superuser=True)
    name = "phone"
    confirmed = True


def make_member(business, role=Role.OWNER, email=None) -> User:
    """A user with `role` in `business` (the same user again for the same email)."""
    user = UserFactory(email=email or f"{role}-{business.slug}@example.test")
    MembershipFactory(user=user, business=business, role=role)
    return user
