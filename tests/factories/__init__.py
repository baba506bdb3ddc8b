"""factory-boy factories for the suite's rows, one module per area. Tenant rows take
`business=` (created in that business's schema) or go to the schema the test is in; public rows
that belong to a business take it as their `business` field. See `base.py`;
`tests/core/test_factories.py` checks every concrete model has a factory."""

from .accounts import MembershipFactory, TOTPDeviceFactory, UserFactory, make_member
from .ap import (
    BillEventFactory,
    BillFactory,
    BillPaymentCreditLineFactory,
    BillPaymentFactory,
    BillPaymentLineFactory,
    VendorCreditFactory,
    VendorCreditLineFactory,
    VendorFactory,
)
from .ar import (
    CreditMemoFactory,
    CustomerFactory,
    InvoiceFactory,
    PaymentFactory,
    PaymentLineFactory,
    RefundReceiptFactory,
    SalesReceiptFactory,
)
from .automation import (
    AlertDeliveryFactory,
    AlertFactory,
    AlertSettingsFactory,
    RuleActionFactory,
    RuleFactory,
)
from .bank import (
    AccountFactory,
    BankTransactionFactory,
    CreditCardPaymentFactory,
    DepositFactory,
    FeedAccountFactory,
    JournalEntryFactory,
    JournalEntryLineFactory,
    PurchaseFactory,
    PurchaseLineFactory,
    TransferFactory,
)
from .base import REALM, QboSyncedFactory, SingletonFactory, TenantFactory, next_qbo_id
from .collections import (
    CollectionsSettingsFactory,
    CustomerRemindersFactory,
    ReminderContactFactory,
    ReminderDeliveryFactory,
    ReminderEmailFactory,
    ReminderEventFactory,
    ReminderSendFactory,
    ReminderSequenceFactory,
    ReminderStepFactory,
    ReminderTickFactory,
)
from .digest import DigestDeliveryFactory, DigestEventFactory, DigestRunFactory
from .documents import (
    DocumentEventFactory,
    DocumentFactory,
    InboundSenderFactory,
    RejectedEmailFactory,
)
from .ledger import (
    ClassFactory,
    CompanyCurrencyFactory,
    DepartmentFactory,
    EmployeeFactory,
    ExchangeRateFactory,
)
from .public import (
    AuditEventFactory,
    FirmClientFactory,
    FirmDigestSendFactory,
    FirmFactory,
    FirmInvitationFactory,
    FirmMemberFactory,
    InvitationFactory,
    JobRunFactory,
    ReviewTaskFactory,
    SupportSessionFactory,
)
from .reserves import ReserveEntryFactory, ReserveFactory
from .runway import ForecastSnapshotFactory, RecurringSeriesOverrideFactory
from .settings import ApiKeyFactory, BusinessSettingsFactory
from .sync import (
    ActionFactory,
    PlaidItemFactory,
    QboConnectionFactory,
    QuarantinedRecordFactory,
    SyncRunFactory,
)
from .tenancy import BusinessFactory, BusinessSummaryFactory, DomainFactory
from .tray import TrayItemFactory

__all__ = [
    "AlertDeliveryFactory", "AlertFactory", "AlertSettingsFactory", "RuleActionFactory",
    "RuleFactory",
    "AccountFactory", "ActionFactory", "ApiKeyFactory", "AuditEventFactory",
    "BankTransactionFactory", "BillEventFactory", "BillFactory", "BillPaymentCreditLineFactory",
    "BillPaymentFactory", "BillPaymentLineFactory", "BusinessFactory", "BusinessSettingsFactory",
    "BusinessSummaryFactory", "ClassFactory", "CollectionsSettingsFactory",
    "CompanyCurrencyFactory", "CreditCardPaymentFactory", "CreditMemoFactory", "CustomerFactory",
    "CustomerRemindersFactory", "DepartmentFactory", "DepositFactory", "DigestDeliveryFactory",
    "DigestEventFactory", "DigestRunFactory", "DocumentEventFactory", "DocumentFactory",
    "DomainFactory", "EmployeeFactory", "ExchangeRateFactory", "FeedAccountFactory",
    "FirmClientFactory", "FirmDigestSendFactory", "FirmFactory", "FirmInvitationFactory",
    "FirmMemberFactory", "ForecastSnapshotFactory", "InboundSenderFactory", "InvitationFactory",
    "InvoiceFactory", "JobRunFactory", "JournalEntryFactory", "JournalEntryLineFactory",
    "MembershipFactory", "PaymentFactory", "PaymentLineFactory", "PlaidItemFactory",
    "PurchaseFactory", "PurchaseLineFactory", "QboConnectionFactory", "QboSyncedFactory",
    "QuarantinedRecordFactory", "REALM", "RecurringSeriesOverrideFactory", "RefundReceiptFactory",
    "RejectedEmailFactory", "ReminderContactFactory", "ReminderDeliveryFactory",
    "ReminderEmailFactory", "ReminderEventFactory", "ReminderSendFactory",
    "ReminderSequenceFactory", "ReminderStepFactory", "ReminderTickFactory", "ReserveEntryFactory",
    "ReserveFactory", "ReviewTaskFactory", "SalesReceiptFactory", "SingletonFactory",
    "SupportSessionFactory", "SyncRunFactory", "TOTPDeviceFactory", "TenantFactory",
    "TransferFactory",
    "TrayItemFactory", "UserFactory", "VendorCreditFactory", "VendorCreditLineFactory",
    "VendorFactory", "make_member", "next_qbo_id",
]
