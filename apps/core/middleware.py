"""Puts the business schema, request id and client IP (resolved through trusted proxies only)
into context for logs and audit entries."""

import re
import uuid

from django.db import connection

from apps.core.client_ip import client_ip
from apps.core.context import business_var, client_ip_var, request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        tokens = (
            request_id_var.set(request_id),
            business_var.set(getattr(connection, "schema_name", "public")),
            client_ip_var.set(client_ip(request)),
        )
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(tokens[0])
            business_var.reset(tokens[1])
            client_ip_var.reset(tokens[2])
        response["X-Request-ID"] = request_id
        return response
