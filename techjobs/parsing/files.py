"""Reading ids from an uploaded .txt, .csv or .xlsx file."""

import io
import re
import zipfile

from .layout import build_report, find_layout
from .report import ParseReport, UploadRejected, check_size
from .text import read_text
from .xlsx import is_workbook_archive, read_workbook

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".xlsx")

# Byte order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE
# mark.
_BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
)

# C0 control characters other than tab, line feed, vertical tab, form feed and
# carriage return are not expected in a list of ids, so they mark a binary file.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

_UPLOAD_INSTEAD = "Save the list as .csv, .txt or .xlsx and upload that file."


def parse_file(name: str, data: bytes) -> ParseReport:
    """Parse an uploaded .txt, .csv or .xlsx file into a report of company ids.

    Text is decoded by its byte order mark (UTF-8, UTF-16 or UTF-32, little or
    big endian), else as UTF-8. If the bytes are not valid UTF-8, they are
    decoded as cp1252, the encoding of Windows Excel's CSV export, and the report
    records that. A workbook is read from its first sheet, and a .csv or .txt
    file whose content is a workbook is read as one.

    Raises UploadRejected for another extension, an old .xls workbook, a file
    over MAX_UPLOAD_BYTES, a damaged workbook, or bytes that are not text.
    """
    extension = _extension(name)
    if extension == ".xls":
        raise UploadRejected(
            f"{name} is an old-format Excel workbook (.xls), which cannot be read. "
            "Open it in Excel, save it as .xlsx or .csv, and upload that file."
        )
    if extension not in ACCEPTED_EXTENSIONS:
        raise UploadRejected(
            f"{name} is not a file type that can be read. Upload a .csv, .txt or "
            ".xlsx file."
        )
    check_size(len(data), name)

    is_workbook = is_workbook_archive(data)
    if extension == ".xlsx" and not is_workbook:
        _reject_other_file_type(name, data)
    if extension == ".xlsx" or is_workbook:
        rows = read_workbook(name, data)
        return build_report(rows, find_layout(rows), source=name, encoding=None)

    text, encoding = decode_text(name, data)
    return read_text(text, source=name, encoding=encoding)


def decode_text(name: str, data: bytes) -> tuple[str, str]:
    """Decode an uploaded text file and return the text and the codec used.

    Raises UploadRejected if the bytes are not text.
    """
    _reject_binary(name, data)

    for mark, codec in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                text = data[len(mark) :].decode(codec.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                label = codec.removesuffix("-sig").upper()
                raise UploadRejected(
                    f"{name} starts with a {label} byte order mark, but the rest of "
                    f"the file is not valid {label}. Save the list again as UTF-8 "
                    "CSV and upload that file."
                ) from exc
            return _check_text(name, text), codec

    if b"\x00" in data:
        raise UploadRejected(
            f"{name} contains NUL bytes, so it is a binary file or UTF-16 text "
            "without a byte order mark. Save the list as UTF-8 CSV and upload that "
            "file."
        )
    try:
        return _check_text(name, data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _check_text(name, data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError as exc:
        raise UploadRejected(
            f"{name} is neither UTF-8 nor Windows-1252 text. Save the list as "
            "UTF-8 CSV and upload that file."
        ) from exc


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    _, dot, extension = base.rpartition(".")
    return "." + extension.lower() if dot else ""


def _reject_other_file_type(name: str, data: bytes) -> None:
    """Reject an .xlsx upload that is recognisably another kind of file.

    Any other ZIP archive passes, so that openpyxl gets to read a workbook whose
    parts have unusual names, and reports a damaged one.
    """
    if data.startswith(_ZIP_SIGNATURES) and _describe_zip(data) is None:
        return
    _reject_binary(name, data)


def _reject_binary(name: str, data: bytes) -> None:
    if data.startswith(_OLE2):
        raise UploadRejected(
            f"{name} looks like an old-format Excel workbook (.xls) or a "
            "password-protected workbook. Open it in Excel, save it as .xlsx or "
            ".csv without a password, and upload that file."
        )
    if data.startswith(_ZIP_SIGNATURES):
        kind = _describe_zip(data) or "a ZIP archive"
        raise UploadRejected(f"{name} looks like {kind}. {_UPLOAD_INSTEAD}")
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise UploadRejected(f"{name} looks like {kind}. {_UPLOAD_INSTEAD}")


def _describe_zip(data: bytes) -> str | None:
    """Return what kind of document a ZIP archive is, or None if it is damaged
    or of no known kind."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, KeyError):
        return None
    if "xl/workbook.bin" in names:
        return "an Excel binary workbook (.xlsb)"
    if b"opendocument.spreadsheet" in mimetype:
        return "an OpenDocument spreadsheet (.ods)"
    if "word/document.xml" in names:
        return "a Word document"
    return None


def _check_text(name: str, text: str) -> str:
    # Some DOS-era tools end a text file with Ctrl-Z (U+001A).
    text = text.removesuffix("\x1a")
    match = _CONTROL_CHARACTERS.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise UploadRejected(
            f"{name} contains a control character (U+{ord(match.group()):04X}) on "
            f"line {line}, so it is not a plain text file. {_UPLOAD_INSTEAD}"
        )
    return text
