from django.urls import path

from apps.portal import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
