"""Structured logs: one JSON object per line with the business and request id."""

import json
import logging
from datetime import UTC, datetime

from apps.core.context import business_var, request_id_var
from apps.core.redact import redact


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.business = business_var.get()
        record.request_id = request_id_var.get()
        return True


class RedactFilter(logging.Filter):
    """Masks one-time codes in any logged URL (request warnings, runserver lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "business": getattr(record, "business", business_var.get()),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)
