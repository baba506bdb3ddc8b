from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "People"

    def ready(self):
        from apps.accounts import auth_audit

        auth_audit.connect()
