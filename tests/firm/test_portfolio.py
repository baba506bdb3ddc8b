"""The portfolio ranks granted clients by risk from the summary rows alone: constant queries,
filters, search, CSV, and the audited one-click hand-off into a client's portal."""

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import AuditEvent
from tests.firm.helpers import grant, make_client, schemaless_business, summary_for
from tests.utils import client_for


def _portfolio(staff, firm, query=""):
    response = client_for(None, staff).get(f"/firm/{firm.slug}/{query}")
    assert response.status_code == 200
    return [r.business.slug for r in response.context["rows"]], response


def test_clients_rank_by_risk_with_their_reasons(firm_setup, tenant_a, tenant_b):
    firm, partner, staff = firm_setup
    today = timezone.localdate()
    summary_for(tenant_a, runway_days="210.0")
    summary_for(tenant_b, runway_days="41.5", cash_zero_week=today + timedelta(days=21),
                low_point="-3200.00", overdue="12400.00", waiting=4)
    grant(firm, tenant_a, partner, staff)
    grant(firm, tenant_b, partner, staff)
    slugs, response = _portfolio(staff, firm)
    assert slugs == ["beta", "alpha"]
    beta = response.context["rows"][0]
    assert any("runs out the week of" in r for r in beta.risk.reasons)
    assert "4 decisions waiting" in beta.risk.reasons
    assert response.context["rows"][1].risk.reasons == []
    assert b"Nothing stands out" in response.content


def test_a_client_with_no_figures_yet_ranks_first(firm_setup, tenant_a, tenant_b):
    firm, partner, staff = firm_setup
    summary_for(tenant_a, runway_days="20.0")
    grant(firm, tenant_a, partner, staff)
    grant(firm, tenant_b, partner, staff)
    assert _portfolio(staff, firm)[0] == ["beta", "alpha"]


def test_filters_and_search(firm_setup, tenant_a, tenant_b):
    firm, partner, staff = firm_setup
    summary_for(tenant_a, runway_days="60.0", overdue="900.00")
    summary_for(tenant_b, runway_days="300.0", bank="login_required", waiting=2)
    grant(firm, tenant_a, partner, staff)
    grant(firm, tenant_b, partner, staff)
    assert _portfolio(staff, firm, "?filter=short_runway")[0] == ["alpha"]
    assert _portfolio(staff, firm, "?filter=overdue")[0] == ["alpha"]
    assert _portfolio(staff, firm, "?filter=health")[0] == ["beta"]
    assert _portfolio(staff, firm, "?filter=decisions")[0] == ["beta"]
    assert _portfolio(staff, firm, "?filter=cash_zero")[0] == []
    assert _portfolio(staff, firm, "?q=works")[0] == ["beta"]  # "Beta Works"


def test_csv_export_has_every_granted_client_ranked_and_is_formula_safe(firm_setup, tenant_a,
                                                                         tenant_b):
    firm, partner, staff = firm_setup
    tenant_b.name = "=HYPERLINK(evil)"
    tenant_b.save(update_fields=["name"])
    summary_for(tenant_a, runway_days="30.5", overdue="100.00")
    summary_for(tenant_b, runway_days="400.0")
    grant(firm, tenant_a, partner, staff)
    grant(firm, tenant_b, partner, staff)
    response = client_for(None, staff).get(f"/firm/{firm.slug}/portfolio.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["rank"], r["address"], r["runway_days"]) for r in rows] == [
        ("1", "alpha", "30.5"), ("2", "beta", "400.0")]
    assert rows[0]["overdue_ar"] == "100.00"
    assert rows[1]["business"] == "'=HYPERLINK(evil)"


def _count_portfolio_queries(firm, partner, staff, n: int) -> int:
    for i in range(n):
        b = schemaless_business(f"Client {i:02d}")
        make_client(firm, b, partner)
        summary_for(b, runway_days=str(30 + i))
        grant(firm, b, partner, staff)
    client = client_for(None, staff)
    client.get(f"/firm/{firm.slug}/")  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/firm/{firm.slug}/")
    assert response.status_code == 200 and len(response.context["rows"]) >= n
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_is_constant_in_the_number_of_clients(firm_setup, n):
    firm, partner, staff = firm_setup
    # host → domain, user, firm member, grants⋈businesses⋈summaries: nothing per client (the
    # session comes from the cache; the tenant middleware skips search-path switches that
    # change nothing)
    assert _count_portfolio_queries(firm, partner, staff, n) == 4


def test_open_hands_off_to_the_client_portal_and_is_audited(firm_setup, tenant_a):
    firm, partner, staff = firm_setup
    m = grant(firm, tenant_a, partner, staff)
    response = client_for(None, staff).post(f"/firm/{firm.slug}/open/alpha/")
    assert response.status_code == 302
    url = urlparse(response["Location"])
    assert url.hostname == "alpha.localhost" and url.path == "/auth/handoff/"
    portal = client_for(tenant_a)
    landed = portal.get(f"/auth/handoff/?token={parse_qs(url.query)['token'][0]}&next=/")
    assert landed.status_code == 302 and portal.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="firm.client_opened", object_id=str(m.pk),
                                     business_id=tenant_a.pk, actor=staff).exists()
