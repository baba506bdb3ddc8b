"""Businesses (a schema cloned from the template, as sign-up makes them), their hosts and the
staff summary row (public schema)."""

from __future__ import annotations

import factory

from apps.tenancy.models import Business, BusinessSummary, Domain


class BusinessFactory(factory.django.DjangoModelFactory):
    """A provisioned business (its own schema and host). Slow-ish: prefer the suite's
    `tenant_a`/`tenant_b` unless a test needs a business of its own."""

    class Meta:
        model = Business

    slug = factory.Sequence(lambda n: f"factory{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} LLC")
    timezone = "America/New_York"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from apps.tenancy.services import business_provision

        existing = model_class.objects.filter(slug=kwargs["slug"]).first()
        return existing or business_provision(**kwargs)


class DomainFactory(factory.django.DjangoModelFactory):
    """A further host for `tenant` (provisioning made the primary one)."""

    class Meta:
        model = Domain

    tenant = factory.SubFactory(BusinessFactory)
    domain = factory.Sequence(lambda n: f"alias{n}.localhost")
    is_primary = False


class BusinessSummaryFactory(factory.django.DjangoModelFactory):
    """The staff list's copy of a business's figures."""

    class Meta:
        model = BusinessSummary

    business = factory.SubFactory(BusinessFactory)
