"""A business whose latest digest has been `sending` for over an hour (a dead worker, a retry
that keeps failing) is a problem on the staff home and in Digest runs' problem filter; one that
began minutes ago is just sending."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import BusinessSummaryFactory
from tests.staff.conftest import admin_client, staff_user


def test_a_digest_stuck_sending_is_a_problem_a_fresh_one_is_not(tenant_a, tenant_b):
    now = timezone.now()
    BusinessSummaryFactory(business=tenant_a, digest_week="2026-W49", digest_state="sending",
                           digest_started_at=now - timedelta(hours=2))
    BusinessSummaryFactory(business=tenant_b, digest_week="2026-W49", digest_state="sending",
                           digest_started_at=now - timedelta(minutes=5))
    client = admin_client(staff_user("support@oodaloo.test", "support"))
    home = client.get("/admin/staff/home/")
    [digests] = [c for c in home.context["counts"] if c.key == "digests"]
    assert (digests.count, digests.detail) == (1, ["Alpha Studio: sending"])
    problems = client.get(digests.url)
    assert [r.schema for r in problems.context["runs"]] == ["alpha"]
    listed = client.get("/admin/digest/runs/?state=sending")
    assert sorted(r.schema for r in listed.context["runs"]) == ["alpha", "beta"]
