"""Constraint and index names (apps/tenancy/names.py): every clone ends with exactly the
template's names, and a schema cloned the old way (clone_schema's `<table>_<cols>_key` names) is
fixed by `tenancy_align_names`, after which a migration dropping a constraint by the template's
name works there."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django_tenants.clone import CloneSchema

from apps.tenancy.models import Business
from apps.tenancy.names import schema_names_align
from apps.tenancy.services import business_provision
from apps.tenancy.spares import PREFIX, _like, _spares, spares_refill
from tests.factories.ap import BillFactory, VendorFactory
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATE = "tenant_base"


@pytest.fixture(autouse=True)
def no_spares(settings):
    settings.TENANT_SPARE_SCHEMAS = 0  # provisioning takes the fallback clone path


@pytest.fixture
def cleanup():
    made = []
    yield made
    connection.set_schema_to_public()
    for business in made:
        business.delete(force_drop=True)
    for name in _spares(_like(PREFIX)):
        with connection.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{name}" CASCADE')


def _names(schema: str) -> dict[str, set]:
    """Every constraint (table, name, type) and index (table, name) of a schema."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname, k.conname, k.contype FROM pg_constraint k JOIN pg_class c "
                    "ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s", [schema])
        constraints = set(cur.fetchall())
        cur.execute("SELECT t.relname, x.relname FROM pg_index i JOIN pg_class x "
                    "ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
                    "JOIN pg_namespace n ON n.oid = x.relnamespace WHERE n.nspname = %s",
                    [schema])
        indexes = set(cur.fetchall())
    return {"constraints": constraints, "indexes": indexes}


def _old_style_business(slug: str) -> Business:
    """A business whose schema was cloned as provisioning did before names were aligned."""
    schema = slug.replace("-", "_")
    CloneSchema().clone_schema(TEMPLATE, schema, "DATA")
    business = Business(schema_name=schema, slug=slug, name=slug.title())
    business.auto_create_schema = False
    business.save(verbosity=0)
    return business


def _drop_unique_qbo_id(schema: str) -> None:
    """What a migration removing `ap_bill`'s unique constraint runs (by the model's name)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f'ALTER TABLE "{schema}".ap_bill DROP CONSTRAINT ap_bill_unique_qbo_id')


def test_the_fallback_clone_ends_with_exactly_the_templates_names(cleanup):
    business = business_provision(slug="names-co", name="Names Co")
    cleanup.append(business)
    template = _names(TEMPLATE)
    assert ("ap_bill", "ap_bill_unique_qbo_id", "u") in template["constraints"]
    assert len(template["constraints"]) > 100 and len(template["indexes"]) > 100
    assert _names("names_co") == template
    assert schema_names_align("names_co").renamed == []  # nothing left to do


def test_a_spare_ends_with_exactly_the_templates_names(cleanup):
    spares_refill(1)
    (spare,) = _spares(_like(PREFIX))
    assert _names(spare) == _names(TEMPLATE)


def test_the_command_fixes_an_old_clone_once_and_a_migration_can_then_drop_by_name(
        cleanup, capsys):
    business = _old_style_business("old-names")
    cleanup.append(business)
    names = _names("old_names")
    assert ("ap_bill", "ap_bill_realm_id_qbo_id_key", "u") in names["constraints"]
    assert names != _names(TEMPLATE)
    with pytest.raises(ProgrammingError, match="does not exist"):
        _drop_unique_qbo_id("old_names")  # the bug: the migration's name is not there

    call_command("tenancy_align_names", "--dry-run")
    out = capsys.readouterr().out
    assert ("old_names: would rename constraint ap_bill.ap_bill_realm_id_qbo_id_key -> "
            "ap_bill_unique_qbo_id") in out
    assert _names("old_names") == names  # a dry run changes nothing

    call_command("tenancy_align_names")
    out = capsys.readouterr().out
    assert ("old_names: renamed constraint ap_bill.ap_bill_realm_id_qbo_id_key -> "
            "ap_bill_unique_qbo_id") in out
    assert _names("old_names") == _names(TEMPLATE)

    call_command("tenancy_align_names")
    out = capsys.readouterr().out
    assert "old_names:" not in out and ", 0 renamed, 0 failed" in out

    with in_tenant(business):  # the renamed constraint still guards the data
        vendor = VendorFactory()
        BillFactory(vendor=vendor, qbo_id="77")
        with pytest.raises(IntegrityError, match="ap_bill_unique_qbo_id"), transaction.atomic():
            BillFactory(vendor=vendor, qbo_id="77")
    _drop_unique_qbo_id("old_names")
    assert ("ap_bill", "ap_bill_unique_qbo_id", "u") not in _names("old_names")["constraints"]


def test_setup_tenancy_aligns_existing_businesses(cleanup, capsys):
    business = _old_style_business("setup-names")
    cleanup.append(business)
    call_command("setup_tenancy")
    assert "setup_names: renamed constraint" in capsys.readouterr().out
    assert _names("setup_names") == _names(TEMPLATE)


def test_swapped_index_names_are_swapped_back_and_a_stranger_is_left_alone(cleanup):
    business = _old_style_business("swap-names")
    cleanup.append(business)
    schema_names_align("swap_names")
    template = _names(TEMPLATE)
    (first, second) = sorted(name for table, name in template["indexes"] if table == "ap_bill"
                             and "unique" not in name and "pkey" not in name)[:2]
    with connection.cursor() as cur:
        cur.execute(f'ALTER INDEX swap_names."{first}" RENAME TO tmp_swap')
        cur.execute(f'ALTER INDEX swap_names."{second}" RENAME TO "{first}"')
        cur.execute(f'ALTER INDEX swap_names.tmp_swap RENAME TO "{second}"')
    result = schema_names_align("swap_names")
    assert {(r.old, r.new) for r in result.renamed} == {(first, second), (second, first)}
    assert _names("swap_names") == template

    with connection.cursor() as cur:  # a chain: second's name is held by first, third's is free
        cur.execute(f'ALTER INDEX swap_names."{second}" RENAME TO elsewhere')
        cur.execute(f'ALTER INDEX swap_names."{first}" RENAME TO "{second}"')
    result = schema_names_align("swap_names")
    assert {(r.old, r.new) for r in result.renamed} == {(second, first), ("elsewhere", second)}
    assert _names("swap_names") == template

    with connection.cursor() as cur:  # a table now holds the constraint's name: not touched
        cur.execute('ALTER TABLE swap_names.ap_bill RENAME CONSTRAINT ap_bill_unique_qbo_id '
                    'TO ap_bill_realm_id_qbo_id_key')
        cur.execute("CREATE TABLE swap_names.ap_bill_unique_qbo_id (id int)")
    result = schema_names_align("swap_names")
    assert [str(r) for r in result.conflicts] == [
        "constraint ap_bill.ap_bill_realm_id_qbo_id_key -> ap_bill_unique_qbo_id"]
    assert result.renamed == []


def test_a_schema_at_other_migrations_than_the_template_is_left_alone(cleanup):
    business = _old_style_business("behind-names")
    cleanup.append(business)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM behind_names.django_migrations WHERE id = "
                    "(SELECT max(id) FROM behind_names.django_migrations)")
    result = schema_names_align("behind_names")
    assert result.skipped and result.renamed == []
    assert ("ap_bill", "ap_bill_realm_id_qbo_id_key", "u") in _names("behind_names")["constraints"]
