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
    # Staff paused this business's automation rules and reminders (apps/staff, apps/automation;
    # the collections dispatcher skips it too). NULL: running.
    automation_paused_at = models.DateTimeField(null=True, blank=True)

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


class BusinessSummary(models.Model):
    """One small public row per business: the figures cross-business pages (firm portfolio,
    staff console, firm digest) read instead of querying hundreds of schemas (docs/scaling.md).

    Written by ``apps.tenancy.summary.summary_refresh`` after each sync, tray refresh and digest
    event. Sync health (last sync, last error, token expiry) stays on ``Business`` itself (the
    sync services write it there) and is read through the same join."""

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="summary")
    currency = models.CharField(max_length=3, default="USD")
    as_of = models.DateField(null=True, blank=True)  # the business's local date of the figures
    cash = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    reserved = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    available = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    daily_burn = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    runway_days = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    low_point = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    low_point_week = models.DateField(null=True, blank=True)
    cash_zero_week = models.DateField(null=True, blank=True)
    overdue_ar = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    tray_waiting = models.PositiveIntegerField(null=True, blank=True)
    bank_feed_status = models.CharField(max_length=24, blank=True)  # "" = no bank linked
    bank_feed_synced_at = models.DateTimeField(null=True, blank=True)
    bank_feed_error = models.TextField(blank=True)
    digest_week = models.CharField(max_length=8, blank=True)
    digest_state = models.CharField(max_length=12, blank=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    # When the latest run's first attempt began: a run still `sending` long after is stuck.
    digest_started_at = models.DateTimeField(null=True, blank=True)
    digest_opened_at = models.DateTimeField(null=True, blank=True)
    digest_error = models.TextField(blank=True)
    automation_held = models.PositiveIntegerField(default=0)  # rule actions held back, open
    digest_bounced = models.PositiveIntegerField(default=0)  # of the latest run's recipients
    # Last week's figures (money as strings), kept when the first refresh of a new week lands:
    # the firm digest's "this week's changes".
    week_of = models.DateField(null=True, blank=True)
    prior = models.JSONField(default=dict, blank=True)
    refresh_error = models.TextField(blank=True)  # a source that failed on the last refresh
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "business summaries"

    def __str__(self) -> str:
        return f"summary of {self.business_id}"
