"""Request size is checked before the body is read (DESIGN §7 uploads).

- `RequestSizeLimitMiddleware`: a request whose Content-Length is over its path's limit gets a
  413 before any byte of the body is read (and before sessions, CSRF or the view run): a page,
  or under `/api/` the API's JSON error (`too_large`). Limits: `REQUEST_MAX_BYTES` for every
  path, raised only for the paths in `REQUEST_MAX_BYTES_BY_PATH` (bill uploads, inbound email).
- `SizeCappedUploadHandler`: the streaming cap for what Content-Length does not bound (chunked
  bodies): each uploaded file stops being read past `UPLOAD_MAX_FILE_BYTES`, the whole upload
  past the path's limit; the view finds `request.upload_refused` and says so.

Django's own DATA_UPLOAD_MAX_MEMORY_SIZE bounds a body read as a whole (webhooks, forms).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

API_PREFIX = "/api/"  # answered in the API's error shape: {"error": {"code", "message"}}


def request_limit(path: str) -> int:
    for prefix, limit in getattr(settings, "REQUEST_MAX_BYTES_BY_PATH", {}).items():
        if path.startswith(prefix):
            return int(limit)
    return int(settings.REQUEST_MAX_BYTES)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith(API_PREFIX)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            if api:
                return _api_error(400, "invalid", "Bad Content-Length.")
            return HttpResponse("Bad Content-Length.", status=400, content_type="text/plain")
        limit = request_limit(request.path)
        if length > limit:
            message = (f"This request is {length / 1048576:.1f} MB; the limit is "
                       f"{limit / 1048576:g} MB here. Please send fewer or smaller files.")
            if api:
                return _api_error(413, "too_large", message, limit_bytes=limit)
            return HttpResponse(
                f"<!doctype html><title>Too large</title><p>{escape(message)}</p>"
                f'<p><a href="{escape(request.path)}">Back</a></p>',
                status=413, content_type="text/html; charset=utf-8")
        return self.get_response(request)


def _api_error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)


class SizeCappedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts bytes as they stream in and stops the upload at
    the caps (the rest of the body is read and thrown away, so the client still gets a page)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0
        self.file_bytes = 0
        self.request_cap = request_limit(self.request.path)
        return None  # let the usual handlers do the parsing

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        self.file_bytes += len(raw_data)
        if self.file_bytes > settings.UPLOAD_MAX_FILE_BYTES or self.total > self.request_cap:
            self.request.upload_refused = (
                f"{self.file_name}: the upload was stopped at "
                f"{settings.UPLOAD_MAX_FILE_BYTES // 1048576} MB; please send a smaller file.")
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file
