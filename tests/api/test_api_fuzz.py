"""Schemathesis fuzzes every operation of the schema against a live server (a real HTTP server
in a thread) with seeded books, as business A's owner through a write API key: no server error,
every response conforms to the schema (status, content type, body), and business B's data is
untouched. Time-boxed (FUZZ_SECONDS); the counts are printed."""

import copy
import os
import time
import uuid
from datetime import timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.api.keys import api_key_create
from apps.ar.reminders.sequences import sequence_default
from apps.core.models import AuditEvent
from apps.lifecycle.services import business_delete
from apps.reserves.models import Reserve
from tests import factories as fx
from tests.api.schema_ops import api_schema, resource_of
from tests.factories import make_member
from tests.live_server import live_wsgi_server
from tests.utils import in_tenant

FUZZ_SECONDS = float(os.environ.get("API_FUZZ_SECONDS", "85"))
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]


def _seed(tenant):
    """Books to fuzz against; returns the write key and one real id per resource (used as the
    path examples, so every `{id}` operation also runs once on a row that exists)."""
    with in_tenant(tenant):
        owner = make_member(tenant, Role.OWNER)
        ids = {"bank-accounts": fx.AccountFactory(name="Operating").pk}
        vendor = fx.VendorFactory(display_name="Rent Co")
        ids["vendors"] = vendor.pk
        for days in (1, 5, 20):
            ids["bills"] = fx.BillFactory(vendor=vendor, total="400.00",
                                          due_date=fx.base.date.today()
                                          + timedelta(days=days)).pk
        customer = fx.CustomerFactory(display_name="Bolt")
        ids["customers"] = customer.pk
        for days in (-10, 7):
            ids["invoices"] = fx.InvoiceFactory(customer=customer, total="900.00",
                                                due_date=fx.base.date.today()
                                                + timedelta(days=days)).pk
        ids["credits"] = fx.CreditMemoFactory(customer=customer, total="50.00",
                                              balance="50.00").pk
        ids["overpayments"] = fx.PaymentFactory(customer=customer, unapplied_amount="30.00").pk
        ids["vendor-credits"] = fx.VendorCreditFactory(vendor=vendor).pk
        ids["reserves"] = fx.ReserveFactory(name="Payroll", target="1000.00", held="200.00").pk
        ids["tray"] = fx.TrayItemFactory().pk
        ids["documents"] = fx.DocumentFactory().pk
        sequence = sequence_default()
        ids["sequences"] = sequence.pk
        ids["steps"] = sequence.steps.first().pk
        key, raw = api_key_create(actor=owner, business=tenant, name="fuzz", scope="write")
        ids["keys"] = key.pk
    return raw, ids


def _with_examples(raw_schema: dict, ids: dict) -> dict:
    """Give each `{id}` path parameter the seeded row's id as its example (schemathesis' explicit
    phase runs it once per operation, then generates)."""
    schema = copy.deepcopy(raw_schema)
    for path, item in schema["paths"].items():
        if "{id}" not in path:
            continue
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") == "id":
                    if resource_of(path) in ids:
                        parameter["example"] = ids[resource_of(path)]
    return schema


def _state_of(tenant):
    with in_tenant(tenant):
        return (sorted(Bill.objects.values_list("pk", "status", "balance")),
                sorted(Reserve.objects.values_list("pk", "held", "active")),
                AuditEvent.objects.filter(business=tenant).count())


@pytest.fixture
def fuzzed(transactional_db):
    """Two businesses of the fuzz's own, deleted afterwards: the fuzzer changes whatever the
    API lets an owner change (settings, rules, sequences, rows), and the suite's shared
    businesses must not carry that into later tests (a transactional test's flush does not
    reach a business's schema)."""
    tag = uuid.uuid4().hex[:6]
    pair = (fx.BusinessFactory(slug=f"fuzza{tag}"), fx.BusinessFactory(slug=f"fuzzb{tag}"))
    yield pair
    for business in pair:
        owner = make_member(business, Role.OWNER)
        business_delete(actor=owner, business=business, confirm=business.slug)


def test_fuzz_every_operation(fuzzed, settings):
    tenant_a, tenant_b = fuzzed
    settings.API_THROTTLE_RATES = {"read": "100000/min", "write": "100000/min"}
    key, ids = _seed(tenant_a)
    with in_tenant(tenant_b):
        fx.BillFactory(total="90.00")
        fx.ReserveFactory(name="B reserve", held="50.00")
    before_b = _state_of(tenant_b)
    schema = schemathesis.openapi.from_dict(_with_examples(api_schema(), ids))
    headers = {"Authorization": f"Api-Key {key}", "Host": tenant_a.primary_host}
    slow: list = []
    counts = {"operations": 0, "calls": 0, "by_status": {}}
    failures: list[str] = []
    started = time.monotonic()
    with live_wsgi_server() as port:
        base_url = f"http://127.0.0.1:{port}"
        session = requests.Session()
        # Key operations last: revoking the fuzzer's own key ends the run's authentication.
        ops = sorted((r.ok() for r in schema.get_all_operations()),
                     key=lambda o: o.path.startswith("/api/v1/keys/"))
        for operation in ops:
            if time.monotonic() - started > FUZZ_SECONDS:
                break
            if operation.path.startswith("/api/v1/auth/"):
                continue  # token exchange is for passwords, not keys (tests/api/test_api_auth)
            if operation.path == "/api/v1/alerts/webhook-test/":
                continue  # it posts to whatever webhook the fuzzer saved: not to the internet
            if operation.method.lower() == "delete" and operation.path == "/api/v1/business/":
                # Deleting business A drops the schema the rest of the run fuzzes (a confirm
                # equal to its slug is one generated string away): tests/api/test_api_lifecycle.
                continue
            counts["operations"] += 1

            # The schema document itself is slow to build and takes no input: once is enough.
            examples = 1 if operation.path == "/api/schema/" else EXAMPLES

            @given(case=operation.as_strategy())
            @hsettings(max_examples=examples, deadline=None, database=None,
                       phases=[Phase.explicit, Phase.generate],
                       suppress_health_check=list(HealthCheck))
            def run(case):
                if time.monotonic() - started > FUZZ_SECONDS:
                    return
                response = case.call(base_url=base_url, session=session, headers=headers)
                counts["calls"] += 1
                counts["by_status"][response.status_code] = \
                    counts["by_status"].get(response.status_code, 0) + 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            op_started = time.monotonic()
            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # report them all at the end
                failures.append(f"{operation.method.upper()} {operation.path}: "
                                f"{str(exc)[:3000]}")
            slow.append((time.monotonic() - op_started, f"{operation.method} {operation.path}"))
    after_b = _state_of(tenant_b)
    statuses = dict(sorted(counts["by_status"].items()))
    print(f"fuzz: {counts['operations']} of {len(ops)} operations (token operations: "
          f"test_api_auth; the webhook test posts outside; business deletion: "
          f"test_api_lifecycle), {counts['calls']} calls in "
          f"{time.monotonic() - started:.0f}s, statuses {statuses}, "
          f"{len(failures)} failing operations")
    assert counts["calls"] > 0
    print("slowest:", [(round(t, 1), name) for t, name in sorted(slow)[-5:]])
    for failure in failures:
        print("FAILURE", failure)
    assert 500 not in counts["by_status"], failures
    assert not failures, "\n\n".join(failures)
    assert after_b == before_b, "the fuzz run changed business B's data"
