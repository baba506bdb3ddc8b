"""Spare schemas (apps/tenancy/spares.py): a new business takes a ready clone of the template by
renaming it, gets exactly the template's tables, migrations, defaults and triggers, and a spare
of an older template is never taken and is dropped by the next refill."""

import pytest
from django.db import connection, transaction
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

from apps.tenancy.services import business_provision
from apps.tenancy.spares import PREFIX, _like, _spares, spares_refill, template_stamp
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_background_refill(settings):
    settings.TENANT_SPARE_SCHEMAS = 0  # no worker here: refills are called by the tests


@pytest.fixture
def cleanup():
    made = []
    yield made
    for business in made:
        business.auto_drop_schema = True
        business.delete(force_drop=True)
    for name in _spares(_like(PREFIX)):
        with connection.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{name}" CASCADE')


def _catalog(schema: str) -> dict:
    """What a tenant schema is made of, with its own name taken out."""
    with connection.cursor() as cur:
        cur.execute("SELECT table_name, column_name, column_default FROM "
                    "information_schema.columns WHERE table_schema = %s", [schema])
        columns = {(t, c, (d or "").replace(f"{schema}.", "")) for t, c, d in cur.fetchall()}
        cur.execute("SELECT indexname, replace(indexdef, %s, '') FROM pg_indexes "
                    "WHERE schemaname = %s", [f"{schema}.", schema])
        indexes = set(cur.fetchall())
        cur.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON "
                    "c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND NOT t.tgisinternal", [schema])
        triggers = set(cur.fetchall())
        cur.execute("SELECT c.relname, k.conname, replace(pg_get_constraintdef(k.oid), %s, '') "
                    "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
                    [f"{schema}.", schema])
        constraints = set(cur.fetchall())  # by the migrations' names (a plain clone renames)
        cur.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        migrations = set(cur.fetchall())
    return {"columns": columns, "indexes": indexes, "triggers": triggers,
            "constraints": constraints, "migrations": migrations}


def test_a_new_business_takes_a_ready_spare_identical_to_the_template(cleanup):
    assert spares_refill(1) == {"dropped": 0, "made": 1, "ready": 1}
    assert spares_refill(1)["made"] == 0  # idempotent: one is ready
    business = business_provision(slug="spare-co", name="Spare Co")
    cleanup.append(business)
    assert schema_exists("spare_co") and _spares(_like(PREFIX)) == []  # renamed, not cloned
    template = _catalog("tenant_base")
    assert template["triggers"] and template["migrations"]
    assert _catalog("spare_co") == template
    with in_tenant(business):
        vendor = f.vendor("Acme")  # the id default (a sequence of the renamed schema) works
        assert vendor.pk is not None
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence('ap_vendor', 'id')")
            assert cur.fetchone()[0].startswith("spare_co.")
    connection.set_schema_to_public()


def test_a_spare_of_an_older_template_is_never_taken_and_is_dropped(cleanup):
    stale = f"{PREFIX}0000000000_deadbeef"
    assert not stale.startswith(f"{PREFIX}{template_stamp()}_")
    CloneSchema().clone_schema("tenant_base", stale, "DATA")
    business = business_provision(slug="stale-co", name="Stale Co")  # cloned instead
    cleanup.append(business)
    assert schema_exists("stale_co") and schema_exists(stale)
    assert spares_refill(0) == {"dropped": 1, "made": 0, "ready": 0}
    assert not schema_exists(stale)


def test_a_sign_up_that_fails_gives_the_spare_back(cleanup):
    spares_refill(1)
    (spare,) = _spares(_like(PREFIX))
    with pytest.raises(RuntimeError), transaction.atomic():  # e.g. the owner's row fails
        business_provision(slug="rolled-back", name="Rolled")
        raise RuntimeError("the rest of the sign-up failed")
    connection.set_schema_to_public()
    assert _spares(_like(PREFIX)) == [spare] and not schema_exists("rolled_back")
