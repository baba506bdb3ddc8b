from django.apps import AppConfig


class QboConfig(AppConfig):
    name = "apps.integrations.qbo"
    label = "qbo"
    verbose_name = "QuickBooks Online"
