"""Businesses (tenants, one Postgres schema each) and the hosts they are served on."""

from django.db import models
from django.utils.functional import cached_property
from django_tenants.models import DomainMixin, TenantMixin


class BusinessQuerySet(models.QuerySet):
    def real(self):
        """Businesses people use: not the public row, not the provisioning template."""
        return self.exclude(schema_name="public").exclude(is_template=True)


class Business(TenantMixin):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="America/New_York")
    country = models.CharField(max_length=2, default="US")
    currency = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField(auto_now_add=True)
    is_template = models.BooleanField(default=False)
    # Health columns for the staff console, written by the sync and connection services.
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)

    auto_create_schema = True
    auto_drop_schema = False

    objects = BusinessQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "businesses"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def primary_host(self) -> str:
        # Cached on the instance: a digest builds about ten links to the business (one query
        # each before); instances live for one request or task.
        domain = self.domains.filter(is_primary=True).first()
        return domain.domain if domain else ""


class Domain(DomainMixin):
    pass
