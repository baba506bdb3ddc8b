from django.urls import path

from apps.portal import connect, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("connect/qbo/", connect.connect_qbo, name="connect-qbo"),
    path("connect/qbo/start/", connect.connect_qbo_start, name="connect-qbo-start"),
    path("connect/qbo/callback/", connect.connect_qbo_callback, name="connect-qbo-callback"),
    path("connect/qbo/disconnect/", connect.disconnect_qbo, name="disconnect-qbo"),
]
