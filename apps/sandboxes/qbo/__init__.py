"""QBO sandbox: a local stand-in for QuickBooks Online's v3 API and OAuth2 (see
docs/qbo-sandbox.md). Pure Python, no Django."""

from .errors import QboFault, SandboxLoadError
from .faults import FaultSpec, parse_fault_spec
from .process import SandboxProcess, start_sandbox_process
from .server import SandboxHandle, start_sandbox
from .webhooks import build_payload, sign_webhook_body

__all__ = [
    "FaultSpec",
    "QboFault",
    "SandboxHandle",
    "SandboxLoadError",
    "SandboxProcess",
    "build_payload",
    "parse_fault_spec",
    "sign_webhook_body",
    "start_sandbox",
    "start_sandbox_process",
]
