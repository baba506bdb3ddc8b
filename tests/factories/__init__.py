"""factory-boy factories for the suite's rows. Tenant rows take `business=` (created in that
business's schema) or go to the schema the test is in; see `base.py`."""

from .accounts import MembershipFactory, UserFactory, make_member
from .ap import BillFactory, BillPaymentFactory, VendorFactory
from .ar import CreditMemoFactory, CustomerFactory, InvoiceFactory
from .bank import AccountFactory
from .base import REALM, QboSyncedFactory, TenantFactory, next_qbo_id
from .reserves import ReserveFactory

__all__ = [
    "REALM", "AccountFactory", "BillFactory", "BillPaymentFactory", "CreditMemoFactory",
    "CustomerFactory", "InvoiceFactory", "MembershipFactory", "QboSyncedFactory",
    "ReserveFactory", "TenantFactory", "UserFactory", "VendorFactory", "make_member", "next_qbo_id",
]
