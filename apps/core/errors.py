"""One ApplicationError family with codes clients can branch on, and one DRF exception handler."""


class ApplicationError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status  # a one-off answer (413) needs no class of its own
        self.extra = extra or {}


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class Conflict(ApplicationError):
    code = "conflict"
    status = 409


def api_exception_handler(exc, context):
    """Every API error has one shape: `{"error": {"code", "message", ...}}`. DRF's own errors
    (validation, authentication, throttling) keep their status and headers (`Retry-After`,
    `WWW-Authenticate`); validation errors list the offending fields under `fields`."""
    # Imported here: DRF's views module loads the authentication classes, which use this module.
    from rest_framework.response import Response
    from rest_framework.views import exception_handler

    if isinstance(exc, ApplicationError):
        body = {"error": {"code": exc.code, "message": exc.message, **exc.extra}}
        return Response(body, status=exc.status)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        error = {"code": getattr(data["detail"], "code", code), "message": str(data["detail"])}
    else:
        error = {"code": "invalid", "message": "Some fields are not valid.", "fields": data}
    if getattr(exc, "wait", None) is not None:
        error["retry_after"] = int(exc.wait + 0.999)
    response.data = {"error": error}
    return response
