from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "apps.integrations.sync"
    label = "sync"
    verbose_name = "Sync and outbox"
