"""Where document files live: under the business's prefix, on the `documents` storage.

`STORAGES["documents"]` may name an S3 backend (django-storages) in production; without it the
default storage (MEDIA_ROOT on disk) is used. Files are never served by URL from the storage:
only through the authorised views (portal owner, staff queue).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.utils import timezone


def documents_storage():
    if "documents" in getattr(settings, "STORAGES", {}):
        return storages["documents"]
    return default_storage


def document_upload_to(instance, filename: str) -> str:
    # The stored name never reuses the sender's file name (it is kept in `original_name`).
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return (
        f"businesses/{connection.schema_name}/documents/{timezone.now():%Y/%m}/"
        f"{uuid.uuid4().hex}.{ext}"
    )
