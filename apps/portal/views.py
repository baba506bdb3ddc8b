from django.shortcuts import render

from apps.accounts.permissions import portal_view


@portal_view
def dashboard(request):
    return render(request, "portal/dashboard.html", {})
