"""The shared upload rules: type judged by content, extension agreeing with it, size and count limits, names."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from qms.core import uploads
from qms.core.tests.upload_samples import EXE, HTML, PDF, PNG, TEXT, content_for, sample_upload

ALL_TYPES = tuple(uploads.FILE_TYPES)
MB = 1024 * 1024


def check(upload, *, allowed=ALL_TYPES, max_bytes=MB):
    return uploads.check_upload(upload, field="attachments", allowed=allowed, max_bytes=max_bytes)


def refusal(upload, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        check(upload, **kwargs)
    assert list(excinfo.value.message_dict) == ["attachments"]
    return excinfo.value.message_dict["attachments"][0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "pdf"),
        ("photo.png", "png"),
        ("photo.jpg", "jpeg"),
        ("photo.JPEG", "jpeg"),
        ("anim.gif", "gif"),
        ("photo.webp", "webp"),
        ("note.txt", "text"),
        ("list.csv", "text"),
        ("letter.docx", "docx"),
        ("sheet.xlsx", "xlsx"),
        ("slides.pptx", "pptx"),
        ("letter.odt", "odt"),
        ("sheet.ods", "ods"),
    ],
)
def test_each_type_is_accepted_by_its_content(name, expected):
    assert check(sample_upload(name)).key == expected


@pytest.mark.parametrize("name", ["report.pdf", "photo.png", "note.txt", "sheet.xlsx"])
def test_the_browser_content_type_is_ignored(name):
    assert check(sample_upload(name, content_type="text/html")).key == uploads.detect_type(sample_upload(name)).key


def test_the_upload_can_be_read_from_the_start_after_the_check():
    upload = sample_upload("sheet.xlsx")
    check(upload)
    assert upload.read() == content_for("sheet.xlsx")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.exe", EXE),  # the name says what it is
        ("invoice.pdf", EXE),  # an executable renamed
        ("photo.png", EXE),
        ("page.html", HTML),
        ("page.htm", HTML),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("archive.zip", content_for("sheet.xlsx")),
        ("no-extension", PDF),
        ("macro.docm", content_for("letter.docx")),
        ("data.txt", b"abc\x00def"),  # NUL bytes: not text
        ("bundle.xlsx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_a_type_outside_the_list_is_refused_naming_the_file(name, content):
    message = refusal(SimpleUploadedFile(name, content))
    assert message.startswith(f"{name}: ")
    assert "not accepted" in message or "the content is" in message


def test_the_refusal_says_which_kinds_are_accepted():
    message = refusal(sample_upload("photo.exe"), allowed=("pdf", "png", "jpeg", "text", "docx", "xlsx"))
    assert message == "photo.exe: this type of file is not accepted; send PDF, image, text, Word or Excel files."


def test_a_plain_zip_named_as_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not accepted" in refusal(SimpleUploadedFile("sheet.xlsx", buffer.getvalue()))


def test_a_zip_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "0" * 10_000)  # compresses to a few bytes
    assert "not accepted" in refusal(SimpleUploadedFile("sheet.xlsx", buffer.getvalue()))


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("photo.png", PDF, "PDF"),
        ("report.pdf", PNG, "image"),
        ("photo.jpg", PNG, "image"),
        ("letter.docx", content_for("sheet.xlsx"), "Excel"),
        ("report.pdf", TEXT, "text"),
        ("photo.png", HTML, "text"),
    ],
)
def test_an_extension_that_disagrees_with_the_content_is_refused(name, content, detected):
    message = refusal(SimpleUploadedFile(name, content))
    assert message.startswith(f"{name}: the content is a {detected} file")


def test_a_type_left_out_of_the_allowed_list_is_refused():
    assert "not accepted" in refusal(sample_upload("slides.pptx"), allowed=("pdf", "docx"))


def test_text_not_in_utf8_is_refused_with_a_hint():
    upload = SimpleUploadedFile("list.csv", "Café;Müller\r\n".encode("cp1252"))
    assert refusal(upload) == "list.csv: the text is not in UTF-8; save it as UTF-8 and send it again."


def test_a_file_over_the_limit_is_refused():
    assert refusal(sample_upload("report.pdf", MB + 1)) == "report.pdf: the file is larger than 1 MB."


def test_a_file_at_the_limit_is_accepted():
    assert check(sample_upload("report.pdf", MB)).key == "pdf"


def test_an_empty_file_is_refused():
    assert refusal(sample_upload("report.pdf", 0)) == "report.pdf: the file is empty."


def test_too_many_files_are_refused_before_any_is_read():
    files = [sample_upload(f"photo{n}.png") for n in range(4)]
    with pytest.raises(ValidationError) as excinfo:
        uploads.check_uploads(files, field="file", allowed=ALL_TYPES, max_bytes=MB, max_count=3)
    assert excinfo.value.message_dict == {"file": ["Attach at most 3 files."]}


def test_as_many_files_as_allowed_pass():
    files = [sample_upload(f"photo{n}.png") for n in range(3)]
    uploads.check_uploads(files, field="file", allowed=ALL_TYPES, max_bytes=MB, max_count=3)


def test_the_refused_file_is_named_among_good_ones():
    files = [sample_upload("a.png"), SimpleUploadedFile("b.pdf", EXE), sample_upload("c.txt")]
    with pytest.raises(ValidationError) as excinfo:
        uploads.check_uploads(files, field="file", allowed=ALL_TYPES, max_bytes=MB, max_count=5)
    assert excinfo.value.message_dict["file"][0].startswith("b.pdf: ")


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\jo\\Desktop\\note.txt", "note.txt"),
        ("evil\r\nSet-Cookie: x.txt", "evilSet-Cookie: x.txt"),
        ("", "file"),
    ],
)
def test_display_name_drops_folders_and_control_characters(given, shown):
    assert uploads.display_name(given) == shown


@time_machine.travel("2026-03-05 10:00Z", tick=False)
def test_stored_names_are_random_and_dated_and_keep_only_a_safe_extension():
    first = uploads.random_upload_path("feedback", "Report for Acme.PDF")
    second = uploads.random_upload_path("feedback", "Report for Acme.PDF")
    assert first != second
    assert re.fullmatch(r"feedback/2026/03/[0-9a-f]{32}\.pdf", first)
    assert re.fullmatch(r"requirements/2026/03/[0-9a-f]{32}", uploads.random_upload_path("requirements", "x.p/h p"))


@pytest.mark.parametrize(
    ("stored", "content_type"),
    [
        ("feedback/2026/03/abc.pdf", "application/pdf"),
        ("feedback/2026/03/abc.txt", "text/plain; charset=utf-8"),
        ("feedback/2026/03/abc.csv", "text/plain; charset=utf-8"),
        ("feedback/2026/03/abc.html", "application/octet-stream"),
        ("feedback/2026/03/abc.svg", "application/octet-stream"),
        ("feedback/2026/03/abc", "application/octet-stream"),
    ],
)
def test_served_content_type_is_never_a_page(stored, content_type):
    assert uploads.served_content_type(stored) == content_type


def test_attachment_response_is_a_download_with_nosniff(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    stored = storage.open(storage.save("feedback/2026/03/abc.txt", ContentFile(HTML)))
    stored.close()
    response = uploads.attachment_response(stored, filename="Bericht für März.txt")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Bericht%20f%C3%BCr%20M%C3%A4rz.txt"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content) == HTML


# Imports (qms.core.importing) read CSV and XLSX files without storing them; the workbook is judged by content.


def test_import_reads_a_windows_1252_csv():
    from qms.core.importing import read_table

    upload = SimpleUploadedFile("customers.csv", "code,name\r\nA-1,Müller\r\n".encode("cp1252"))
    assert read_table(upload) == [{"code": "A-1", "name": "Müller"}]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("customers.xlsx", content_for("letter.docx")),  # a Word file renamed
        ("customers.xlsx", PDF),
        ("customers.csv", EXE),  # binary: NUL bytes
    ],
)
def test_import_refuses_a_file_whose_content_is_not_what_its_name_says(name, content):
    from qms.core.importing import UNREADABLE, read_table

    with pytest.raises(ValidationError) as excinfo:
        read_table(SimpleUploadedFile(name, content))
    assert excinfo.value.message_dict == {"file": [UNREADABLE]}


def test_import_refuses_a_workbook_that_unpacks_to_too_much(monkeypatch):
    from qms.core.importing import UNREADABLE, read_table

    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 10_000)
    with pytest.raises(ValidationError) as excinfo:
        read_table(SimpleUploadedFile("customers.xlsx", buffer.getvalue()))
    assert excinfo.value.message_dict == {"file": [UNREADABLE]}
