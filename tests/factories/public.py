"""Public-schema rows kept per business or per user: audit events, job runs, review tasks,
firms (members, clients, invitations, digest sends), business invitations and staff support
sessions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import factory
from django.utils import timezone

from apps.accounts.models import (
    Firm,
    FirmClient,
    FirmInvitation,
    FirmMember,
    FirmRole,
    Invitation,
    Role,
)
from apps.core.models import AuditEvent, JobRun
from apps.firm.models import FirmDigestSend
from apps.review.models import ReviewTask
from apps.staff.models import SupportSession

from .accounts import UserFactory
from .tenancy import BusinessFactory


def _token_hash(n: int) -> str:
    return hashlib.sha256(f"factory-token-{n}".encode()).hexdigest()


def _in_a_week():
    return timezone.now() + timedelta(days=7)


class AuditEventFactory(factory.django.DjangoModelFactory):
    """An audit row (append-only: made once, never saved again)."""

    class Meta:
        model = AuditEvent

    action = "test.event"
    actor_label = "system"


class JobRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRun

    name = "sync.qbo_sync_business"


class ReviewTaskFactory(factory.django.DjangoModelFactory):
    """The staff queue's task for one of `business`'s documents (open)."""

    class Meta:
        model = ReviewTask

    business = factory.SubFactory(BusinessFactory)
    document_id = factory.Sequence(lambda n: 1000 + n)
    file_name = factory.LazyAttribute(lambda o: f"doc-{o.document_id}.pdf")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    business = factory.SubFactory(BusinessFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.BOOKKEEPER
    token_hash = factory.Sequence(_token_hash)
    expires_at = factory.LazyFunction(_in_a_week)


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"firm{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} CPAs")


class FirmMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmMember
        django_get_or_create = ("firm", "user")

    firm = factory.SubFactory(FirmFactory)
    user = factory.SubFactory(UserFactory)
    role = FirmRole.PARTNER


class FirmClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmClient
        django_get_or_create = ("firm", "business")

    firm = factory.SubFactory(FirmFactory)
    business = factory.SubFactory(BusinessFactory)


class FirmInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmInvitation

    firm = factory.SubFactory(FirmFactory)
    email = factory.Sequence(lambda n: f"staff{n}@firm.test")
    role = FirmRole.STAFF
    token_hash = factory.Sequence(lambda n: _token_hash(10_000_000 + n))
    expires_at = factory.LazyFunction(_in_a_week)


class FirmDigestSendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmDigestSend

    member = factory.SubFactory(FirmMemberFactory)
    week = "2026-W10"


class SupportSessionFactory(factory.django.DjangoModelFactory):
    """A staff member's time-boxed access to `business` (an hour)."""

    class Meta:
        model = SupportSession

    staff = factory.SubFactory(UserFactory, is_staff=True)
    business = factory.SubFactory(BusinessFactory)
    reason = "customer asked for help"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
