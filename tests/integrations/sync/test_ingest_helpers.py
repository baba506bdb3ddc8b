"""The sinks' shared helpers against real Postgres: several id lookups in one query, and the
staging temp table that is created once per session — remembered only after a real commit, so
a rolled-back one is created again; an older version never overwrites a newer one."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.ap.models import Vendor
from apps.integrations.sync.ingest_helpers import PARTY_FIELDS, id_map, id_maps, upsert
from apps.ledger.models import Account
from tests.utils import committed_businesses, in_tenant

REALM = "9130"


class Boom(Exception):
    pass


def _vendor(qbo_id: str, name: str) -> dict:
    return {"realm_id": REALM, "qbo_id": qbo_id, "sync_token": "0", "qbo_updated_at": None,
            "is_deleted": False, "display_name": name, "company_name": "", "email": "",
            "active": True, "balance": 0, "currency": "USD"}


def test_id_maps_answers_each_lookup_as_id_map_would(tenant_a):
    with in_tenant(tenant_a):
        bank = Account.objects.create(realm_id=REALM, qbo_id="35", name="Checking",
                                      account_type=Account.Type.BANK)
        rent = Account.objects.create(realm_id=REALM, qbo_id="7", name="Rent")
        Account.objects.create(realm_id="other realm", qbo_id="8", name="Elsewhere")
        acme = Vendor.objects.create(realm_id=REALM, qbo_id="7", display_name="Acme")
        money = ' AND "account_type" = ANY(%s)'
        found = id_maps(REALM, {
            "accounts": (Account, ["35", "7", "8", "404", ""]),
            "money": (Account, iter(["35", "7"]), money, [[Account.Type.BANK.value]]),
            "vendors": (Vendor, ["7"]),
            "none": (Vendor, []),
        })
        assert found == {"accounts": {"35": bank.pk, "7": rent.pk}, "money": {"35": bank.pk},
                         "vendors": {"7": acme.pk}, "none": {}}
        assert id_map(Account, REALM, ["7", "8"]) == {"7": rent.pk}
        assert id_maps(REALM, {"nothing": (Account, [""])}) == {"nothing": {}}


def test_staging_table_is_created_again_after_its_transaction_rolled_back(tenant_a):
    with in_tenant(tenant_a):
        with pytest.raises(Boom), transaction.atomic():
            upsert(Vendor, [_vendor("1", "First")], PARTY_FIELDS)  # creates the staging table
            raise Boom  # ...and the rollback drops it: it must not be remembered
        pks = upsert(Vendor, [_vendor("2", "Second")], PARTY_FIELDS)
        pks.update(upsert(Vendor, [_vendor("3", "Third")], PARTY_FIELDS))
        assert set(pks) == {"2", "3"}
        assert sorted(Vendor.objects.values_list("display_name", flat=True)) == [
            "Second", "Third"]


def test_staging_table_survives_on_commit_callbacks_run_inside_a_rolled_back_transaction(
        tenant_a, django_capture_on_commit_callbacks):
    # What a test does that executes captured callbacks: they run while its transaction is
    # still open, and that transaction then rolls back, dropping the table with it.
    with in_tenant(tenant_a):
        with pytest.raises(Boom), transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                upsert(Vendor, [_vendor("1", "First")], PARTY_FIELDS)
            raise Boom
        assert upsert(Vendor, [_vendor("2", "Second")], PARTY_FIELDS).keys() == {"2"}


def _creates(ctx: CaptureQueriesContext) -> int:
    return sum("CREATE TEMP TABLE" in q["sql"] for q in ctx.captured_queries)


@pytest.fixture
def committed_business(settings):
    settings.TENANT_SPARE_SCHEMAS = 0
    with committed_businesses("staging-co") as (business,):
        yield business


@pytest.mark.django_db(transaction=True)
def test_staging_table_is_created_once_per_session_after_a_real_commit(committed_business):
    with in_tenant(committed_business):
        with CaptureQueriesContext(connection) as first:
            upsert(Vendor, [_vendor("1", "First")], PARTY_FIELDS)  # commits (autocommit)
        with CaptureQueriesContext(connection) as later:
            upsert(Vendor, [_vendor("2", "Second")], PARTY_FIELDS)
            upsert(Vendor, [_vendor("1", "First, renamed")], PARTY_FIELDS)
        assert (_creates(first), _creates(later)) == (1, 0)
        # A new session (reconnect) has no temp tables: it creates its own.
        connection.close()
        with CaptureQueriesContext(connection) as fresh:
            upsert(Vendor, [_vendor("3", "Third")], PARTY_FIELDS)
        assert _creates(fresh) == 1
        assert sorted(Vendor.objects.values_list("display_name", flat=True)) == [
            "First, renamed", "Second", "Third"]


def test_upsert_never_replaces_a_row_with_an_older_version(tenant_a):
    """SyncToken decides when both are numbers (``"9" < "10"`` as numbers, not text); else
    LastUpdatedTime; a row with neither (a placeholder) is replaced by any version."""
    t0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    later = t0 + timedelta(minutes=5)

    def version(qbo_id, name, token, at):
        return {**_vendor(qbo_id, name), "sync_token": token, "qbo_updated_at": at}

    with in_tenant(tenant_a):
        upsert(Vendor, [version("1", "v10", "10", later), version("2", "x-new", "x", later),
                        version("3", "placeholder", "", None), version("4", "v3", "3", t0)],
               PARTY_FIELDS)
        pks = upsert(Vendor, [
            version("1", "v9", "9", later),  # older token, same time: kept out
            version("2", "x-old", "y", t0),  # tokens not numbers: the older time is kept out
            version("3", "real", "0", t0),  # replaces the placeholder
            version("4", "v3 again", "3", t0),  # the same version: stored again
        ], PARTY_FIELDS)
        names = dict(Vendor.objects.values_list("qbo_id", "display_name"))
    assert names == {"1": "v10", "2": "x-new", "3": "real", "4": "v3 again"}
    assert set(pks) == {"3", "4"}
