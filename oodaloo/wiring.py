"""The wiring: every place a lower layer calls code above it, in one list, in the order it runs
(docs/architecture.md, "Wiring order").

Lower layers name hook points (``apps/core/hooks.py``) and call whatever is plugged there; they
never import the apps above. This module is the only place that plugs, and ``install()`` runs
once, from ``oodaloo.apps.WiringConfig.ready`` (last in INSTALLED_APPS), so the order below is
the order things run in — not the order of INSTALLED_APPS.

To add a tray cause: write ``source(ctx) -> list[TrayCause]`` and its ``TrayKind`` in the app
that owns the data (``apps/<app>/tray_causes.py``, contract in ``apps/core/tray_causes.py``),
give the kind a tier in ``apps/tray/services.py`` and add both to the lists below.
"""

from __future__ import annotations

from anymail.signals import tracking

from apps.accounts.leaving import MEMBER_LEFT
from apps.alerts.receivers import on_tracking as on_alert_tracking
from apps.alerts.services import alerts_after_sync
from apps.ap import ingest as ap_ingest
from apps.ap import movements as ap_movements
from apps.ap import payment_outbox, vendor_credits
from apps.ap import tray_causes as ap_tray
from apps.ap.documents import decisions as document_decisions
from apps.ap.documents import qbo_bill
from apps.ap.documents import services as documents
from apps.api.keys import api_keys_member_left
from apps.ar import credits, invoice_send, overpayments
from apps.ar import ingest as ar_ingest
from apps.ar import movements as ar_movements
from apps.ar import tray_causes as ar_tray
from apps.automation.causes import AUTOMATION_HELD, automation_tray_causes
from apps.bank import ingest as bank_ingest
from apps.bank import movements as bank_movements
from apps.bank.selectors import BANK_LINK, BANK_UNMATCHED, bank_tray_source
from apps.bank.services.feed_items import FEED_CHANGED
from apps.bank.services.feed_sync import feed_sync_command_run
from apps.bank.tasks import feed_sync_enqueue
from apps.core import hooks
from apps.core.tray_causes import TRAY_CAUSES, TRAY_KINDS
from apps.digest.receivers import on_tracking
from apps.integrations.sync import outbox, sinks
from apps.integrations.sync import tray_causes as connection_tray
from apps.integrations.sync.management.commands.sync import PLAID_SYNC_RUN
from apps.integrations.sync.tasks import PLAID_FEED_SYNC
from apps.ledger import ingest as ledger_ingest
from apps.ledger.credit_sources import CREDIT_APPLY
from apps.ledger.movements import MOVEMENT_SOURCE
from apps.reserves.tray_causes import RESERVE_FUND, reserve_causes
from apps.review.services import review_task_sync
from apps.runway import tray_causes as runway_tray
from apps.tray.services import tray_after_feed, tray_after_sync

# 1. Sync sinks: where each synced QBO entity goes (one per entity; the sync engine fetches
#    entities in its own order, see apps/integrations/sync/qbo_sync.py).
SYNC_SINKS = [
    ("Account", ledger_ingest.accounts_ingest),
    ("ExchangeRate", ledger_ingest.exchange_rates_ingest),
    ("CompanyCurrency", ledger_ingest.company_currencies_ingest),
    ("Class", ledger_ingest.classes_ingest),
    ("Department", ledger_ingest.departments_ingest),
    ("Employee", ledger_ingest.employees_ingest),
    ("Vendor", ap_ingest.vendors_ingest),
    ("Bill", ap_ingest.bills_ingest),
    ("BillPayment", ap_ingest.bill_payments_ingest),
    ("VendorCredit", ap_ingest.vendor_credits_ingest),
    ("Customer", ar_ingest.customers_ingest),
    ("Invoice", ar_ingest.invoices_ingest),
    ("Payment", ar_ingest.payments_ingest),
    ("CreditMemo", ar_ingest.credit_memos_ingest),
    ("SalesReceipt", ar_ingest.sales_receipts_ingest),
    ("RefundReceipt", ar_ingest.refund_receipts_ingest),
    ("Purchase", bank_ingest.purchases_ingest),
    ("Deposit", bank_ingest.deposits_ingest),
    ("Transfer", bank_ingest.transfers_ingest),
    ("CreditCardPayment", bank_ingest.credit_card_payments_ingest),
    ("JournalEntry", bank_ingest.journal_entries_ingest),
]

# 2. After-sync finalisers, in this order: derived fields first (bill status, invoice paid
#    date), then the tray (which reads them) and the public summary row.
SYNC_FINALISERS = [
    ap_ingest.bills_finalise,
    ar_ingest.invoices_finalise,
    tray_after_sync,
    alerts_after_sync,  # owner alerts evaluated on the fresh books (a task)
]

