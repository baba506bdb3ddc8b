"""Cursor pages: every row exactly once, whatever its values (a bill read from a document has no
due date), forwards and back; a cursor we did not make is a 400 `invalid_cursor`, on every
list the schema has."""

import base64
import json
from datetime import timedelta

import pytest

from apps.accounts.models import Role
from apps.ap.models import Vendor
from tests.api.schema_ops import api_schema
from tests.factories import VendorFactory, make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def cursor_lists() -> list[str]:
    """Every list answered as a cursor page (its 200 is a `…Page`), read from the schema."""
    paths = []
    for path, item in api_schema()["paths"].items():
        schema = (item.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
                  .get("application/json", {}).get("schema", {}))
        if schema.get("$ref", "").endswith("Page"):
            paths.append(path)
    return sorted(paths)


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


TAMPERED = {
    "position no field can take": _cursor("p=not-a-value"),
    "not base64": "%%%not-base64",
    "a position of another length": _cursor("p=" + json.dumps(["1", "2", "3", "4", "5"])),
    "an id out of range": _cursor("p=" + json.dumps(["99999999999999999999999"])),
}


def test_the_schema_has_the_lists():
    assert {"/api/v1/bills/", "/api/v1/invoices/", "/api/v1/activity/", "/api/v1/documents/",
            "/api/v1/forecast/snapshots/", "/api/v1/tray/", "/api/v1/credits/",
            "/api/v1/automation/actions/"} <= set(cursor_lists())


@pytest.mark.parametrize("path", cursor_lists())
def test_a_tampered_cursor_is_a_400_in_the_error_shape(tenant_a, path):
    client = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    client.raise_request_exception = False
    for what, cursor in TAMPERED.items():
        response = client.get(path, {"cursor": cursor})
        assert response.status_code == 400, (what, response.status_code, response.content[:200])
        assert response["Content-Type"].startswith("application/json"), what
        assert response.json()["error"]["code"] == "invalid_cursor", what


def _walk(client, url: str, link: str = "next") -> tuple[list[list[int]], str | None]:
    """The pages from `url` following `link`, and the last page's other link."""
    pages, other = [], None
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        other = body["previous" if link == "next" else "next"]
        url = body[link]
        assert len(pages) < 50, "the cursor loops"
    return pages, other


@pytest.fixture
def bills(tenant_a):
    """Five bills: two with due dates, three from documents with none (NULL due date)."""
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        vendor = f.vendor("V")
        dated = [f.bill(vendor, "10.00", today + timedelta(days=d)).pk for d in (2, 1)]
        undated = []
        for _ in range(3):
            bill = f.bill(vendor, "10.00", today)
            type(bill).objects.filter(pk=bill.pk).update(due_date=None)
            undated.append(bill.pk)
    # By due date, the undated last (as Postgres sorts NULLs ascending), then by id.
    return dated[::-1] + undated


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_bills_without_a_due_date_are_each_listed_once(tenant_a, bills, size):
    client = client_for(tenant_a, make_member(tenant_a, Role.VIEWER))
    pages, previous = _walk(client, f"/api/v1/bills/?page_size={size}")
    assert [pk for page in pages for pk in page] == bills
    # And back from the last page by `previous`: the same pages, in reverse.
    if previous:
        back, _ = _walk(client, previous, link="previous")
        assert back[::-1] == pages[:-1]


def test_invoices_without_a_due_date_are_each_listed_once(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        customer = f.customer()
        made = [f.invoice(customer, "20.00", today + timedelta(days=d)) for d in range(4)]
        for invoice in made[1::2]:
            type(invoice).objects.filter(pk=invoice.pk).update(due_date=None)
    client = client_for(tenant_a, make_member(tenant_a, Role.VIEWER))
    pages, _ = _walk(client, "/api/v1/invoices/?all=1&page_size=1")
    listed = [pk for page in pages for pk in page]
    assert sorted(listed) == sorted(i.pk for i in made) and len(set(listed)) == len(listed)


def test_more_equal_values_than_an_offset_could_skip_are_each_listed_once(tenant_a):
    """1150 vendors of one name: a cursor keyed on the name plus an offset among equals
    (capped at 1000) would repeat the last page for ever."""
    with in_tenant(tenant_a):
        made = Vendor.objects.bulk_create(VendorFactory.build_batch(1150, display_name="Same"))
    client = client_for(tenant_a, make_member(tenant_a, Role.VIEWER))
    pages, _ = _walk(client, "/api/v1/vendors/?page_size=100")
    listed = [pk for page in pages for pk in page]
    assert sorted(listed) == sorted(v.pk for v in made)
