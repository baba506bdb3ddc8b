from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.permissions import open_view, portal_view
from apps.api import views

urlpatterns = [
    path("v1/auth/token/", open_view(views.TokenObtainView.as_view()), name="api-token"),
    path("v1/runway/", portal_view(views.RunwayView.as_view()), name="api-runway"),
    path("v1/bills/", portal_view(views.BillListView.as_view()), name="api-bills"),
    path("v1/invoices/", portal_view(views.InvoiceListView.as_view()), name="api-invoices"),
    path("schema/", portal_view(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", portal_view(SpectacularSwaggerView.as_view(url_name="api-schema")),
         name="api-docs"),
]