# 3. Outbox kinds, each owned by the domain that writes it: (send, find) per kind.
OUTBOX_KINDS = [
    (payment_outbox.KIND, payment_outbox.bill_payment_send, payment_outbox.bill_payment_find),
    (invoice_send.KIND, invoice_send.invoice_send, invoice_send.invoice_find),
    (qbo_bill.KIND, qbo_bill.bill_create_send, qbo_bill.bill_create_find),
    (vendor_credits.KIND, vendor_credits.vendor_credit_send, vendor_credits.vendor_credit_find),
    (credits.KIND, credits.credit_apply_send, credits.credit_apply_find),
    (overpayments.KIND, overpayments.overpayment_apply_send, overpayments.overpayment_apply_find),
]

# 4. After-action hooks: what a domain does once its write to QBO succeeded (re-read the row).
AFTER_ACTIONS = [
    (payment_outbox.KIND, ap_ingest.bill_payment_after_action),
    (invoice_send.KIND, ar_ingest.invoice_send_after_action),
    (qbo_bill.KIND, qbo_bill.bill_create_after),
    (vendor_credits.KIND, vendor_credits.vendor_credit_after),
    (credits.KIND, credits.credit_apply_after),
    (overpayments.KIND, overpayments.overpayment_apply_after),
]

#    After-failure hooks: what a domain undoes once QBO refused its write for good (`failed`).
AFTER_FAILURES = [
    (qbo_bill.KIND, document_decisions.bill_create_failed),  # placeholder out, back to staff
]

# 5. Tray kinds, each declared beside the source that raises it: TrayItem.kind's choices, in
#    this order.
TRAY_ITEM_KINDS = [
    connection_tray.CONNECTION, ap_tray.BILL_APPROVE, ap_tray.BILL_PAY, ar_tray.INVOICE_CHASE,
    CREDIT_APPLY, RESERVE_FUND, runway_tray.SERIES_CONFIRM, BANK_UNMATCHED, BANK_LINK,
    runway_tray.CURRENCY_RATE, ar_tray.CONTACT_FIX, AUTOMATION_HELD,
]

#    Tray cause sources, in order (the tray ranks by tier and score; this order only decides
#    which source runs first).
TRAY_CAUSE_SOURCES = [
    connection_tray.connection_causes,
    ap_tray.bill_causes,
    ar_tray.invoice_causes,
    ar_tray.credit_causes,
    reserve_causes,
    runway_tray.series_causes,
    bank_tray_source,
    ap_tray.vendor_credit_causes,
    runway_tray.rate_missing_causes,
    ar_tray.contact_causes,
    automation_tray_causes,  # a rule held actions back: the owner decides (apps/automation)
]

# 6. Movement sources for bank reconciliation: each app's QBO records that moved money through
#    an account (the order does not matter: matching sorts its candidates on a full key).
MOVEMENT_SOURCES = [
    ap_movements.bill_payment_movements,
    ar_movements.payment_movements,
    bank_movements.deposit_movements,
    bank_movements.purchase_movements,
    bank_movements.transfer_movements,
    bank_movements.journal_entry_movements,  # payroll booked as journal entries (DESIGN §4b)
    bank_movements.card_payment_movements,
]

# 7. Other hooks: a lower layer's single call upward each.
HOOKS = [
    (documents.QUEUE_LISTENER, review_task_sync),  # documents → the staff review queue
    (PLAID_FEED_SYNC, feed_sync_enqueue),  # the sync dispatcher → the bank's feed sync task
    (PLAID_SYNC_RUN, feed_sync_command_run),  # `manage.py sync --source plaid`
    (FEED_CHANGED, tray_after_feed),  # a feed sync or a link → the tray (its burn, bank items)
    (MEMBER_LEFT, api_keys_member_left),  # someone left a business → their API keys there end
]

# 8. Signals of third-party code: anymail's delivery tracking → reminders, the digest, alerts.
SIGNALS = [
    (tracking, on_tracking, "digest-tracking"),
    (tracking, on_alert_tracking, "alerts-tracking"),
]

# The public summary row's sources stay in settings.BUSINESS_SUMMARY_SOURCES (an ordered list
# of dotted paths, overridable in tests), read by apps/tenancy/summary.py.


def install() -> None:
    """Plug everything above. Idempotent (the same value is plugged once)."""
    for entity, sink in SYNC_SINKS:
        hooks.plug(sinks.SINK, sink, key=entity, replace=True)
    for finaliser in SYNC_FINALISERS:
        hooks.plug(sinks.FINALISER, finaliser)
    for kind, send, find in OUTBOX_KINDS:
        hooks.plug(outbox.KIND, (send, find), key=kind, replace=True)
    for kind, after in AFTER_ACTIONS:
        hooks.plug(sinks.AFTER_ACTION, after, key=kind)
    for kind, after in AFTER_FAILURES:
        hooks.plug(sinks.AFTER_FAILURE, after, key=kind)
    for kind in TRAY_ITEM_KINDS:
        hooks.plug(TRAY_KINDS, kind)
    for source in TRAY_CAUSE_SOURCES:
        hooks.plug(TRAY_CAUSES, source)
    for source in MOVEMENT_SOURCES:
        hooks.plug(MOVEMENT_SOURCE, source)
    for point, value in HOOKS:
        hooks.plug(point, value)
    for signal, receiver, uid in SIGNALS:
        signal.connect(receiver, dispatch_uid=uid)
