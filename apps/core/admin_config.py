"""Replaces `django.contrib.admin` in INSTALLED_APPS so the default site is the audited, 2FA one
(set before any `@admin.register` runs)."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "apps.core.admin_site.AuditedAdminSite"
