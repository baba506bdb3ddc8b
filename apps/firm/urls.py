"""The firm console, on the public host under /firm/ (docs/firm.md)."""

from django.urls import path

from apps.firm import team, views

urlpatterns = [
    path("", views.firm_home, name="firm-home"),
    path("invite/<str:token>/", views.accept_invitation, name="firm-accept-invitation"),
    path("<slug:firm_slug>/", views.portfolio, name="firm-portfolio"),
    path("<slug:firm_slug>/portfolio.csv", views.portfolio_csv_view, name="firm-portfolio-csv"),
    path("<slug:firm_slug>/open/<slug:business_slug>/", views.client_open, name="firm-open"),
    path("<slug:firm_slug>/team/", team.team, name="firm-team"),
    path("<slug:firm_slug>/team/invite/", team.member_invite, name="firm-member-invite"),
    path("<slug:firm_slug>/team/<int:pk>/remove/", team.member_remove, name="firm-member-remove"),
    path("<slug:firm_slug>/clients/new/", team.client_new, name="firm-client-new"),
    path("<slug:firm_slug>/clients/<int:pk>/grant/", team.grant_add, name="firm-grant"),
    path("<slug:firm_slug>/clients/<int:pk>/end/", team.client_end, name="firm-client-end"),
    path("<slug:firm_slug>/grants/<int:pk>/revoke/", team.grant_revoke, name="firm-grant-revoke"),
]
