"""Downloads are named for the business's local day, the activity CSV and the pages tell times
in its zone (DESIGN: every date knows the business's time zone), not the server's UTC."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.core.dates import business_now_override
from apps.core.services.audit import audit_record
from tests.factories import DigestRunFactory, make_member
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db

# 03:30 UTC on Dec 6 is still the evening of Dec 5 in Los Angeles.
AT = datetime(2026, 12, 6, 3, 30, tzinfo=UTC)


@pytest.fixture
def owner(tenant_a):
    tenant_a.timezone = "America/Los_Angeles"
    tenant_a.save(update_fields=["timezone"])
    return make_member(tenant_a, Role.OWNER)


def test_csv_and_archive_names_use_the_local_day(tenant_a, owner):
    client = client_for(tenant_a, owner)
    with business_now_override(AT):
        for page in ("bills", "invoices", "customers", "vendors", "forecast", "activity"):
            response = client.get(f"/{page}/csv/")
            assert response.status_code == 200, page
            assert response["Content-Disposition"] == (
                f'attachment; filename="{page}-20261205.csv"')
        archive = client.post("/settings/export/")
    assert 'filename="oodaloo-alpha-20261205.zip"' in archive["Content-Disposition"]


def test_activity_times_are_in_the_business_zone(tenant_a, owner):
    event = audit_record(actor=owner, action="test.local_time", business=tenant_a)
    lines = b"".join(client_for(tenant_a, owner).get("/activity/csv/").streaming_content)
    local = event.created_at.astimezone(ZoneInfo("America/Los_Angeles")).isoformat()
    assert local.endswith("-08:00") and local.encode() in lines


def test_pages_show_times_on_the_business_clock(tenant_a, owner):
    """An owner in Los Angeles reads a digest sent at 02:30 UTC on Dec 6 as Dec 5, 18:30
    (apps/accounts/middleware.py activates the zone for pages, not for the API)."""
    with in_tenant(tenant_a):
        DigestRunFactory(state="sent", sent_at=AT - timedelta(hours=1))
    page = client_for(tenant_a, owner).get("/digest/").content.decode()
    assert "Sat 5 Dec 18:30" in page and "Sun 6 Dec 02:30" not in page
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks past the request
