"""Writes of the QBO client: create/update/delete/void, batches, attachments and invoice
sending. Every one carries a requestid (idempotency key) and is retried with the same key."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import requests

from .errors import QboError, TransportError, error_from_response
from .transport import QboTransport
from .wire import BATCH_LIMIT, BATCH_REQUEST_ID_MAX, VOID_BY_UPDATE, dumps


class QboWrites(QboTransport):
    # --- writes -------------------------------------------------------------------------------

    def create(self, entity: str, payload: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        data = self._write(entity.lower(), payload, op="create", request_id=request_id)
        return self._entity_from(data, entity)

    def update(
        self,
        entity: str,
        payload: dict[str, Any],
        *,
        request_id: str,
        sparse: bool = True,
    ) -> dict[str, Any]:
        """Update by Id + SyncToken. Sparse (the default) changes only the fields sent."""
        if "Id" not in payload or "SyncToken" not in payload:
            raise ValueError("update needs Id and SyncToken in the payload")
        body = dict(payload, sparse=True) if sparse else dict(payload)
        if not sparse:
            body.pop("sparse", None)
        data = self._write(
            entity.lower(),
            body,
            op="update",
            request_id=request_id,
            params={"operation": "update"},
        )
        return self._entity_from(data, entity)

    def delete(
        self, entity: str, qbo_id: str, sync_token: str, *, request_id: str
    ) -> dict[str, Any]:
        data = self._write(
            entity.lower(),
            {"Id": str(qbo_id), "SyncToken": str(sync_token)},
            op="delete",
            request_id=request_id,
            params={"operation": "delete"},
        )
        return self._entity_from(data, entity)

    def void(self, entity: str, qbo_id: str, sync_token: str, *, request_id: str) -> dict[str, Any]:
        """Void a transaction in the form Intuit documents for its entity: Payment and
        BillPayment are a sparse ``operation=update&include=void``; Invoice, SalesReceipt …
        use ``operation=void``."""
        body: dict[str, Any] = {"Id": str(qbo_id), "SyncToken": str(sync_token)}
        if entity.lower() in VOID_BY_UPDATE:
            params = {"operation": "update", "include": "void"}
            body["sparse"] = True
        else:
            params = {"operation": "void"}
        data = self._write(entity.lower(), body, op="void", request_id=request_id, params=params)
        return self._entity_from(data, entity)

    def batch(
        self, items: Iterable[dict[str, Any]], *, request_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Send BatchItemRequest items, ``BATCH_LIMIT`` per request; answers in input order.

        Items without ``bId`` get one. Each chunk is a write with its own requestid
        (``<request_id>-<n>``, ≤ 36 chars as QBO requires), so a retried chunk is not applied
        twice. A per-item failure comes back as an item with ``Fault``: see ``batch_item_error``.
        """
        items = [dict(item) for item in items]
        prefix = request_id or uuid.uuid4().hex[:30]
        results: list[dict[str, Any]] = []
        for n, start in enumerate(range(0, len(items), BATCH_LIMIT)):
            chunk = items[start : start + BATCH_LIMIT]
            for i, item in enumerate(chunk):
                item.setdefault("bId", f"b{start + i}")
            chunk_id = f"{prefix}-{n}"
            if len(chunk_id) > BATCH_REQUEST_ID_MAX:
                raise ValueError(f"batch request_id must leave room for '-{n}' within 36 chars")
            data = self._write(
                "batch", {"BatchItemRequest": chunk}, op="batch", request_id=chunk_id
            )
            by_bid = {str(r.get("bId")): r for r in data.get("BatchItemResponse") or []}
            for item in chunk:
                results.append(by_bid.get(str(item["bId"]), {"bId": item["bId"], "missing": True}))
        return results

    # --- attachments --------------------------------------------------------------------------

    def upload_attachment(
        self,
        *,
        entity: str,
        entity_id: str,
        filename: str,
        content_type: str,
        data: bytes,
        request_id: str,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Upload a file and link it to ``entity``/``entity_id`` (``POST upload``, multipart).

        Retried like every write with the same requestid (the body, boundary included, is built
        once). QBO answers per file, batch-style: a file it refused raises the typed error of
        that item's Fault. Returns the ``Attachable`` (Id, FileName, Size, TempDownloadUri...).
        """
        metadata: dict[str, Any] = {
            "AttachableRef": [
                {"EntityRef": {"type": entity, "value": str(entity_id)}, "IncludeOnSend": False}
            ],
            "FileName": filename,
            "ContentType": content_type,
        }
        if note:
            metadata["Note"] = note
        body, multipart_type = _multipart(
            [
                ("file_metadata_0", None, "application/json", dumps(metadata)),
                ("file_content_0", filename, content_type, data),
            ]
        )
        resp = self._request(
            "POST",
            "upload",
            op="upload",
            raw_body=body,
            content_type=multipart_type,
            write=True,
            request_id=request_id,
        )
        items = self._json(resp).get("AttachableResponse") or []
        item = items[0] if items and isinstance(items[0], dict) else {}
        if "Fault" in item:
            raise error_from_response(400, {"Fault": item["Fault"]}, dict(resp.headers))
        if not isinstance(item.get("Attachable"), dict):
            raise QboError(f"upload response has no Attachable: {resp.content[:200]!r}")
        return item["Attachable"]

    def attachment_url(self, attachable_id: str) -> str:
        """A fresh temporary download URL for an uploaded file (``GET download/{id}``)."""
        resp = self._request("GET", f"download/{attachable_id}", op="download")
        text = resp.content.decode("utf-8", "replace").strip()
        if text.startswith("{"):
            return str(self._json(resp).get("TempDownloadUri") or "")
        return text.strip('"')  # QBO answers the URL as plain text

    def download_attachment(self, attachable_id: str) -> bytes:
        """The bytes of an uploaded file (through its temporary URL, which needs no token)."""
        url = self.attachment_url(attachable_id)
        if not url:
            raise QboError(f"no download URL for Attachable {attachable_id}")
        try:
            resp = self.session.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code != 200:
            raise QboError(
                f"download of Attachable {attachable_id}: HTTP {resp.status_code}",
                status=resp.status_code,
            )
        return resp.content

    # --- invoices -----------------------------------------------------------------------------

    def send_invoice(
        self, qbo_id: str, *, send_to: str | None = None, request_id: str
    ) -> dict[str, Any]:
        params = {"sendTo": send_to} if send_to else None
        resp = self._request(
            "POST",
            f"invoice/{qbo_id}/send",
            op="send",
            params=params,
            write=True,
            request_id=request_id,
            content_type="application/octet-stream",
            raw_body=b"",
        )
        return self._entity_from(self._json(resp), "Invoice")

    def invoice_pdf(self, qbo_id: str) -> bytes:
        resp = self._request("GET", f"invoice/{qbo_id}/pdf", op="pdf", accept="application/pdf")
        return resp.content


def _multipart(parts: list[tuple[str, str | None, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body from (name, filename, content type, bytes) parts."""
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            # Browsers' escaping (HTML spec): quotes and line breaks never end the header.
            safe = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
            disposition += f'; filename="{safe}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        head += f"Content-Type: {content_type}\r\n\r\n"
        chunks += [head.encode("utf-8"), data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
