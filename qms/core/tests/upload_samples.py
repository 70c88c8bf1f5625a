"""Small files whose bytes really are the type their name says, for tests of anything that takes uploads."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Delivery note: 12 boxes, 2 crushed. Crème brûlée.\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ooxml(folder: str) -> bytes:
    """A minimal Office Open XML package: ``[Content_Types].xml`` and a part under ``word/``, ``xl/`` or ``ppt/``."""
    return _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>", f"{folder}/x.xml": b"<x/>"})


def odf(kind: str) -> bytes:
    """A minimal OpenDocument package: ``mimetype`` first, then the content."""
    return _zip({"mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(), "content.xml": b"<x/>"})


def content_for(name: str) -> bytes:
    """Bytes of the type ``name``'s extension says."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "pdf": PDF,
        "png": PNG,
        "jpg": JPEG,
        "jpeg": JPEG,
        "gif": GIF,
        "webp": WEBP,
        "txt": TEXT,
        "csv": b"code,name\r\nA-1,Acme\r\n",
        "docx": ooxml("word"),
        "xlsx": ooxml("xl"),
        "pptx": ooxml("ppt"),
        "odt": odf("text"),
        "ods": odf("spreadsheet"),
        "exe": EXE,
        "html": HTML,
    }.get(extension, TEXT)


def sample_upload(name: str, size: int | None = None, content_type: str = "") -> SimpleUploadedFile:
    """An upload named ``name`` whose content is of that type, padded to ``size`` bytes when given
    (``size=0``: an empty file)."""
    content = content_for(name)
    if size is not None:
        content = content[:size] + b" " * max(0, size - len(content))
    return SimpleUploadedFile(name, content, content_type=content_type or "application/octet-stream")
