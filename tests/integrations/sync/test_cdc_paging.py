"""More than 1,000 changes of one type: ``cdc_all`` reads them by LastUpdatedTime queries. A row
edited in QBO while those pages are read must not make the sync skip another one for good."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.ap.models import Bill
from apps.integrations.sync.models import QboConnection
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.integrations.sync.qbo_company import start, write_company
from tests.utils import in_tenant

CHANGED = 1100  # one page of 1,000 and a bit


def _stamp(moment: datetime) -> dict[str, str]:
    text = moment.isoformat(timespec="seconds")
    return {"CreateTime": text, "LastUpdatedTime": text}


@pytest.fixture(params=["one instant", "a second apart"])
def changed_company(request, tmp_path):
    """A sandbox whose 1,100 bills changed yesterday — all stamped the same second (a bulk
    import), or each a second after the last."""
    directory = write_company(tmp_path / "co", extra_bills=CHANGED)
    bills = json.loads((directory / "Bill.json").read_text())
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for n, bill in enumerate(b for b in bills["Bill"] if int(b["Id"]) >= 2000):
        spread = request.param == "a second apart"
        bill["MetaData"] = _stamp(yesterday + timedelta(seconds=n if spread else 0))
    (directory / "Bill.json").write_text(json.dumps(bills))
    handle = start(directory)
    yield handle
    handle.stop()


def test_an_edit_while_the_changes_are_paged_makes_no_row_skipped(changed_company, tenant_a,
                                                                   fast_retry):
    sb = changed_company
    call_command("connect_qbo", "alpha", "--sandbox", sb.base_url, stdout=open("/dev/null", "w"))
    tenant_a.refresh_from_db()
    with in_tenant(tenant_a):  # our copies are older versions: each must be read again
        Bill.objects.filter(qbo_id__gte="2000").update(balance=Decimal("1.00"))
    QboConnection.objects.filter(business=tenant_a).update(
        changes_since=timezone.now() - timedelta(days=5))
    served, to_edit, edited = sb.app._query, ["2000", "2001"], []

    def query(text, links=False):  # the sandbox's query handler, on this sandbox only
        reply = served(text, links)
        if "FROM Bill WHERE MetaData.LastUpdatedTime" in text and to_edit:
            # Right after each of the first two pages is served a user edits a bill already
            # read in QBO: it moves to the end of the LastUpdatedTime order. (The second edit
            # lands inside the paging of the one instant, when all bills share it.)
            qbo_id = to_edit.pop(0)
            reply_of_edit = sb.app._mutate({"entity": "Bill", "id": qbo_id,
                                            "set": {"PrivateNote": "edited"}})
            edited.append((qbo_id, reply_of_edit.status))
        return reply

    sb.app._query = query
    run = qbo_sync_run(tenant_a)

    assert edited == [("2000", 200), ("2001", 200)] and run.state == "succeeded"
    with in_tenant(tenant_a):
        stale = list(Bill.objects.filter(balance=Decimal("1.00")).values_list("qbo_id", flat=True))
        assert stale == []
        assert Bill.objects.filter(qbo_id__gte="2000").count() == CHANGED
        assert Bill.objects.get(qbo_id="2000").memo == "edited"
