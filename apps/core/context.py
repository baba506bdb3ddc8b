"""Request/task context (business schema, request id) shared by logging and audit."""

import contextvars

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
business_var: contextvars.ContextVar[str] = contextvars.ContextVar("business", default="public")
client_ip_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_ip", default=None
)
