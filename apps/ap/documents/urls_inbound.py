"""Public-host routes for inbound email (included from oodaloo/urls_public.py)."""

from django.urls import path

from apps.ap.documents.inbound import BillsInboundView

urlpatterns = [
    path("inbound/postmark/", BillsInboundView.as_view(), name="documents-inbound"),
]
