"""Uploaded files: what we accept (judged by content, not by name), where we keep them, how we hand them back.

A file is accepted only when its bytes are one of the types in ``FILE_TYPES`` (magic numbers; for Office and
OpenDocument files the ZIP's entries) and its extension is one that type uses: a PDF named ``.png`` or an
executable named ``.pdf`` is refused. Stored names are random (``random_upload_path``), so a file's name never
decides where it lands or what it overwrites; the name the user gave is kept in the model for display only.
Files are never served from a URL of their own: ``attachment_response`` is called by a view that has checked
permission, and always answers with a download (``Content-Disposition: attachment``, ``nosniff``, and a
content type that a browser never renders as a page).
"""

from __future__ import annotations

import codecs
import os
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone


@dataclass(frozen=True)
class FileType:
    key: str
    extensions: tuple[str, ...]
    content_type: str
    family: str  # how the error message names it: "PDF", "image", "Word", ...


_OOXML = "application/vnd.openxmlformats-officedocument."
FILE_TYPES: dict[str, FileType] = {
    file_type.key: file_type
    for file_type in (
        FileType("pdf", (".pdf",), "application/pdf", "PDF"),
        FileType("png", (".png",), "image/png", "image"),
        FileType("jpeg", (".jpg", ".jpeg"), "image/jpeg", "image"),
        FileType("gif", (".gif",), "image/gif", "image"),
        FileType("webp", (".webp",), "image/webp", "image"),
        FileType("text", (".txt", ".csv"), "text/plain; charset=utf-8", "text"),
        FileType("docx", (".docx",), f"{_OOXML}wordprocessingml.document", "Word"),
        FileType("xlsx", (".xlsx",), f"{_OOXML}spreadsheetml.sheet", "Excel"),
        FileType("pptx", (".pptx",), f"{_OOXML}presentationml.presentation", "PowerPoint"),
        FileType("odt", (".odt",), "application/vnd.oasis.opendocument.text", "OpenDocument"),
        FileType("ods", (".ods",), "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument"),
    )
}
FAMILY_ORDER = ("PDF", "image", "text", "Word", "Excel", "PowerPoint", "OpenDocument")
# A ZIP whose entries would unpack to more than this is refused (a "zip bomb" must not reach openpyxl).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_OOXML_FOLDERS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


def extensions_of(type_keys: Iterable[str]) -> set[str]:
    """The file name extensions (``.pdf``…) of the given types, for ``accept=`` attributes and help texts."""
    return {extension for key in type_keys for extension in FILE_TYPES[key].extensions}


def describe(type_keys: Iterable[str]) -> str:
    """``PDF, image, text, Word or Excel``: the kinds of file accepted, in words a user knows."""
    families = {FILE_TYPES[key].family for key in type_keys}
    names = [family for family in FAMILY_ORDER if family in families]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def display_name(name: str | None) -> str:
    """The file's own name without any folder and without control characters (kept for display only)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    return _CONTROL.sub("", base).strip()[:255] or "file"


def _extension(name: str) -> str:
    extension = os.path.splitext(name or "")[1].lower()
    return extension if _EXTENSION.fullmatch(extension) else ""


def _zip_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
                return None
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" in names:
                for folder, key in _OOXML_FOLDERS:
                    if any(name.startswith(folder) for name in names):
                        return key
                return None
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                return _ODF_MIMETYPES.get(archive.read("mimetype").strip())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return None
    return None


def _text_status(upload) -> str:
    """``"text"`` for UTF-8 without NUL bytes, ``"not-utf8"`` for other text, ``"binary"`` otherwise."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    status = "text"
    while chunk := upload.read(64 * 1024):
        if b"\x00" in chunk:
            return "binary"
        if status == "text":
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                status = "not-utf8"
    if status == "text":
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            status = "not-utf8"
    return status


def _sniff(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload)
    status = _text_status(upload)
    return {"text": "text", "not-utf8": "not-utf8"}.get(status)


def detect_type(upload) -> FileType | None:
    """The type of ``upload`` judged by its bytes alone (its name and the browser's content type are ignored)."""
    try:
        key = _sniff(upload)
    finally:
        upload.seek(0)
    return FILE_TYPES.get(key or "")


def check_upload(upload, *, field: str, allowed: Iterable[str], max_bytes: int) -> FileType:
    """Refuse an empty file, one over ``max_bytes``, one whose content is not of an ``allowed`` type, or one whose
    extension says another type than its content; the ValidationError names ``field`` and the file."""
    allowed = tuple(allowed)
    name = display_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size == 0:
        raise ValidationError({field: f"{name}: the file is empty."})
    if size > max_bytes:
        raise ValidationError({field: f"{name}: the file is larger than {max_bytes // (1024 * 1024)} MB."})
    refused = f"{name}: this type of file is not accepted; send {describe(allowed)} files."
    extension = _extension(name)
    if extension not in extensions_of(allowed):
        raise ValidationError({field: refused})
    try:
        key = _sniff(upload)
    finally:
        upload.seek(0)
    if key == "not-utf8" and "text" in allowed and extension in FILE_TYPES["text"].extensions:
        raise ValidationError({field: f"{name}: the text is not in UTF-8; save it as UTF-8 and send it again."})
    detected = FILE_TYPES.get(key or "")
    if detected is None or detected.key not in allowed:
        raise ValidationError({field: refused})
    if extension not in detected.extensions:
        raise ValidationError(
            {field: f"{name}: the content is a {detected.family} file, not what “{extension}” says; rename it."}
        )
    return detected


def check_uploads(uploads, *, field: str, allowed: Iterable[str], max_bytes: int, max_count: int) -> None:
    """``check_upload`` for each file, after refusing more than ``max_count`` files."""
    uploads = list(uploads or [])
    if len(uploads) > max_count:
        raise ValidationError({field: f"Attach at most {max_count} files."})
    allowed = tuple(allowed)
    for upload in uploads:
        check_upload(upload, field=field, allowed=allowed, max_bytes=max_bytes)


def random_upload_path(app: str, filename: str) -> str:
    """``<app>/<yyyy>/<mm>/<random hex><ext>``: the user's file name never chooses where a file is stored."""
    now = timezone.now()
    return f"{app}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{_extension(filename)}"


def served_content_type(stored_name: str) -> str:
    """The content type a stored file is sent with: the type its (checked) extension names, or else
    ``application/octet-stream``; never one a browser renders as a page."""
    extension = _extension(stored_name)
    for file_type in FILE_TYPES.values():
        if extension in file_type.extensions:
            return file_type.content_type
    return "application/octet-stream"


def attachment_response(stored_file, *, filename: str) -> FileResponse:
    """A download of ``stored_file`` under ``filename`` (non-ASCII names encoded as RFC 6266 says).

    The caller checks permission first. Raises FileNotFoundError when the file is missing from storage.
    """
    handle = stored_file.open("rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=display_name(filename),
        content_type=served_content_type(stored_file.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
