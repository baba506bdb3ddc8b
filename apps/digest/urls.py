from django.urls import path

from apps.digest import views

urlpatterns = [
    path("", views.history, name="digest-history"),
    path("subscription/", views.subscription, name="digest-subscription"),
    path("go/<str:token>/", views.go, name="digest-go"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="digest-unsubscribe"),
    path("<str:week>/", views.in_browser, name="digest-week"),
    path("<str:week>/pdf/", views.pdf, name="digest-pdf"),
]
