"""Attachment uploads (`POST upload`, multipart) and their bytes: parsing, checks, file store.

QBO takes `file_metadata_<n>` (a JSON `Attachable`) and `file_content_<n>` (the bytes) pairs and
answers one `AttachableResponse` item per pair: `{"Attachable": {...}}` or, like a batch item,
`{"Fault": {...}}`. The bytes live in the company directory under `_attachments/<Id>` (memory
only with persist off); downloads go through a signed, short-lived URL like QBO's S3 links.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QboFault, invalid, required_missing

MAX_FILE_BYTES = 100 * 1024 * 1024  # QBO's attachment size limit
DOWNLOAD_TTL = 15 * 60  # QBO's TempDownloadUri lives ~15 minutes
FILES_DIR = "_attachments"
FILE_URL_PREFIX = "/_sandbox/files/"

# QBO's supported attachment types (ai, csv, doc(x), eps, gif, jpeg, jpg, ods, pages, pdf,
# png, rtf, tif(f), txt, xls(x), xml) by MIME type.
ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/jpg",
        "image/pjpeg",
        "image/gif",
        "image/tiff",
        "text/plain",
        "text/csv",
        "text/xml",
        "application/xml",
        "application/rtf",
        "text/rtf",
        "application/postscript",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.apple.pages",
        "application/x-iwork-pages-sffpages",
    }
)

_PART_NAME_RE = re.compile(r"^file_(metadata|content)_(\w+)$")
_PARAM_RE = re.compile(r';\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


@dataclass
class Part:
    name: str
    data: bytes
    filename: str | None = None
    content_type: str = ""


@dataclass
class UploadItem:
    """One metadata/content pair (either may be missing; the caller decides)."""

    index: str
    metadata: bytes | None = None
    content: Part | None = None
    problems: list[str] = field(default_factory=list)


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    main, _, rest = value.partition(";")
    params = {}
    for key, raw in _PARAM_RE.findall(";" + rest):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[key.lower()] = raw
    return main.strip().lower(), params


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart/form-data body (raises a 400 fault when it is not one)."""
    kind, params = _header_params(content_type or "")
    if not kind.startswith("multipart/"):
        raise QboFault(
            415,
            "2010",
            "Operation Cannot consume content type is not supported",
            f"Content type {content_type or '(none)'!r}: send multipart/form-data",
        )
    boundary = params.get("boundary")
    if not boundary:
        raise invalid("multipart body without a boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise invalid("multipart body has no parts")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.lstrip(b"\n")
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise invalid("multipart part without headers")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        _disposition, dparams = _header_params(headers.get("content-disposition", ""))
        parts.append(
            Part(
                name=dparams.get("name", ""),
                data=data,
                filename=dparams.get("filename"),
                content_type=_header_params(headers.get("content-type", ""))[0],
            )
        )
    return parts


def pair_items(parts: list[Part]) -> list[UploadItem]:
    """Group `file_metadata_<n>` / `file_content_<n>` parts by n, in the order first seen."""
    items: dict[str, UploadItem] = {}
    for part in parts:
        match = _PART_NAME_RE.match(part.name)
        if not match:
            continue
        kind, index = match.groups()
        item = items.setdefault(index, UploadItem(index))
        if kind == "metadata":
            item.metadata = part.data
        else:
            item.content = part
    if not items:
        raise required_missing("file_content_0")
    return list(items.values())


def check_file(content_type: str, size: int, max_bytes: int) -> None:
    if content_type.lower() not in ALLOWED_CONTENT_TYPES:
        raise invalid(
            f"File type {content_type!r} is not supported for attachments",
            message="Unsupported attachment type",
        )
    if size > max_bytes:
        raise invalid(
            f"The file is {size} bytes; attachments are limited to {max_bytes} bytes",
            message="Attachment size exceeds the limit",
        )


class AttachmentFiles:
    """Bytes by Attachable Id: on disk (atomic writes) or in memory; signed download URLs."""

    def __init__(self, company_dir: Path, persist: bool) -> None:
        self.directory = company_dir / FILES_DIR
        self.persist = persist
        self.memory: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self.max_bytes = MAX_FILE_BYTES
        self._secret = secrets.token_bytes(32)  # new per process: old links die on restart

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"bad attachment id {key!r}")
        return self.directory / key

    def put(self, key: str, data: bytes) -> None:
        if not self.persist:
            with self.lock:
                self.memory[key] = data
            return
        self.directory.mkdir(exist_ok=True)
        path = self._path(key)
        tmp = path.with_name(f".{key}.tmp{os.getpid()}.{threading.get_ident()}")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def get(self, key: str) -> bytes | None:
        if not self.persist:
            with self.lock:
                return self.memory.get(key)
        try:
            return self._path(key).read_bytes()
        except (OSError, ValueError):
            return None

    def exists(self, key: str) -> bool:
        if not self.persist:
            with self.lock:
                return key in self.memory
        try:
            return self._path(key).is_file()
        except ValueError:
            return False

    def remove(self, key: str) -> None:
        with self.lock:
            self.memory.pop(key, None)
        if self.persist:
            try:
                self._path(key).unlink(missing_ok=True)
            except ValueError:
                pass

    # --- temporary download links -------------------------------------------------------
    def _signature(self, key: str, expires: int) -> str:
        message = f"{key}:{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def temp_url(self, base_url: str, key: str, ttl: int = DOWNLOAD_TTL) -> str:
        expires = int(time.time()) + ttl
        signature = self._signature(key, expires)
        return f"{base_url}{FILE_URL_PREFIX}{key}?expires={expires}&signature={signature}"

    def check_link(self, key: str, expires: str, signature: str) -> str | None:
        """None when the link is valid, else why not."""
        try:
            when = int(expires)
        except ValueError:
            return "bad expiry"
        if not hmac.compare_digest(self._signature(key, when), signature or ""):
            return "bad signature"
        if when < time.time():
            return "link expired"
        return None
