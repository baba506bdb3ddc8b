"""A full sync's lanes (apps/integrations/sync/qbo_lanes.py, ``LANES`` in qbo_pages.py): types
read by forked processes — purchases page by page in turn by two of them — give the same books,
counts and bookkeeping as one process; a lane that fails or dies fails the run with a reason,
and leaving early kills it."""

from __future__ import annotations

import logging
import os
import signal
import time

import pytest
from django.db import connection

from apps.bank.models import CreditCardPayment, Purchase, Transfer
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.models import QboConnection, QuarantinedRecord, SyncRun
from apps.integrations.sync.qbo_lanes import LaneFailed, LaneResult, other_lane
from apps.integrations.sync.qbo_pages import LANES, LANES_START, SYNC_ORDER, split_lanes
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.integrations.sync.books_company import write_books
from tests.integrations.sync.qbo_company import start
from tests.utils import committed_businesses, in_tenant


def _never() -> None:
    raise AssertionError("keep_alive is only called while join waits")


def test_join_hands_back_what_the_child_computed():
    def work(check):
        check()  # the parent is there
        return LaneResult(counts={"Purchase": 3}, quarantined=1,
                          touched={"Purchase": {"7"}}, requests=os.getpid())

    with other_lane(work, keep_alive=_never) as join:
        result = join()
    assert (result.counts, result.quarantined, result.touched) == (
        {"Purchase": 3}, 1, {"Purchase": {"7"}})
    assert result.requests != os.getpid()  # it ran in another process


def test_the_child_works_in_the_parents_business_on_a_session_of_its_own(tenant_a):
    with in_tenant(tenant_a):
        parent_backend = connection.cursor().connection.info.backend_pid

        def work(check):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_schema(), pg_backend_pid()")
                schema, backend = cursor.fetchone()
            return LaneResult(counts={schema: backend})

        with other_lane(work, keep_alive=_never) as join:
            seen = join().counts
    assert list(seen) == [tenant_a.schema_name] and seen[tenant_a.schema_name] != parent_backend


def test_a_lane_that_raises_fails_with_its_reason():
    def work(check):
        raise ValueError("page 3 of Purchase: boom")

    with pytest.raises(LaneFailed, match="ValueError: page 3 of Purchase: boom"):
        with other_lane(work, keep_alive=_never) as join:
            join()


def test_a_lane_that_dies_is_reported_with_its_signal():
    def work(check):
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(LaneFailed, match="died: killed by signal 9"):
        with other_lane(work, keep_alive=_never) as join:
            join()


def test_join_keeps_the_lock_alive_while_it_waits():
    beats = []

    def work(check):
        time.sleep(5.5)
        return LaneResult()

    with other_lane(work, keep_alive=lambda: beats.append(1)) as join:
        join()
    assert beats == [1]  # one 5-second wait without an answer


def test_leaving_early_kills_the_lane():
    started = time.monotonic()
    with pytest.raises(RuntimeError):
        with other_lane(lambda check: time.sleep(60), keep_alive=_never):
            raise RuntimeError("this lane's page failed")
    assert time.monotonic() - started < 10


def test_the_lanes_split_a_full_syncs_order():
    assert all(len(set(lane)) == len(lane) for lane in LANES)  # a share per lane, not two
    before, lanes = split_lanes(SYNC_ORDER)
    assert before == list(SYNC_ORDER[:LANES_START])
    assert [[entity for entity, _ in lane] for lane in lanes] == [list(lane) for lane in LANES]
    read = sorted((entity, share) for lane in lanes for entity, share in lane)
    assert ("Purchase", (0, 2)) in read and ("Purchase", (1, 2)) in read
    assert {entity for entity, _ in read} == set(SYNC_ORDER[LANES_START:])  # each type once
    assert [e for e, share in read if share != (0, 1)] == ["Purchase", "Purchase"]

    # Only what was asked for; a type in no lane joins this process's; empty lanes go.
    before, lanes = split_lanes(["Account", "Bill", "Estimate"])
    assert before == ["Account"]
    assert lanes == [[("Estimate", (0, 1))], [("Bill", (0, 1))]]


# --- a real full sync, committed (the child cannot see a test's open transaction) ----------


@pytest.fixture
def two_businesses(settings, tmp_path):
    settings.TENANT_SPARE_SCHEMAS = 0
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.01, 0.05
    books = write_books(tmp_path / "co", bad=True)
    sandboxes = []
    try:
        with committed_businesses("lanes-two", "lanes-one") as made:
            for business in made:
                sandboxes.append(start(books))
                sandbox_connect(business, sandboxes[-1].base_url)
            yield made
    finally:
        for sandbox in sandboxes:
            sandbox.stop()


def _books(business) -> dict:
    with in_tenant(business):
        return {model.__name__: sorted(model.objects.values_list(
                    "qbo_id", "total" if model is Purchase else "amount"))
                for model in (Purchase, Transfer, CreditCardPayment)}


@pytest.mark.django_db(transaction=True)
def test_a_full_sync_in_lanes_stores_what_one_lane_stores(two_businesses, settings, caplog,
                                                          monkeypatch):
    lanes, serial = two_businesses
    monkeypatch.setattr("apps.integrations.sync.qbo_sync.PAGE", 1)  # a page per purchase
    with caplog.at_level(logging.INFO, logger="apps.integrations.sync.qbo_lanes"):
        two = qbo_sync_run(lanes, full=True)
    stored = [r.getMessage() for r in caplog.records if "sync lane (pid" in r.message]
    assert len(stored) == len(LANES) - 1 and f"(pid {os.getpid()})" not in "".join(stored)
    assert all("'Purchase': 1" in line for line in stored)  # one page each of the two

    settings.QBO_SYNC_LANES = False
    caplog.clear()
    one = qbo_sync_run(serial, full=True)
    assert not [r for r in caplog.records if "sync lane" in r.message]

    assert two.state == one.state == SyncRun.State.SUCCEEDED
    quarantined = {b: sorted(QuarantinedRecord.objects.filter(business=b).values_list(
        "entity", "external_id", "reason")) for b in (lanes, serial)}
    assert quarantined[lanes] == quarantined[serial]  # first: its reasons say what went wrong
    assert two.entities == one.entities and two.entities["Purchase"] > 0
    assert two.quarantined == one.quarantined
    # Each purchase page is read once; the reader that did not read the last (short) page
    # asks once past it.
    assert two.requests == one.requests + 1 and two.entities["Purchase"] == 2
    assert _books(lanes) == _books(serial)
    assert (QboConnection.objects.get(business=lanes).synced_entities
            == QboConnection.objects.get(business=serial).synced_entities)
