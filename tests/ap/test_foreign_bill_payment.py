"""'Record as paid' for a bill in another currency (DESIGN §4b; QBO facts §12): the amount is in
the bill's currency, the payment carries its CurrencyRef and today's ExchangeRate to QBO, the
home amount is recorded, and QBO (the sandbox) lowers the bill in euros and the home bank by the
home amount. A bank in a third currency is refused before anything is written."""

import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.accounts.models import Role
from apps.ap.models import Bill, BillEvent, BillPayment
from apps.ap.services import BillError, bill_pay_now
from apps.bank.models import Account
from apps.core.dates import local_today
from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import NOTE_PREFIX, action_execute
from apps.ledger.models import ExchangeRate
from tests.factories import AccountFactory, make_member
from tests.integrations.sync.qbo_company import sandbox_rows, start
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db
COMPANY = Path(__file__).parents[1] / "runway" / "real_books_company"  # bill 503: 1,000 EUR
LIMIT = Decimal("1000.00")
CENT = Decimal("0.01")


@pytest.fixture(autouse=True, scope="module")
def _memory_broker(memory_broker):
    yield


@pytest.fixture
def sb(tmp_path):
    shutil.copytree(COMPANY, tmp_path / "co")
    handle = start(tmp_path / "co")
    yield handle
    handle.stop()


@pytest.fixture
def business(sb, tenant_a, settings):
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.01, 0.05
    call_command("connect_qbo", "alpha", "--sandbox", sb.base_url, stdout=StringIO())
    return tenant_a


def qbo(sb, entity, key):
    return next(r for r in sandbox_rows(sb, entity) if r["Id"] == key)


def pay(business, account_qbo_id, amount, key):
    owner = make_member(business, Role.OWNER)
    with in_tenant(business):
        return bill_pay_now(actor=owner, bill=Bill.objects.get(qbo_id="503"),
                            account=Account.objects.get(qbo_id=account_qbo_id),
                            idempotency_key=key, approval_limit=LIMIT, amount=amount)


def test_a_euro_bill_paid_from_the_dollar_account_at_todays_rate(business, sb):
    with in_tenant(business):
        today = local_today(business.timezone)
        rate = ExchangeRate.objects.current("EUR", today).rate  # QBO's latest on or before
    home = (Decimal("400.00") * rate).quantize(CENT)
    action = pay(business, "35", "400.00", "fx-1")
    assert action.payload["amount"] == "400.00"  # the bill's currency
    assert (action.payload["currency"], Decimal(action.payload["exchange_rate"]),
            action.payload["home_amount"]) == ("EUR", rate, str(home))

    action = action_execute(action)
    assert action.state == Action.State.SUCCEEDED, action.error
    [written] = [r for r in sandbox_rows(sb, "BillPayment")
                 if r.get("PrivateNote") == f"{NOTE_PREFIX}{action.key}"]
    assert written["CurrencyRef"] == {"value": "EUR"} and written["TotalAmt"] == 400
    assert Decimal(str(written["ExchangeRate"])) == rate
    # QBO's books: the bill is 400 EUR lower, Checking lower by the dollars it took.
    assert qbo(sb, "Bill", "503")["Balance"] == 600
    assert Decimal(str(qbo(sb, "Account", "35")["CurrentBalance"])) == Decimal("60000") - home
    assert Decimal(str(qbo(sb, "Account", "37")["CurrentBalance"])) == Decimal("10000")

    with in_tenant(business):  # ours, from QBO's answer (no sync needed)
        bill = Bill.objects.get(qbo_id="503")
        assert bill.balance == Decimal("600.00") and bill.currency == "EUR"
        stored = BillPayment.objects.get(qbo_id=written["Id"])
        assert (stored.currency, stored.exchange_rate, stored.total, stored.home_total) == (
            "EUR", rate, Decimal("400.00"), home)
        event = BillEvent.objects.get(bill=bill, kind="payment_requested")
        assert (event.detail["currency"], event.detail["home_amount"]) == ("EUR", str(home))
    audit = AuditEvent.objects.get(action="bill.pay_now", object_id=str(bill.pk))
    assert audit.after["exchange_rate"] == str(rate) and audit.after["home_amount"] == str(home)


def test_a_euro_bill_paid_from_the_euro_account_moves_euros(business, sb):
    action = action_execute(pay(business, "37", "250.00", "fx-2"))
    assert action.state == Action.State.SUCCEEDED, action.error
    assert qbo(sb, "Bill", "503")["Balance"] == 750
    assert Decimal(str(qbo(sb, "Account", "37")["CurrentBalance"])) == Decimal("9750")
    assert Decimal(str(qbo(sb, "Account", "35")["CurrentBalance"])) == Decimal("60000")


def test_a_bank_in_a_third_currency_is_refused_and_nothing_is_written(business, sb):
    with in_tenant(business):
        AccountFactory(qbo_id="38", name="Loonie", currency="CAD")
    with pytest.raises(BillError, match="EUR bill is paid from a USD or EUR account, not CAD"):
        pay(business, "38", "100.00", "fx-3")
    assert not Action.objects.filter(business=business).exists()
    assert qbo(sb, "Bill", "503")["Balance"] == 1000


def test_a_home_currency_bill_carries_no_currency(business, sb):
    owner = make_member(business, Role.OWNER)
    with in_tenant(business):
        action = bill_pay_now(actor=owner, bill=Bill.objects.get(qbo_id="501"),
                              account=Account.objects.get(qbo_id="35"), idempotency_key="fx-4",
                              approval_limit=LIMIT)
    assert "currency" not in action.payload
    action = action_execute(action)
    [written] = [r for r in sandbox_rows(sb, "BillPayment")
                 if r.get("PrivateNote") == f"{NOTE_PREFIX}{action.key}"]
    assert "CurrencyRef" not in written and "ExchangeRate" not in written
