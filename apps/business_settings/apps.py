from django.apps import AppConfig


class BusinessSettingsConfig(AppConfig):
    name = "apps.business_settings"
    label = "business_settings"
    verbose_name = "Business settings"
