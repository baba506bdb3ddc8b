"""Plaid sandbox server: a real HTTP server speaking Plaid's wire format over a bank directory.

Pure Python (no Django). See docs/plaid.md.
"""

from .bank import Bank, BankDataError, BankLoadError
from .control import SandboxControl, SandboxControlError
from .faults import FaultSettings, FaultSpecError, parse_spec
from .server import SandboxHandle, start_sandbox

__all__ = [
    "Bank",
    "BankDataError",
    "BankLoadError",
    "FaultSettings",
    "FaultSpecError",
    "SandboxControl",
    "SandboxControlError",
    "SandboxHandle",
    "parse_spec",
    "start_sandbox",
]
