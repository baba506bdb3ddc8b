import pytest
from django.utils import timezone

from tests.firm.helpers import add_staff, make_client, make_firm


@pytest.fixture
def firm_setup(tenant_a, tenant_b):
    """Ledgerly (partner Pat, staff Sam) serving alpha and beta; no grants yet. Both businesses
    look freshly synced so health alone ranks nothing."""
    firm, partner = make_firm()
    staff = add_staff(firm)
    for b in (tenant_a, tenant_b):
        make_client(firm, b, partner)
        b.last_sync_at, b.last_error = timezone.now(), ""
        b.save(update_fields=["last_sync_at", "last_error"])
    return firm, partner, staff
