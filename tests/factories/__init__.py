"""factory-boy factories for the suite's rows. Tenant rows take `business=` (created in that
business's schema) or go to the schema the test is in; see `base.py`."""

from .accounts import MembershipFactory, UserFactory, make_member
from .ap import (
    BillFactory,
    BillPaymentFactory,
    DocumentFactory,
    VendorCreditFactory,
    VendorFactory,
)
from .ar import CreditMemoFactory, CustomerFactory, InvoiceFactory, PaymentFactory
from .bank import (
    AccountFactory,
    BankTransactionFactory,
    DepositFactory,
    FeedAccountFactory,
    PurchaseFactory,
    TransferFactory,
)
from .base import REALM, QboSyncedFactory, TenantFactory, next_qbo_id
from .reserves import ReserveEntryFactory, ReserveFactory
from .sync import ActionFactory, PlaidItemFactory, QboConnectionFactory, SyncRunFactory
from .tray import TrayItemFactory

__all__ = [
    "REALM", "AccountFactory", "ActionFactory", "PlaidItemFactory", "QboConnectionFactory",
    "SyncRunFactory", "BankTransactionFactory", "BillFactory", "BillPaymentFactory",
    "CreditMemoFactory", "CustomerFactory", "DepositFactory", "FeedAccountFactory",
    "InvoiceFactory", "MembershipFactory", "PaymentFactory", "PurchaseFactory",
    "QboSyncedFactory", "ReserveEntryFactory", "ReserveFactory", "TenantFactory",
    "TransferFactory", "TrayItemFactory", "UserFactory", "VendorCreditFactory", "VendorFactory",
    "DocumentFactory", "make_member", "next_qbo_id",
]
