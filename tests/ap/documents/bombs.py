"""Real crafted bombs (shared by the bomb tests and the security drill). Each is small on the
wire and enormous once parsed or rendered."""

from __future__ import annotations

import binascii
import io
import struct
import zlib


def _zeros_deflated(inflated_bytes: int) -> bytes:
    """A valid zlib stream of `inflated_bytes` zero bytes (a whole number of MiB), built in
    milliseconds: after a full flush the compressor emits the same segment for every MiB of
    zeros, and the Adler-32 of n zeros is (n mod 65521) << 16 | 1."""
    chunk = bytes(1024 * 1024)
    packer = zlib.compressobj(9)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    segment = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    count = max(inflated_bytes // len(chunk), 1)
    adler = ((count * len(chunk)) % 65521) << 16 | 1
    return first + segment * (count - 1) + b"\x03\x00" + struct.pack(">I", adler)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1 = catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def _one_page(media_box: bytes, content: bytes, extra: bytes = b"", filters: bytes = b"") -> bytes:
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + media_box + extra
        + b" /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), filters) + content + b"\nendstream",
    ])


def huge_mediabox_pdf() -> bytes:
    """PDF's own maximum page (200 × 200 inches): 11.5 gigapixels at 600 dpi."""
    return _one_page(b"[0 0 14400 14400]", b"BT /F1 12 Tf 72 72 Td (x) Tj ET")


def user_unit_pdf() -> bytes:
    """A letter-size box scaled by /UserUnit 75,000: kilometres wide."""
    return _one_page(b"[0 0 612 792]", b"0 0 m 1 1 l S", extra=b" /UserUnit 75000")


def deflate_bomb_pdf(inflated_bytes: int = 512 * 1024 * 1024) -> bytes:
    """One content stream that inflates to `inflated_bytes` (512 MiB from ~0.5 MB)."""
    return _one_page(b"[0 0 612 792]", _zeros_deflated(inflated_bytes),
                     filters=b" /Filter /FlateDecode")


def hidden_deflate_bomb_pdf(inflated_bytes: int = 1536 * 1024 * 1024) -> bytes:
    """The deflate bomb behind ASCIIHex: invisible to the stream scan, so only the reader's
    memory budget stops it."""
    encoded = binascii.hexlify(_zeros_deflated(inflated_bytes)) + b">"
    return _one_page(b"[0 0 612 792]", encoded,
                     filters=b" /Filter [/ASCIIHexDecode /FlateDecode]")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def huge_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG header claiming width × height pixels (10 gigapixels) over a tiny IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _png_chunk(b"IEND", b""))


def decompression_bomb_png() -> bytes:
    """A real, complete 20,000 × 20,000 PNG (400 Mpx, 1.2 GB as RGB) in a few KB."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")
    return buffer.getvalue()


BOMBS = {
    "huge MediaBox PDF": (huge_mediabox_pdf, "page-size"),
    "UserUnit PDF": (user_unit_pdf, "page-size"),
    "deflate bomb PDF": (deflate_bomb_pdf, "decompressed-size"),
    "hidden deflate bomb PDF": (hidden_deflate_bomb_pdf, "memory"),
    "huge-dimension PNG": (huge_png, "pixel"),
    "decompression bomb PNG": (decompression_bomb_png, "pixel"),
}
