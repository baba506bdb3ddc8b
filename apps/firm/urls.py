"""The firm console, on the public host under /firm/ (docs/firm.md)."""

from django.urls import include, path

from apps.firm import team, views

urlpatterns = [
    path("", views.firm_home, name="firm-home"),
    path("invite/<str:token>/", views.accept_invitation, name="firm-accept-invitation"),
    # One firm's console: every view gets the `firm_slug` captured here.
    path("<slug:firm_slug>/", include([
        path("", views.portfolio, name="firm-portfolio"),
        path("portfolio.csv", views.portfolio_csv_view, name="firm-portfolio-csv"),
        path("open/<slug:business_slug>/", views.client_open, name="firm-open"),
        path("team/", team.team, name="firm-team"),
        path("team/invite/", team.member_invite, name="firm-member-invite"),
        path("team/<int:pk>/remove/", team.member_remove, name="firm-member-remove"),
        path("clients/new/", team.client_new, name="firm-client-new"),
        path("clients/<int:pk>/grant/", team.grant_add, name="firm-grant"),
        path("clients/<int:pk>/end/", team.client_end, name="firm-client-end"),
        path("grants/<int:pk>/revoke/", team.grant_revoke, name="firm-grant-revoke"),
    ])),
]
