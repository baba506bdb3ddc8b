from django.apps import AppConfig


class PlaidConfig(AppConfig):
    name = "apps.integrations.plaid"
    label = "plaid"
    verbose_name = "Plaid bank feeds"
