from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "apps.integrations.mail"
    label = "mail"
    verbose_name = "Email delivery"
