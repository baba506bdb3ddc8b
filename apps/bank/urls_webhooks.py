from django.urls import path

from apps.bank.webhooks import plaid_webhook

urlpatterns = [path("", plaid_webhook, name="plaid-webhook")]
