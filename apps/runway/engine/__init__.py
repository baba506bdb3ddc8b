"""Oodaloo's pure runway engine (DESIGN §4). No Django here: plain frozen dataclasses in, plain
frozen dataclasses (and a JSON-ready dict) out. See docs/runway.md."""

from .accuracy import Accuracy, PredictedClose, forecast_accuracy, snapshot
from .aging import Aging, bucket_of
from .compute import compute_runway, history_facts, runway_days
from .forecast import Flag, Forecast, LowPoint, Week
from .habits import CustomerHabit
from .impact import (
    ApplyCredit,
    CollectInvoice,
    Decision,
    DecisionError,
    DelayBill,
    ExpectInvoice,
    FundReserve,
    Impact,
    PayBillNow,
    ReleaseReserve,
    ScheduleBill,
    apply_decision,
    apply_scenario,
    forecast_scenario,
    impact,
    inverse,
)
from .inputs import (
    BankAccountBalance,
    CashAdjustment,
    CashMovement,
    IssuedDocument,
    OpenBill,
    OpenInvoice,
    PaidInvoice,
    Reserve,
    RunwayInputs,
    SeriesOverride,
)
from .recurring import RecurringSeries
from .result import HistoryFacts, RunwayResult, to_json

__all__ = [
    "Accuracy",
    "Aging",
    "ApplyCredit",
    "BankAccountBalance",
    "CashAdjustment",
    "CashMovement",
    "CollectInvoice",
    "CustomerHabit",
    "Decision",
    "DecisionError",
    "DelayBill",
    "ExpectInvoice",
    "Flag",
    "Forecast",
    "FundReserve",
    "HistoryFacts",
    "Impact",
    "IssuedDocument",
    "LowPoint",
    "OpenBill",
    "OpenInvoice",
    "PaidInvoice",
    "PayBillNow",
    "PredictedClose",
    "RecurringSeries",
    "ReleaseReserve",
    "Reserve",
    "RunwayInputs",
    "RunwayResult",
    "ScheduleBill",
    "SeriesOverride",
    "Week",
    "apply_decision",
    "apply_scenario",
    "bucket_of",
    "compute_runway",
    "forecast_accuracy",
    "forecast_scenario",
    "history_facts",
    "impact",
    "inverse",
    "runway_days",
    "snapshot",
    "to_json",
]
