"""Celery app with tenant context carried on every task (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.production")

app = CeleryApp("oodaloo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
